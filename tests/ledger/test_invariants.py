"""The database itself refuses what the ledger must never do (raw SQL, no Python checks)."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from kassa.kit.db import unit_of_work
from kassa.kit.money import Money
from kassa.ledger import service as L

Conn = psycopg.Connection[Any]


def _entry(conn: Conn) -> uuid.UUID:
    entry_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO ledger_entries (id, kind, description) VALUES (%s, 'entry', 'x')", (entry_id,)
    )
    return entry_id


def test_unbalanced_entry_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with (
        pytest.raises(psycopg.errors.CheckViolation, match="does not balance"),
        raw_db.transaction(),
    ):
        e = _entry(raw_db)
        raw_db.execute(
            "INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
            " VALUES (%s, %s, 'USD', 100, now()), (%s, %s, 'USD', -99, now())",
            (e, accts["bank"], e, accts["alice"]),
        )


def test_single_posting_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with pytest.raises(psycopg.errors.CheckViolation), raw_db.transaction():
        e = _entry(raw_db)
        raw_db.execute(
            "INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
            " VALUES (%s, %s, 'USD', 100, now())",
            (e, accts["bank"]),
        )


def test_entry_without_postings_is_refused_at_commit(
    raw_db: Conn, accts: dict[str, uuid.UUID]
) -> None:
    with (
        pytest.raises(psycopg.errors.CheckViolation, match="two or more"),
        raw_db.transaction(),
    ):
        _entry(raw_db)
    assert raw_db.execute("SELECT count(*) FROM ledger_entries").fetchone() == (0,)


def test_balanced_in_one_currency_but_not_another_is_refused(
    raw_db: Conn, accts: dict[str, uuid.UUID]
) -> None:
    with unit_of_work() as s:
        eur_bank = L.bank_account(s, "settlement", "EUR")
    with pytest.raises(psycopg.errors.CheckViolation), raw_db.transaction():
        e = _entry(raw_db)
        raw_db.execute(
            "INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
            " VALUES (%s, %s, 'USD', 100, now()), (%s, %s, 'EUR', -100, now())",
            (e, accts["bank"], e, eur_bank),
        )


def test_posting_currency_must_match_account(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with pytest.raises(psycopg.errors.ForeignKeyViolation), raw_db.transaction():
        e = _entry(raw_db)
        raw_db.execute(
            "INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
            " VALUES (%s, %s, 'EUR', 100, now()), (%s, %s, 'EUR', -100, now())",
            (e, accts["alice"], e, accts["eve_eur"]),
        )


def _posted(accts: dict[str, uuid.UUID]) -> uuid.UUID:
    with unit_of_work() as s:
        result = L.post_entry(s, L.transfer(accts["bank"], accts["alice"], Money(500, "USD")))
    assert result.entry_id is not None
    return result.entry_id


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_postings SET amount = amount * 2",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_entries SET description = 'changed'",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_postings CASCADE",
        "TRUNCATE ledger_entries CASCADE",
    ],
)
def test_posted_entries_are_immutable(raw_db: Conn, accts: dict[str, uuid.UUID], sql: str) -> None:
    _posted(accts)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not allowed"):
        raw_db.execute(sql)
    assert raw_db.execute("SELECT count(*) FROM ledger_postings").fetchone() == (2,)


def test_balance_row_cannot_go_below_floor(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    _posted(accts)
    with pytest.raises(psycopg.errors.CheckViolation):
        raw_db.execute(
            "UPDATE ledger_balances SET posted = -1 WHERE account_id = %s", (accts["alice"],)
        )


def test_zero_amount_posting_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with pytest.raises(psycopg.errors.CheckViolation), raw_db.transaction():
        e = _entry(raw_db)
        raw_db.execute(
            "INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
            " VALUES (%s, %s, 'USD', 0, now()), (%s, %s, 'USD', 0, now())",
            (e, accts["bank"], e, accts["alice"]),
        )
