"""POST /api/v1/ledger/transfers through its fast path (kassa.ledger.fastpath): it posts and
audits as the route does, answers every refusal as the route does, groups concurrent
requests, and leaves what it cannot serve to the route."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from psycopg import pq

from kassa.app import create_app
from kassa.audit import service as audit
from kassa.config import get_settings
from kassa.kit.db import unit_of_work
from kassa.kit.money import Money
from kassa.ledger import service as L
from kassa.ledger.fastpath import APPLICATION_NAME, PATH
from tests.helpers import Login, login
from tests.ledger.conftest import make_accounts

ADMIN = "admin@kassa.example"


def answers(outcome: str) -> float:
    value = REGISTRY.get_sample_value("kassa_ledger_fast_transfers_total", {"outcome": outcome})
    return value or 0.0


def group_sizes() -> tuple[float, float]:
    """(groups posted, transfers in them) so far."""
    count = REGISTRY.get_sample_value("kassa_ledger_fast_transfer_group_size_count") or 0.0
    total = REGISTRY.get_sample_value("kassa_ledger_fast_transfer_group_size_sum") or 0.0
    return count, total


def scalar(sql: str, **params: Any) -> Any:
    with unit_of_work() as s:
        return s.scalar(sa.text(sql), params)


def audit_records(action: str = "ledger.transfer") -> list[Any]:
    with unit_of_work() as s:
        return list(
            s.execute(
                sa.text("SELECT * FROM audit_log WHERE action = :a ORDER BY id"), {"a": action}
            ).mappings()
        )


def fund(accts: dict[str, uuid.UUID], *names: str, amount: int = 100_000) -> None:
    for name in names:
        with unit_of_work() as s:
            L.post_entry(s, L.transfer(accts["bank"], accts[name], Money(amount, "USD")))


def body(debit: uuid.UUID, credit: uuid.UUID, amount: Any = 100, **extra: Any) -> dict[str, Any]:
    return {
        "debit_account_id": str(debit),
        "credit_account_id": str(credit),
        "amount_minor": amount,
        "currency": "USD",
        **extra,
    }


@pytest.fixture
def route_client(app_client: TestClient) -> Iterator[TestClient]:
    """The same app with the fast path switched off: every request served by the route."""
    settings = get_settings().model_copy(update={"http_fast_transfers": False})
    with TestClient(create_app(settings)) as client:
        yield client


def test_posts_audits_replays_and_refuses_a_reused_key(app_client: TestClient) -> None:
    accts = make_accounts("f")
    admin = login(app_client, ADMIN)
    posted_before, replayed_before, refused_before = (
        answers("posted"),
        answers("replayed"),
        answers("refused"),
    )
    payload = body(accts["bank"], accts["alice"], 1500, description="Opening float")
    entries_before = scalar("SELECT count(*) FROM ledger_entries")

    r = admin.post(PATH, json=payload, headers={"Idempotency-Key": "k-1"})

    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    entry_id = r.json()["entry_id"]
    assert r.json() == {"entry_id": entry_id, "replayed": False}
    assert answers("posted") == posted_before + 1
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 1500
        kind, description = s.execute(
            sa.text("SELECT kind, description FROM ledger_entries WHERE id = :e"),
            {"e": entry_id},
        ).one()
    assert (kind, description) == ("transfer", "Opening float")
    [record] = audit_records()
    assert record["target_type"] == "ledger_entry"
    assert record["target_id"] == entry_id
    assert record["actor_label"] == ADMIN
    assert record["request_id"] == r.headers["x-request-id"]
    assert record["details"] == {**payload, "description": "Opening float"}

    again = admin.post(PATH, json=payload, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201, again.text
    assert again.json() == {"entry_id": entry_id, "replayed": True}
    assert answers("replayed") == replayed_before + 1

    other = admin.post(
        PATH, json={**payload, "amount_minor": 1501}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 409, other.text
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["instance"] == PATH
    assert other.json()["request_id"] == other.headers["x-request-id"]
    assert answers("refused") == refused_before + 1

    assert len(audit_records()) == 1, "a replay or a refusal writes no transfer record"
    assert scalar("SELECT count(*) FROM ledger_entries") == entries_before + 1
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 1500
        assert L.verify(s).ok
        assert audit.verify(s).ok


def _problem_without_request_id(r: httpx.Response) -> dict[str, Any]:
    parsed = dict(r.json())
    assert parsed.pop("request_id") == r.headers["x-request-id"]
    return parsed


def test_every_refusal_is_the_routes_own(
    app_client: TestClient, route_client: TestClient, raw_db: psycopg.Connection[Any]
) -> None:
    accts = make_accounts("p")
    fund(accts, "alice")
    with unit_of_work() as s:
        L.set_status(s, accts["carol"], "frozen")
    fast_admin = login(app_client, ADMIN)
    login(route_client, ADMIN)  # its cookies, for the cookie case
    signed_out = login(app_client, ADMIN)
    raw_db.execute(
        "UPDATE login_sessions SET revoked_at = now() WHERE user_id = "
        "(SELECT id FROM users WHERE email = %s) AND revoked_at IS NULL AND id = ANY(%s)",
        (ADMIN, [_session_of(signed_out.token)]),
    )
    auditor = login(app_client, "auditor@kassa.example")
    customer = login(app_client, "owner@northwind.example")
    used = fast_admin.post(
        PATH, json=body(accts["alice"], accts["bob"], 1), headers={"Idempotency-Key": "used"}
    )
    assert used.status_code == 201, used.text
    a, b, bank, eur = accts["alice"], accts["bob"], accts["bank"], accts["eve_eur"]
    bearer = fast_admin.headers
    cases: list[tuple[str, dict[str, str], Any, int, str]] = [
        ("insufficient funds", bearer, body(a, b, 10**9), 422, "insufficient_funds"),
        ("unknown account", bearer, body(a, uuid.uuid4()), 404, "account_not_found"),
        ("frozen account", bearer, body(a, accts["carol"]), 409, "account_frozen"),
        ("currency mismatch", bearer, body(bank, eur), 422, "currency_mismatch"),
        (
            "reused key",
            bearer | {"Idempotency-Key": "used"},
            body(a, b, 2),
            409,
            "idempotency_key_reused",
        ),
        ("zero amount", bearer, body(a, b, 0), 422, "amount_not_positive"),
        ("negative amount", bearer, body(a, b, -5), 422, "amount_not_positive"),
        ("float amount", bearer, body(a, b, 1.5), 422, "validation_error"),
        ("beyond 64 bits", bearer, body(a, b, 2**63), 422, "amount_too_large"),
        ("negative, 64 bits", bearer, body(a, b, -(2**63)), 422, "amount_not_positive"),
        ("unknown currency", bearer, {**body(a, b), "currency": "XXX"}, 422, ""),
        ("same account", bearer, body(a, a), 422, "same_account"),
        ("extra field", bearer, body(a, b, colour="red"), 422, "validation_error"),
        ("missing key", bearer | {"Idempotency-Key": ""}, body(a, b), 400, ""),
        ("key too long", bearer | {"Idempotency-Key": "k" * 201}, body(a, b), 400, ""),
        ("malformed JSON", bearer, b'{"debit_account_id": ', 400, "malformed_json"),
        ("not JSON", bearer | {"Content-Type": "text/plain"}, b"hello", 422, ""),
        ("cookie, no CSRF token", {}, body(a, b), 403, "csrf_failed"),
        ("forged token", {"Authorization": "Bearer x.y.z"}, body(a, b), 401, "token_invalid"),
        ("signed out", signed_out.headers, body(a, b), 401, "session_revoked"),
        ("reader only", auditor.headers, body(a, b), 403, "section_denied"),
        ("customer", customer.headers, body(a, b), 403, ""),
    ]
    entries_before = scalar("SELECT count(*) FROM ledger_entries")
    for case in cases:
        _same_answer(app_client, route_client, *case)
    for client in (app_client, route_client):
        client.cookies.clear()
    _same_answer(app_client, route_client, "no credentials", {}, body(a, b), 401, "")
    assert scalar("SELECT count(*) FROM ledger_entries") == entries_before, "nothing posted"
    with unit_of_work() as s:
        assert L.verify(s).ok


def _same_answer(
    fast_client: TestClient,
    route_client: TestClient,
    name: str,
    headers: dict[str, str],
    payload: Any,
    status: int,
    code: str,
) -> None:
    """The fast path's answer is the route's: status, type and problem (but its request id),
    and the same access-denied audit records."""
    answers_ = []
    for client in (fast_client, route_client):
        headers = {"Idempotency-Key": f"{name}-{client is fast_client}"} | headers
        denied_before = len(audit_records("access.denied"))
        if isinstance(payload, bytes):
            headers = {"Content-Type": "application/json"} | headers
            r = client.post(PATH, content=payload, headers=headers)
        else:
            r = client.post(PATH, json=payload, headers=headers)
        denied = len(audit_records("access.denied")) - denied_before
        answers_.append((r, denied))
    (fast, fast_denied), (route, route_denied) = answers_
    assert fast.status_code == status, (name, fast.text)
    assert route.status_code == status, (name, route.text)
    assert fast.headers["content-type"] == route.headers["content-type"], name
    if code:
        assert fast.json()["code"] == code, (name, fast.text)
    assert _problem_without_request_id(fast) == _problem_without_request_id(route), name
    assert fast_denied == route_denied == (1 if code == "section_denied" else 0), name


def _session_of(token: str) -> uuid.UUID:
    from kassa.identity.tokens import read_access_token

    return read_access_token(token).session_id


def test_a_replayed_answer_is_the_routes_byte_for_byte(
    app_client: TestClient, route_client: TestClient
) -> None:
    accts = make_accounts("r")
    payload = body(accts["bank"], accts["bob"], 700)
    first = login(route_client, ADMIN).post(PATH, json=payload, headers={"Idempotency-Key": "r1"})
    assert first.status_code == 201, first.text
    replayed_before = answers("replayed")
    fast = login(app_client, ADMIN).post(PATH, json=payload, headers={"Idempotency-Key": "r1"})
    route = login(route_client, ADMIN).post(PATH, json=payload, headers={"Idempotency-Key": "r1"})
    assert answers("replayed") == replayed_before + 1
    assert fast.status_code == route.status_code == 201
    assert fast.content == route.content
    assert fast.json()["entry_id"] == first.json()["entry_id"]
    assert fast.headers["content-type"] == route.headers["content-type"]


def test_concurrent_requests_share_groups_and_post_exactly_once(app_client: TestClient) -> None:
    accts = make_accounts("c")
    fund(accts, "alice", "bob", "carol", amount=2_000)
    # Two sessions: a group checks the rows of each of its sessions.
    tokens = [login(app_client, ADMIN).token for _ in range(2)]
    app = app_client.app
    names = ["bank", "alice", "bob", "carol"]
    rnd = random.Random(7)
    requests: list[tuple[str, dict[str, Any]]] = []
    for n in range(60):
        debit, credit = rnd.sample(names, 2)
        requests.append((f"c-{n}", body(accts[debit], accts[credit], rnd.randint(1, 900))))
    requests += requests[:12]  # the same key and payload sent twice at once
    rnd.shuffle(requests)
    groups_before, grouped_before = group_sizes()
    route_before, stale_before = answers("route"), answers("stale")
    entries_before = scalar("SELECT count(*) FROM ledger_entries")

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            sends = [
                c.post(
                    PATH,
                    json=payload,
                    headers={"Authorization": f"Bearer {tokens[n % 2]}", "Idempotency-Key": key},
                )
                for n, (key, payload) in enumerate(requests)
            ]
            return list(await asyncio.gather(*sends))

    responses = asyncio.run(run())
    app.state.fast_transfers.close()  # its connections belong to the loop that just ended

    by_key: dict[str, list[httpx.Response]] = {}
    for (key, _), r in zip(requests, responses, strict=True):
        assert r.status_code in (201, 422), r.text
        if r.status_code == 422:
            assert r.json()["code"] == "insufficient_funds", r.text
        by_key.setdefault(key, []).append(r)
    posted: set[str] = set()
    for key, got in by_key.items():
        fresh = [
            r.json()["entry_id"] for r in got if r.status_code == 201 and not r.json()["replayed"]
        ]
        replays = [
            r.json()["entry_id"] for r in got if r.status_code == 201 and r.json()["replayed"]
        ]
        assert len(fresh) <= 1, key
        assert all(entry in fresh for entry in replays), key
        posted.update(fresh)
    assert posted, "some transfers must have posted"
    groups, grouped = group_sizes()
    assert grouped - grouped_before == len(requests), "every request went through a group"
    assert answers("route") == route_before, "none was left to the route"
    assert answers("stale") == stale_before, "the rows read and the rows checked agree"
    assert groups - groups_before < grouped - grouped_before, "no two transfers shared a group"
    assert scalar("SELECT count(*) FROM ledger_entries") == entries_before + len(posted)
    records = audit_records()
    assert sorted(r["target_id"] for r in records) == sorted(posted)
    with unit_of_work() as s:
        assert L.verify(s).ok
        assert audit.verify(s).ok
        for name in ("alice", "bob"):
            assert L.get_balance(s, accts[name]).posted >= 0, name
        assert L.get_balance(s, accts["carol"]).posted >= -500


def test_a_changed_session_user_or_grant_is_seen_by_the_next_request(
    app_client: TestClient,
    raw_db: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The principal a worker decided for a session is used again only while the session's
    rows are those it was decided from (the post statement compares them) and the session
    has not expired: each change below is seen by the very next request, which gets the
    route's answer and posts nothing."""
    accts = make_accounts("s")
    admin_id = scalar("SELECT id FROM users WHERE email = :e", e=ADMIN)

    def post(client: TestClient, key: str) -> httpx.Response:
        return client.post(
            PATH, json=body(accts["bank"], accts["alice"], 10), headers={"Idempotency-Key": key}
        )

    def known_sessions() -> set[uuid.UUID]:
        return set(app_client.app.state.fast_transfers._state.known)  # type: ignore[attr-defined]

    def warm() -> Any:
        admin = login(app_client, ADMIN)
        for n in range(2):
            assert post(admin, f"{uuid.uuid4()}-{n}").status_code == 201
        assert _session_of(admin.token) in known_sessions()
        return admin

    changes: list[tuple[str, str, int, str]] = [
        (
            "signed out",
            "UPDATE login_sessions SET revoked_at = now() WHERE id = %(session)s",
            401,
            "session_revoked",
        ),
        (
            "restricted to read",
            "INSERT INTO user_grants (user_id, section, level) VALUES (%(user)s, 'accounts', 'read')",
            403,
            "section_denied",
        ),
        (
            "session cut short",
            "UPDATE login_sessions SET expires_at = now() - interval '1 second'"
            " WHERE id = %(session)s",
            401,
            "session_expired",
        ),
    ]
    for name, sql, status, code in changes:
        admin = warm()
        stale_before, entries_before = (
            answers("stale"),
            scalar("SELECT count(*) FROM ledger_entries"),
        )
        raw_db.execute(sql, {"session": _session_of(admin.token), "user": admin_id})
        refused = post(admin, f"{name}-refused")
        assert refused.status_code == status, (name, refused.text)
        assert refused.json()["code"] == code, name
        assert answers("stale") == stale_before + 1, name
        assert _session_of(admin.token) not in known_sessions(), name
        assert scalar("SELECT count(*) FROM ledger_entries") == entries_before, name
        raw_db.execute("DELETE FROM user_grants WHERE user_id = %s", (admin_id,))

    # Time passes, the rows stay: the session's expiry is checked on every use.
    admin = warm()
    expires = scalar(
        "SELECT expires_at FROM login_sessions WHERE id = :s", s=_session_of(admin.token)
    )
    later = lambda: expires + timedelta(seconds=1)  # noqa: E731
    monkeypatch.setattr("kassa.ledger.fastpath.utcnow", later)
    monkeypatch.setattr("kassa.identity.deps.utcnow", later)
    expired = post(admin, "expired")
    assert expired.status_code == 401 and expired.json()["code"] == "session_expired"
    monkeypatch.undo()

    # The user disabled: every session of theirs is refused at once.
    admin = warm()
    raw_db.execute("UPDATE users SET status = 'disabled' WHERE id = %s", (admin_id,))
    disabled = post(admin, "disabled")
    assert disabled.status_code == 401 and disabled.json()["code"] == "user_disabled"
    raw_db.execute("UPDATE users SET status = 'active' WHERE id = %s", (admin_id,))
    assert post(admin, "enabled again").status_code == 201
    with unit_of_work() as s:
        assert L.verify(s).ok
        assert audit.verify(s).ok


