"""Reading the ledger: balances now and at a point in time, statements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.kit.money import Money
from kassa.ledger import errors as E
from kassa.ledger.models import LedgerAccount, normal_sign


@dataclass(slots=True)
class Balance:
    account_id: uuid.UUID
    currency: str
    posted: int
    pending_out: int
    pending_in: int
    overdraft_limit: int

    @property
    def available(self) -> int:
        """What can be spent now: posted minus outgoing holds, plus any overdraft limit."""
        return self.posted - self.pending_out + self.overdraft_limit


_BALANCE = sa.text(
    "SELECT a.currency, a.overdraft_limit, sum(b.posted), sum(b.pending_out), sum(b.pending_in)"
    " FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id WHERE a.id = :a"
    " GROUP BY a.id"
)


def get_balance(session: Session, account_id: uuid.UUID) -> Balance:
    row = session.execute(_BALANCE, {"a": account_id}).first()
    if row is None:
        raise E.AccountNotFound("No such account.")
    return Balance(account_id, row[0], int(row[2]), int(row[3]), int(row[4]), int(row[1]))


def balance_at(session: Session, account_id: uuid.UUID, at: datetime) -> Money:
    """The posted balance at a point in time (value time), from the postings."""
    account = session.get(LedgerAccount, account_id)
    if account is None:
        raise E.AccountNotFound("No such account.")
    total = session.scalar(
        sa.text(
            "SELECT coalesce(sum(amount), 0) FROM ledger_postings"
            " WHERE account_id = :a AND booked_at <= :t"
        ),
        {"a": account_id, "t": at},
    )
    return Money(normal_sign(account.type) * int(total or 0), account.currency)


@dataclass(slots=True)
class StatementLine:
    posting_id: int
    entry_id: uuid.UUID
    booked_at: datetime
    kind: str
    description: str
    amount: int  # normal direction: + money in for a customer account
    balance: int  # running balance after this line
    meta: dict[str, Any] | None


@dataclass(slots=True)
class Statement:
    account_id: uuid.UUID
    currency: str
    start: datetime
    end: datetime
    opening: int
    closing: int
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def total_in(self) -> int:
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def total_out(self) -> int:
        return -sum(line.amount for line in self.lines if line.amount < 0)


def statement(session: Session, account_id: uuid.UUID, start: datetime, end: datetime) -> Statement:
    """Every posting in [start, end) with the running balance after each line."""
    account = session.get(LedgerAccount, account_id)
    if account is None:
        raise E.AccountNotFound("No such account.")
    sign = normal_sign(account.type)
    opening = sign * int(
        session.scalar(
            sa.text(
                "SELECT coalesce(sum(amount), 0) FROM ledger_postings"
                " WHERE account_id = :a AND booked_at < :s"
            ),
            {"a": account_id, "s": start},
        )
        or 0
    )
    result = Statement(account_id, account.currency, start, end, opening, opening)
    rows = session.execute(
        sa.text(
            "SELECT p.id, p.entry_id, p.booked_at, e.kind, e.description, p.amount, e.meta,"
            " sum(p.amount) OVER (ORDER BY p.booked_at, p.id) AS run"
            " FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id"
            " WHERE p.account_id = :a AND p.booked_at >= :s AND p.booked_at < :e"
            " ORDER BY p.booked_at, p.id"
        ),
        {"a": account_id, "s": start, "e": end},
    )
    for pid, eid, at, kind, desc, amount, meta, run in rows:
        result.lines.append(
            StatementLine(pid, eid, at, kind, desc, sign * amount, opening + sign * int(run), meta)
        )
    if result.lines:
        result.closing = result.lines[-1].balance
    return result
