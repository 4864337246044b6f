"""Every migration can be undone: down to an empty database and back up to head."""

from __future__ import annotations

from typing import Any

import psycopg

from kassa.kit.migrate import downgrade, upgrade


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows: list[Any] = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {r[0] for r in rows} - {"alembic_version"}


def _triggers(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows: list[Any] = conn.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        ).fetchall()
    return {r[0] for r in rows}


def _entry_columns(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows: list[Any] = conn.execute(
            "SELECT column_name, is_identity FROM information_schema.columns"
            " WHERE table_name = 'ledger_entries'"
        ).fetchall()
    return {r[0]: r[1] for r in rows}


def _audit_functions(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows: list[Any] = conn.execute(
            "SELECT oid::regprocedure::text FROM pg_proc"
            " WHERE proname IN ('audit_append', 'ledger_post_group_audited')"
        ).fetchall()
    return {r[0] for r in rows}


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    tables, triggers = _tables(db_url), _triggers(db_url)
    assert "ledger_postings" in tables and "ledger_postings_valid" in triggers
    assert "seq" not in _entry_columns(db_url)
    functions = _audit_functions(db_url)
    assert "audit_append(integer,text[],text[],text[])" in functions  # 0013: the hash parts
    assert not any("jsonb" in f for f in functions)
    downgrade(db_url, "0012")
    assert _audit_functions(db_url) == {
        "audit_append(integer,jsonb)",
        "ledger_post_group_audited(text[],text[],uuid[],text[],text[],text[],"
        "timestamp with time zone[],integer[],uuid[],text[],bigint[],integer,jsonb,integer)",
    }
    downgrade(db_url, "0011")
    assert _entry_columns(db_url)["seq"] == "YES"  # 0002's numbering of entries is back
    downgrade(db_url, "0004")
    assert "ledger_entry_complete" in _triggers(db_url)  # 0002's deferred check is back
    downgrade(db_url, "base")
    assert _tables(db_url) == set()
    upgrade(db_url)
    assert _tables(db_url) == tables
    assert _triggers(db_url) == triggers
    assert _audit_functions(db_url) == functions