def _next_two_recover(admin: Login, accts: dict[str, uuid.UUID], prefix: str, why: str) -> None:
    """After a fault of the fast path's connection or statement (a first transfer already
    posted): the next transfer goes to the route, the one after it is posted by the fast path
    on a new connection, and each is posted and audited once."""
    route_before, posted_before = answers("route"), answers("posted")
    second = admin.post(
        PATH, json=body(accts["bank"], accts["alice"]), headers={"Idempotency-Key": f"{prefix}2"}
    )
    third = admin.post(
        PATH, json=body(accts["bank"], accts["alice"]), headers={"Idempotency-Key": f"{prefix}3"}
    )

    assert second.status_code == third.status_code == 201, (second.text, third.text)
    assert answers("route") == route_before + 1, why
    assert answers("posted") == posted_before + 1, "a new connection for the next one"
    assert len(audit_records()) == 3
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 300


def test_a_lost_connection_sends_the_request_to_the_route(
    app_client: TestClient, raw_db: psycopg.Connection[Any]
) -> None:
    accts = make_accounts("l")
    admin = login(app_client, ADMIN)
    route_before, posted_before = answers("route"), answers("posted")
    first = admin.post(
        PATH, json=body(accts["bank"], accts["alice"]), headers={"Idempotency-Key": "l1"}
    )
    assert first.status_code == 201, first.text
    killed = raw_db.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
        (APPLICATION_NAME,),
    ).fetchone()
    assert killed is not None and killed[0] >= 1
    assert answers("posted") == posted_before + 1 and answers("route") == route_before

    _next_two_recover(admin, accts, "l", "the request on the dead connection")


