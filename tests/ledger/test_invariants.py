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


def _insert_entry(conn: Conn, postings: list[tuple[uuid.UUID, str, int]]) -> uuid.UUID:
    """An entry and its postings in one statement, as the ledger writes them."""
    entry_id = uuid.uuid4()
    values = ", ".join(["(%s::uuid, %s::uuid, %s, %s::bigint, now())"] * len(postings))
    params: list[object] = [entry_id]
    for account_id, currency, amount in postings:
        params += [entry_id, account_id, currency, amount]
    conn.execute(
        "WITH e AS (INSERT INTO ledger_entries (id, kind, description) VALUES (%s, 'entry', 'x'))"
        " INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
        f" VALUES {values}",
        params,
    )
    return entry_id


def test_unbalanced_entry_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with (
        pytest.raises(psycopg.errors.CheckViolation, match="does not balance"),
        raw_db.transaction(),
    ):
        _insert_entry(raw_db, [(accts["bank"], "USD", 100), (accts["alice"], "USD", -99)])


def test_single_posting_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with pytest.raises(psycopg.errors.CheckViolation), raw_db.transaction():
        _insert_entry(raw_db, [(accts["bank"], "USD", 100)])


def test_entry_without_postings_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with (
        pytest.raises(psycopg.errors.CheckViolation, match="two or more"),
        raw_db.transaction(),
    ):
        raw_db.execute(
            "INSERT INTO ledger_entries (id, kind, description) VALUES (%s, 'entry', 'x')",
            (uuid.uuid4(),),
        )
    assert raw_db.execute("SELECT count(*) FROM ledger_entries").fetchone() == (0,)


def test_postings_must_come_in_the_entrys_statement(
    raw_db: Conn, accts: dict[str, uuid.UUID]
) -> None:
    """An entry whose balanced postings follow in a second statement is refused at the first:
    no moment exists in which an entry has no postings."""
    entry_id = uuid.uuid4()
    with pytest.raises(psycopg.errors.CheckViolation), raw_db.transaction():
        raw_db.execute(
            "INSERT INTO ledger_entries (id, kind, description) VALUES (%s, 'entry', 'x')",
            (entry_id,),
        )
        raw_db.execute(
            "INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
            " VALUES (%s, %s, 'USD', 100, now()), (%s, %s, 'USD', -100, now())",
            (entry_id, accts["bank"], entry_id, accts["alice"]),
        )


def test_balanced_in_one_currency_but_not_another_is_refused(
    raw_db: Conn, accts: dict[str, uuid.UUID]
) -> None:
    with unit_of_work() as s:
        eur_bank = L.bank_account(s, "settlement", "EUR")
    with pytest.raises(psycopg.errors.CheckViolation), raw_db.transaction():
        _insert_entry(raw_db, [(accts["bank"], "USD", 100), (eur_bank, "EUR", -100)])


def test_posting_currency_must_match_account(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with (
        pytest.raises(psycopg.errors.ForeignKeyViolation, match="no ledger account"),
        raw_db.transaction(),
    ):
        _insert_entry(raw_db, [(accts["alice"], "EUR", 100), (accts["eve_eur"], "EUR", -100)])


def test_posting_to_unknown_account_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    with pytest.raises(psycopg.errors.ForeignKeyViolation), raw_db.transaction():
        _insert_entry(raw_db, [(accts["bank"], "USD", 100), (uuid.uuid4(), "USD", -100)])


def test_posting_to_unknown_entry_is_refused(raw_db: Conn, accts: dict[str, uuid.UUID]) -> None:
    ghost = uuid.uuid4()
    with (
        pytest.raises(psycopg.errors.ForeignKeyViolation, match="no journal entry"),
        raw_db.transaction(),
    ):
        raw_db.execute(
            "INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
            " VALUES (%s, %s, 'USD', 100, now()), (%s, %s, 'USD', -100, now())",
            (ghost, accts["bank"], ghost, accts["alice"]),
        )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_accounts SET currency = 'EUR'",
        "UPDATE ledger_accounts SET id = gen_random_uuid()",
        "DELETE FROM ledger_accounts",
        "TRUNCATE ledger_accounts CASCADE",
    ],
)
def test_ledger_accounts_keep_identity(raw_db: Conn, accts: dict[str, uuid.UUID], sql: str) -> None:
    """What the postings' foreign keys guaranteed before migration 0005, now by triggers."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not allowed"):
        raw_db.execute(sql)
    # Everything else about an account may change (its name, status, limit).
    raw_db.execute("UPDATE ledger_accounts SET name = name || ' (renamed)'")


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
        _insert_entry(raw_db, [(accts["bank"], "USD", 0), (accts["alice"], "USD", 0)])
