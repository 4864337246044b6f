"""The audit trail: every change recorded, the database refuses edits, verify finds tampering."""

from __future__ import annotations

import enum
import itertools
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kassa.audit.models import AuditRecord
from kassa.audit.service import _fields, _jsonable
from kassa.cli import app as cli
from tests.helpers import login


def test_state_changes_are_audited_with_request_id(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    response = admin.post(
        "/api/v1/admin/organisations", json={"name": "Acme Ltd", "kind": "company"}
    )
    assert response.status_code == 201
    records = admin.get("/api/v1/audit/records", params={"action": "org."}).json()["items"]
    assert records[0]["action"] == "org.created"
    assert records[0]["request_id"] == response.headers["x-request-id"]
    assert records[0]["actor_label"] == "admin@kassa.example"
    assert records[0]["after"]["name"] == "Acme Ltd"


def test_denials_are_audited(app_client: TestClient) -> None:
    ben = login(app_client, "ben@example.com")
    assert ben.get("/api/v1/admin/users").status_code == 403
    admin = login(app_client, "admin@kassa.example")
    denied = admin.get("/api/v1/audit/records", params={"outcome": "denied"}).json()["items"]
    assert any(
        r["action"] == "access.denied" and r["actor_label"] == "ben@example.com" for r in denied
    )


def test_database_refuses_update_delete_truncate(
    app_client: TestClient, raw_db: psycopg.Connection
) -> None:
    for statement in (
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw_db.execute(statement)


def test_verify_detects_changed_deleted_and_inserted_rows(
    app_client: TestClient, raw_db: psycopg.Connection
) -> None:
    admin = login(app_client, "admin@kassa.example")
    for name in ("One Ltd", "Two Ltd", "Three Ltd"):
        admin.post("/api/v1/admin/organisations", json={"name": name, "kind": "company"})
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    assert admin.get("/api/v1/audit/verify").json()["ok"] is True

    # Someone with raw SQL access edits a row behind the trigger's back.
    raw_db.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    target = raw_db.execute(
        "SELECT id FROM audit_log WHERE action = 'org.created' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    raw_db.execute('UPDATE audit_log SET after = \'{"name": "Evil"}\' WHERE id = %s', (target,))
    changed = runner.invoke(cli, ["audit", "verify"])
    assert changed.exit_code == 1
    assert f"record {target}: content changed" in changed.output

    victim = raw_db.execute(
        "SELECT id, chain, seq FROM audit_log WHERE id <> %s ORDER BY seq LIMIT 1", (target,)
    ).fetchone()
    raw_db.execute("DELETE FROM audit_log WHERE id = %s", (victim[0],))
    deleted = runner.invoke(cli, ["audit", "verify"])
    assert deleted.exit_code == 1 and "missing records" in deleted.output

    raw_db.execute(
        "INSERT INTO audit_log (chain, seq, occurred_at, action, outcome, prev_hash, hash) "
        "VALUES (0, 100000, now(), 'forged', 'success', 'x', 'y')"
    )
    inserted = runner.invoke(cli, ["audit", "verify"])
    assert inserted.exit_code == 1
    assert "seq 100000" in inserted.output
    assert admin.get("/api/v1/audit/verify").json()["ok"] is False


def test_database_computed_hashes_match_what_verify_recomputes(db_url: str) -> None:
    """audit_append hashes in PostgreSQL what canonical_hash hashes in Python, also for
    content that JSON escapes (quotes, non-ASCII, nesting, big integers)."""
    from kassa.audit.service import SYSTEM, Actor, canonical_hash, record, verify
    from kassa.kit.db import unit_of_work

    who = Actor(uuid.uuid4(), None, 'Zoë "Z" Ørsted')
    awkward = {
        "name": 'Ünïcödé ☃ \\ " \n tab\t',
        "nested": {"b": [1, 2, {"z": None, "a": True}], "a": 2**63 - 1},
        "empty": {},
    }
    with unit_of_work() as s:
        for n in range(5):  # several records of one transaction, one chain, linked in order
            record(s, "test.awkward", who, target_type="t", target_id=n, details=awkward)
        record(s, "test.system", SYSTEM, before={"x": 1}, after={"x": 2})
    with unit_of_work() as s:
        rows = (
            s.execute(
                sa.select(AuditRecord)
                .where(AuditRecord.action.like("test.%"))
                .order_by(AuditRecord.id)
            )
            .scalars()
            .all()
        )
        assert len(rows) == 6 and len({r.chain for r in rows}) == 1
        assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 6))
        for prev, row in itertools.pairwise(rows):
            assert row.prev_hash == prev.hash
        for row in rows:
            assert row.hash == canonical_hash(row.prev_hash, _fields(row))
        assert rows[0].details == awkward and rows[0].actor_label == who.label
        report = verify(s)
    assert report.ok, report.problems


def test_the_hash_parts_cut_from_one_encoding_are_those_built_field_by_field() -> None:
    from kassa.audit.service import _CHAIN_AT, _hash_parts, _hash_parts_by_field

    base = {
        "chain": None,
        "seq": None,
        "occurred_at": "2026-11-29T21:00:00+00:00",
        "actor_id": str(uuid.uuid4()),
        "actor_label": 'Zoë "Z"',
        "org_id": None,
        "action": "test",
        "outcome": "success",
        "target_type": None,
        "target_id": "1",
        "ip": "127.0.0.1",
        "request_id": "r",
        "before": {"a": [1, {"b": None}]},
        "after": None,
        "details": {"n": 2**63 - 1, "t": "\u2603\n"},
    }
    mimic = {**base, "after": {"chain": "\x00chain"}}
    assert _CHAIN_AT in json_text(mimic), "the mimic repeats the stand-in"
    for fields in (base, mimic, {**base, "details": None}):
        assert _hash_parts(fields) == _hash_parts_by_field(fields)


def json_text(fields: dict[str, object]) -> str:
    from kassa.audit.service import canonical_json

    return canonical_json({**fields, "chain": "\x00chain"})


def test_concurrent_writers_spread_over_chains_and_verify(db_url: str) -> None:
    from kassa.audit.service import SYSTEM, record, verify
    from kassa.kit.db import unit_of_work

    def write(n: int) -> None:
        for i in range(10):
            with unit_of_work() as s:
                record(s, "test.concurrent", SYSTEM, target_id=f"{n}-{i}")

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(write, range(12)))
    with unit_of_work() as s:
        count = s.scalar(sa.select(sa.func.count()).where(AuditRecord.action == "test.concurrent"))
        chains = s.scalar(
            sa.select(sa.func.count(sa.distinct(AuditRecord.chain))).where(
                AuditRecord.action == "test.concurrent"
            )
        )
        report = verify(s)
    assert count == 120
    assert chains is not None and chains > 1  # writers did not all queue on one chain
    assert report.ok, report.problems


class _Colour(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize(
    "details",
    [
        {"currency": "USD", "amount_minor": 2**70, "note": 'a "quoted" \u2603', "ok": True},
        {"empty": None, "flag": False},
        {"id": uuid.UUID(int=7), "at": datetime(2026, 11, 30, tzinfo=UTC)},
        {"nested": {"id": uuid.UUID(int=8)}, "list": (1, "two")},
        {"colour": _Colour.RED, "ratio": 0.5},
        {1: "an integer key"},
    ],
)
def test_audit_details_are_what_json_gives_back(details: dict[Any, Any]) -> None:
    """Flat text and integers are copied, not encoded; everything else is still converted
    as JSON would (UUIDs and dates as text, tuples as lists, enums by value, keys as text)."""
    expected = json.loads(json.dumps(details, default=str))
    kept = _jsonable(details)
    assert kept == expected
    assert json.dumps(kept, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert kept is not details
    assert all(type(v) in {str, int, bool, float, list, dict, type(None)} for v in kept.values())
