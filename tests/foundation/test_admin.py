"""Staff administration: registration e-mail, grants effective at once, maker-checker, API keys."""

from __future__ import annotations

import re

import psycopg
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kassa.kit.db import unit_of_work
from kassa.kit.jobs import run_pending_jobs
from tests.conftest import Mailbox
from tests.helpers import login


def test_registration_email_and_password_setup(
    app_client: TestClient, smtp_server: Mailbox
) -> None:
    admin = login(app_client, "admin@kassa.example")
    created = admin.post(
        "/api/v1/admin/users",
        json={
            "email": "new.person@example.com",
            "full_name": "New Person",
            "kind": "individual",
            "roles": ["retail-customer"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "invited"
    # The e-mail job was enqueued in the same transaction; the real worker sends it over SMTP.
    run_pending_jobs()
    message = smtp_server.last_to("new.person@example.com")
    assert "confirm your registration" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    token = re.search(r"set-password\?token=([\w-]+)", body).group(1)  # type: ignore[union-attr]
    weak = app_client.post(
        "/api/v1/auth/password/setup", json={"token": token, "password": "short"}
    )
    assert weak.status_code == 422
    ok = app_client.post(
        "/api/v1/auth/password/setup", json={"token": token, "password": "a-strong-password-9"}
    )
    assert ok.status_code == 204
    again = app_client.post(
        "/api/v1/auth/password/setup", json={"token": token, "password": "another-password-9"}
    )
    assert again.status_code == 422 and again.json()["code"] == "password_link_invalid"
    person = login(app_client, "new.person@example.com", "a-strong-password-9")
    assert person.get("/api/v1/me").json()["permissions"]["accounts"] == "write"


def test_duplicate_email_and_wrong_org_kind(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    dup = admin.post(
        "/api/v1/admin/users",
        json={"email": "BEN@example.com", "full_name": "Ben Again", "kind": "individual"},
    )
    assert dup.status_code == 409 and dup.json()["code"] == "email_taken"
    no_org = admin.post(
        "/api/v1/admin/users",
        json={"email": "biz@example.com", "full_name": "Biz User", "kind": "business"},
    )
    assert no_org.status_code == 422 and no_org.json()["code"] == "org_required"


def test_deny_and_restrict_take_effect_for_existing_tokens(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    auditor = login(app_client, "auditor@kassa.example")
    assert auditor.get("/api/v1/audit/records").status_code == 200
    users = admin.get("/api/v1/admin/users", params={"search": "auditor"}).json()
    auditor_id = users[0]["id"]
    deny = admin.put(f"/api/v1/admin/users/{auditor_id}/access/audit", json={"level": "none"})
    assert deny.status_code == 200
    assert {row["section"]: row["effective"] for row in deny.json()}["audit"] == "none"
    # Same token as before the change: refused at once.
    refused = auditor.get("/api/v1/audit/records")
    assert refused.status_code == 403 and refused.json()["code"] == "section_denied"
    assert "audit" not in auditor.get("/api/v1/me").json()["permissions"]
    # Restore the role default.
    admin.put(f"/api/v1/admin/users/{auditor_id}/access/audit", json={"level": None})
    assert auditor.get("/api/v1/audit/records").status_code == 200
    # A customer cannot be lifted into a staff section.
    ben_id = admin.get("/api/v1/admin/users", params={"search": "ben@"}).json()[0]["id"]
    above = admin.put(f"/api/v1/admin/users/{ben_id}/access/audit", json={"level": "read"})
    assert above.status_code == 422 and above.json()["code"] == "grant_above_ceiling"


def test_maker_checker(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    checker = login(app_client, "checker@kassa.example")
    operator = login(app_client, "operator@kassa.example")
    assert (
        admin.put(
            "/api/v1/admin/approval-policies/user.set_status", json={"enabled": True}
        ).status_code
        == 200
    )
    ben_id = admin.get("/api/v1/admin/users", params={"search": "ben@"}).json()[0]["id"]
    pending = operator.post(f"/api/v1/admin/users/{ben_id}/disable")
    assert pending.status_code == 202
    request_id = pending.json()["approval"]["id"]
    # Nothing happened yet.
    assert admin.get(f"/api/v1/admin/users/{ben_id}").json()["status"] == "active"
    # The maker cannot approve, nor can someone without approve on the section.
    assert operator.post(f"/api/v1/admin/approvals/{request_id}/approve").status_code == 403
    approved = checker.post(f"/api/v1/admin/approvals/{request_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "executed"
    assert admin.get(f"/api/v1/admin/users/{ben_id}").json()["status"] == "disabled"
    again = checker.post(f"/api/v1/admin/approvals/{request_id}/approve")
    assert again.status_code == 409


def test_api_keys_scoped_hashed_and_revocable(app_client: TestClient, db_url: str) -> None:
    admin = login(app_client, "admin@kassa.example")
    created = admin.post(
        "/api/v1/admin/api-keys", json={"name": "reporting", "scopes": {"audit": "read"}}
    )
    assert created.status_code == 201
    key = created.json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert app_client.get("/api/v1/audit/records", headers=headers).status_code == 200
    assert app_client.get("/api/v1/admin/users", headers=headers).status_code == 403
    with psycopg.connect(db_url) as conn:
        stored = conn.execute("SELECT secret_hash FROM api_keys").fetchone()
    # The secret is everything after "kassa_<prefix>_": it is URL-safe base64, so it may
    # hold "_" itself, and splitting on the last "_" could leave a single character.
    secret = key.split("_", 2)[2]
    assert len(secret) >= 40
    assert stored is not None and secret not in stored[0]
    assert admin.delete(f"/api/v1/admin/api-keys/{created.json()['id']}").status_code == 200
    assert app_client.get("/api/v1/audit/records", headers=headers).status_code == 401
    wrong = app_client.get("/api/v1/audit/records", headers={"Authorization": "Bearer kassa_x_y"})
    assert wrong.status_code == 401


def test_disabled_user_loses_sessions(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    ben = login(app_client, "ben@example.com")
    ben_id = admin.get("/api/v1/admin/users", params={"search": "ben@"}).json()[0]["id"]
    assert admin.post(f"/api/v1/admin/users/{ben_id}/disable").status_code == 200
    assert ben.get("/api/v1/me").status_code == 401
    with unit_of_work() as session:
        statuses = session.execute(
            sa.text("SELECT status FROM users WHERE email = 'ben@example.com'")
        ).scalar()
    assert statuses == "disabled"