def test_a_statement_the_server_no_longer_holds_goes_to_the_route_once(
    app_client: TestClient,
) -> None:
    """The group's statement is prepared once per connection (kassa.kit.rawpq). If the
    server no longer holds it (here: deallocated; after a migration, a changed result type
    fails the same way), that request goes to the route and the connection is dropped: the
    next request prepares it afresh on a new connection and is posted by the fast path."""
    accts = make_accounts("d")
    admin = login(app_client, ADMIN)
    first = admin.post(
        PATH, json=body(accts["bank"], accts["alice"]), headers={"Idempotency-Key": "d1"}
    )
    assert first.status_code == 201, first.text
    # The fast path's idle connections, reached through its private state: the server
    # cannot be told to drop another session's prepared statement.
    state = app_client.app.state.fast_transfers._state  # type: ignore[attr-defined]
    idle = list(state.connections._idle)
    assert idle, "the first request's connection is kept for the next"
    for raw in idle:
        raw.conn.pgconn.exec_(b"DEALLOCATE kassa_fast_post")

    _next_two_recover(admin, accts, "d", "the request on the stale statement")
    assert all(raw.conn.pgconn.status != pq.ConnStatus.OK for raw in idle), "dropped"


def test_a_nul_in_the_description_goes_to_the_route_alone(
    app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL cannot store a NUL, and the route refuses it with a 400. The fast path
    leaves such a request to the route before it joins a group: in a group it would fail the
    group's statement, and every transfer of the group would go to the route with it."""
    accts = make_accounts("z")
    admin = login(app_client, ADMIN)
    route_before, posted_before = answers("route"), answers("posted")

    with caplog.at_level(logging.WARNING, logger="kassa.ledger.fastpath"):
        refused = admin.post(
            PATH,
            json=body(accts["bank"], accts["alice"], description="a\x00b"),
            headers={"Idempotency-Key": "z1"},
        )
        fine = admin.post(
            PATH, json=body(accts["bank"], accts["alice"]), headers={"Idempotency-Key": "z2"}
        )

    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalid_character"
    assert fine.status_code == 201, fine.text
    assert answers("route") == route_before + 1
    assert answers("posted") == posted_before + 1
    assert "group failed" not in caplog.text, "it never reached a group's statement"
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 100


def test_a_fault_after_the_commit_answers_500_and_the_retry_gets_the_outcome(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault of ours after the group's statement committed (here: reading its answer) leaves
    the caller not knowing whether the transfer posted. It gets a 500, as from any route, and
    the retry with the same key learns the truth: posted once, audited once."""
    accts = make_accounts("f")
    admin = login(app_client, ADMIN)
    failed_before = answers("failed")

    def unreadable(status: str, ref: uuid.UUID | None, info: str | None) -> Any:
        raise RuntimeError("a fault of ours while reading the group's answer")

    monkeypatch.setattr(L, "post_outcome", unreadable)
    first = admin.post(
        PATH, json=body(accts["bank"], accts["alice"]), headers={"Idempotency-Key": "f1"}
    )
    monkeypatch.undo()

    assert first.status_code == 500, first.text
    assert first.headers["content-type"].startswith("application/problem+json")
    assert first.json()["code"] == "internal_error"
    assert "fault of ours" not in first.text, "the details stay in the log"
    assert answers("failed") == failed_before + 1
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 100, "the statement had committed"

    retry = admin.post(
        PATH, json=body(accts["bank"], accts["alice"]), headers={"Idempotency-Key": "f1"}
    )
    assert retry.status_code == 201, retry.text
    assert retry.json()["replayed"] is True
    posted = [r for r in audit_records() if r["target_id"] == retry.json()["entry_id"]]
    assert len(posted) == 1
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 100, "posted once"
