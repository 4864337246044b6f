"""Sign-in, second factor, refresh rotation, lockout and sign-out against the real app."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kassa.audit.models import AuditRecord
from kassa.demo import DEMO_PASSWORD
from kassa.identity.models import User
from kassa.kit.db import unit_of_work
from tests.helpers import latest_sms_code, login


def _audit_actions(outcome: str | None = None) -> list[str]:
    with unit_of_work() as session:
        query = sa.select(AuditRecord.action).order_by(AuditRecord.id)
        if outcome:
            query = query.where(AuditRecord.outcome == outcome)
        return list(session.scalars(query))


def test_wrong_password_is_401_problem_and_audited(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/auth/login", json={"email": "admin@kassa.example", "password": "nope-nope"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "bad_credentials"
    assert "auth.login" in _audit_actions("failure")


def test_unknown_user_gets_the_same_answer(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/auth/login", json={"email": "ghost@kassa.example", "password": "whatever1"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_lockout_after_repeated_failures(app_client: TestClient) -> None:
    for _ in range(5):
        app_client.post(
            "/api/v1/auth/login", json={"email": "ben@example.com", "password": "wrong-password"}
        )
    # Even the right password is refused while locked.
    response = app_client.post(
        "/api/v1/auth/login", json={"email": "ben@example.com", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 423
    assert response.json()["code"] == "account_locked"
    assert int(response.headers["retry-after"]) > 0
    assert "auth.lockout" in _audit_actions("failure")


def test_ip_rate_limit(app_client: TestClient) -> None:
    statuses = [
        app_client.post(
            "/api/v1/auth/login", json={"email": f"u{i}@example.com", "password": "x" * 10}
        ).status_code
        for i in range(25)
    ]
    assert 429 in statuses
    assert statuses[0] == 401


def test_sms_two_factor_login(app_client: TestClient) -> None:
    first = app_client.post(
        "/api/v1/auth/login", json={"email": "anna@example.com", "password": DEMO_PASSWORD}
    )
    body = first.json()
    assert body["mfa_required"] is True and body["access_token"] is None
    assert "kassa_access" not in first.cookies
    assert (
        app_client.post("/api/v1/auth/mfa/sms", json={"mfa_token": body["mfa_token"]}).status_code
        == 204
    )
    code = latest_sms_code("+358401234567")
    wrong = "000000" if code != "000000" else "111111"
    bad = app_client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfa_token": body["mfa_token"], "method": "sms", "code": wrong},
    )
    assert bad.status_code == 401 and bad.json()["code"] == "mfa_code_invalid"
    ok = app_client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfa_token": body["mfa_token"], "method": "sms", "code": code},
    )
    assert ok.status_code == 200
    assert ok.cookies.get("kassa_access")
    # Single use: the same code does not work twice.
    again = app_client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfa_token": body["mfa_token"], "method": "sms", "code": code},
    )
    assert again.status_code == 401


def test_sms_code_attempts_are_limited(app_client: TestClient) -> None:
    body = app_client.post(
        "/api/v1/auth/login", json={"email": "anna@example.com", "password": DEMO_PASSWORD}
    ).json()
    app_client.post("/api/v1/auth/mfa/sms", json={"mfa_token": body["mfa_token"]})
    code = latest_sms_code("+358401234567")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        app_client.post(
            "/api/v1/auth/mfa/verify",
            json={"mfa_token": body["mfa_token"], "method": "sms", "code": wrong},
        )
    # Five wrong tries lock the account (and the challenge): the right code no longer works.
    late = app_client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfa_token": body["mfa_token"], "method": "sms", "code": code},
    )
    assert late.status_code in (401, 423)


def test_totp_setup_and_login(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    setup = ben.post("/api/v1/me/2fa/totp").json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/")
    assert "<svg" in setup["qr_svg"]
    totp = pyotp.TOTP(setup["secret"])
    assert (
        ben.post(
            "/api/v1/me/2fa/totp/confirm",
            json={"code": "123456" if totp.now() != "123456" else "654321"},
        ).status_code
        == 422
    )
    confirmed = totp.now()
    assert ben.post("/api/v1/me/2fa/totp/confirm", json={"code": confirmed}).status_code == 204
    with unit_of_work() as session:
        stored = session.scalar(
            sa.select(User.totp_secret_enc).where(User.email == "ben@example.com")
        )
    assert stored and setup["secret"] not in stored  # encrypted at rest
    body = app_client.post(
        "/api/v1/auth/login", json={"email": "ben@example.com", "password": DEMO_PASSWORD}
    ).json()
    assert body["mfa_required"] and body["mfa_methods"] == ["totp"]
    # The code used to confirm cannot be used again. The very same code: a fresh
    # ``totp.now()`` would be the next step's code if the 30 s step ended meanwhile.
    replay = app_client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfa_token": body["mfa_token"], "method": "totp", "code": confirmed},
    )
    assert replay.status_code == 401


def test_refresh_rotates_and_reuse_revokes_family(app_client: TestClient) -> None:
    tokens = app_client.post(
        "/api/v1/auth/login", json={"email": "ben@example.com", "password": DEMO_PASSWORD}
    ).json()
    first_refresh = tokens["refresh_token"]
    rotated = app_client.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first_refresh
    replay = app_client.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})
    assert replay.status_code == 401 and replay.json()["code"] == "refresh_reused"
    # The whole family is gone: the newest token and the access token stop working too.
    assert (
        app_client.post(
            "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
        ).status_code
        == 401
    )
    me = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 401 and me.json()["code"] == "session_revoked"


def test_logout_revokes_access_token(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    assert ben.post("/api/v1/auth/logout").status_code == 204
    assert ben.get("/api/v1/me").status_code == 401


def test_forged_and_expired_tokens(app_client: TestClient) -> None:
    import jwt

    forged = jwt.encode(
        {"sub": "x", "typ": "access", "iss": "kassa", "iat": 0, "exp": 2**31},
        "another-key",
        algorithm="HS256",
    )
    response = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    from kassa.config import get_settings

    expired = jwt.encode(
        {"sub": "x", "sid": "y", "typ": "access", "iss": "kassa", "iat": 0, "exp": 1},
        get_settings().signing_key(),
        algorithm="HS256",
    )
    response = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and response.json()["code"] == "token_expired"
    garbage = app_client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert garbage.status_code == 401


def test_cookie_auth_needs_csrf_for_changes(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/auth/login", json={"email": "ben@example.com", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    # The TestClient keeps the cookies: reads work, writes without the header are refused.
    assert app_client.get("/api/v1/me").status_code == 200
    refused = app_client.post("/api/v1/me/2fa/totp")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    csrf = app_client.cookies.get("kassa_csrf")
    assert csrf
    allowed = app_client.post("/api/v1/me/2fa/totp", headers={"X-CSRF-Token": csrf})
    assert allowed.status_code == 200


def test_sessions_list_and_revoke(app_client: TestClient) -> None:
    first = login(app_client, "ben@example.com")
    second = login(app_client, "ben@example.com")
    sessions = first.get("/api/v1/me/sessions").json()
    assert len(sessions) == 2
    other = next(s for s in sessions if not s["current"])
    assert first.delete(f"/api/v1/me/sessions/{other['id']}").status_code == 204
    assert second.get("/api/v1/me").status_code == 401
    assert first.get("/api/v1/me").status_code == 200


def test_password_change(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    wrong = ben.post(
        "/api/v1/auth/password/change",
        json={"current_password": "bad-password", "new_password": "a-new-password-1"},
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "password_wrong"
    ok = ben.post(
        "/api/v1/auth/password/change",
        json={"current_password": DEMO_PASSWORD, "new_password": "a-new-password-1"},
    )
    assert ok.status_code == 204
    login(app_client, "ben@example.com", "a-new-password-1")
