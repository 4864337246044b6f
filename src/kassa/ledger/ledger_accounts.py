"""Ledger accounts: opening one (limited, for customer money, or one of the bank's own,
sharded and created on first use), its status and its overdraft limit."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.kit.ids import uuid7
from kassa.kit.money import CURRENCIES, MAX_MINOR
from kassa.ledger import errors as E
from kassa.ledger.models import LedgerAccount

DEFAULT_BANK_SHARDS = 16


BANK_ACCOUNTS: dict[str, tuple[str, str]] = {
    "settlement": ("asset", "Settlement (cash at the central bank and correspondents)"),
    "suspense": ("liability", "Suspense (unidentified money)"),
    "fee_income": ("income", "Fee income"),
    "interest_expense": ("expense", "Interest paid to customers"),
    "interest_income": ("income", "Interest earned"),
    "equity": ("equity", "Capital"),
}


def create_account(
    session: Session,
    *,
    code: str,
    name: str,
    type: str,
    currency: str,
    limited: bool = True,
    overdraft_limit: int = 0,
    shards: int = 1,
    account_id: uuid.UUID | None = None,
) -> LedgerAccount:
    if currency not in CURRENCIES:
        raise E.UnknownCurrency(f"{currency!r} is not an ISO 4217 currency Kassa serves.")
    account = LedgerAccount(
        id=account_id or uuid7(),
        code=code,
        name=name,
        type=type,
        currency=currency,
        limited=limited,
        overdraft_limit=overdraft_limit if limited else 0,
        shards=1 if limited else shards,
        status="open",
    )
    session.add(account)
    session.flush()
    _insert_balance_rows(session, account.id, account.shards, -overdraft_limit if limited else None)
    return account


def _insert_balance_rows(
    session: Session, account_id: uuid.UUID, shards: int, floor: int | None
) -> None:
    session.execute(
        sa.text(
            "INSERT INTO ledger_balances (account_id, shard, posted, pending_out, pending_in,"
            " floor, account_status) SELECT :a, s, 0, 0, 0, :f, 'open'"
            " FROM generate_series(0, :n - 1) AS s"
        ),
        {"a": account_id, "f": floor, "n": shards},
    )


def bank_account_code(purpose: str, currency: str) -> str:
    return f"bank.{purpose}.{currency}"


def bank_account(session: Session, purpose: str, currency: str) -> uuid.UUID:
    """The bank's own account for ``purpose`` in ``currency``, created on first use."""
    if purpose not in BANK_ACCOUNTS:
        raise ValueError(f"unknown bank account purpose {purpose!r}")
    code = bank_account_code(purpose, currency)
    found = session.scalar(sa.select(LedgerAccount.id).where(LedgerAccount.code == code))
    if found is not None:
        return found
    kind, name = BANK_ACCOUNTS[purpose]
    account_id = uuid7()
    inserted = session.scalar(
        sa.text(
            "INSERT INTO ledger_accounts (id, code, name, type, currency, limited,"
            " overdraft_limit, shards, status) VALUES (:id, :code, :name, :type, :cur,"
            " false, 0, :n, 'open') ON CONFLICT (code) DO NOTHING RETURNING id"
        ),
        {
            "id": account_id,
            "code": code,
            "name": f"{name} {currency}",
            "type": kind,
            "cur": currency,
            "n": DEFAULT_BANK_SHARDS,
        },
    )
    if inserted is None:  # another transaction created it meanwhile
        result: uuid.UUID = session.execute(
            sa.select(LedgerAccount.id).where(LedgerAccount.code == code)
        ).scalar_one()
        return result
    _insert_balance_rows(session, account_id, DEFAULT_BANK_SHARDS, None)
    return account_id


def _lock_all_rows(session: Session, account_id: uuid.UUID) -> list[sa.Row[Any]]:
    return list(
        session.execute(
            sa.text(
                "SELECT shard, posted, pending_out, pending_in FROM ledger_balances"
                " WHERE account_id = :a ORDER BY shard FOR UPDATE"
            ),
            {"a": account_id},
        )
    )


def set_status(session: Session, account_id: uuid.UUID, status: str) -> LedgerAccount:
    """Open, freeze or close an account; closing needs a zero balance and no holds."""
    account = session.get(LedgerAccount, account_id)
    if account is None:
        raise E.AccountNotFound("No such account.")
    rows = _lock_all_rows(session, account_id)
    if status == "closed":
        if any(r.posted or r.pending_out or r.pending_in for r in rows):
            raise E.BalanceNotZero("Only an account with a zero balance and no holds can close.")
    elif account.status == "closed":
        raise E.AccountClosed("A closed account stays closed.")
    session.execute(
        sa.text("UPDATE ledger_balances SET account_status = :s WHERE account_id = :a"),
        {"s": status, "a": account_id},
    )
    account.status = status
    session.flush()
    return account


def set_overdraft_limit(session: Session, account_id: uuid.UUID, limit: int) -> LedgerAccount:
    account = session.get(LedgerAccount, account_id)
    if account is None:
        raise E.AccountNotFound("No such account.")
    if not account.limited or limit < 0 or limit > MAX_MINOR:
        raise E.AmountNotPositive("Overdraft limits are zero or more, on limited accounts.")
    rows = _lock_all_rows(session, account_id)
    if rows[0].posted - rows[0].pending_out < -limit:
        raise E.InsufficientFunds("The balance is already below that limit.")
    session.execute(
        sa.text("UPDATE ledger_balances SET floor = :f WHERE account_id = :a"),
        {"f": -limit, "a": account_id},
    )
    account.overdraft_limit = limit
    session.flush()
    return account
