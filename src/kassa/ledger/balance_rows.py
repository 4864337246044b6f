"""The balance rows (``ledger_balances``) a posting works on: read, or locked in
(account, shard) order, checked for use, and their changes written back. Shared by the batch
engine (``kassa.ledger.engine``) and the two-phase holds (``kassa.ledger.holds``)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.kit.pgarray import plain_array
from kassa.ledger import errors as E
from kassa.ledger.models import normal_sign


def session_connection(session: Session) -> sa.Connection:
    """This session's connection, for ``exec_driver_sql`` on the hot path: psycopg adapts the
    parameters (no SQLAlchemy type layer), SQLAlchemy still wraps errors. Pending ORM changes
    are flushed first, as autoflush would."""
    session.flush()
    return session.connection()


@dataclass(slots=True)
class BalanceRow:
    type: str
    currency: str
    shard: int
    posted: int
    pending_out: int
    pending_in: int
    floor: int | None
    status: str
    d_posted: int = 0
    d_out: int = 0
    d_in: int = 0
    # Extremes of d_posted as the entries apply, for re-checking against newer balances:
    # the lowest after a debit, and the lowest and highest after any entry.
    low_after_debit: int | None = None
    low: int = 0
    high: int = 0

    @property
    def sign(self) -> int:
        return normal_sign(self.type)

    def available(self) -> int:
        return self.posted + self.d_posted - self.pending_out - self.d_out


# Hot-path statements run with ``exec_driver_sql``: psycopg binds the lists as arrays, the
# casts give their types, and SQLAlchemy's per-element type processing is skipped.
_BY_ACCOUNT = (
    "SELECT a.id, a.type, a.currency, b.shard, b.posted, b.pending_out, b.pending_in, b.floor,"
    " b.account_status FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id"
    " WHERE a.id = ANY(%(ids)s::uuid[])"
    " AND b.shard = CASE WHEN a.limited THEN 0 ELSE %(r)s::integer %% a.shards END"
)

_BY_SHARD = (
    "SELECT a.id, a.type, a.currency, b.shard, b.posted, b.pending_out, b.pending_in, b.floor,"
    " b.account_status FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id"
    " JOIN unnest(%(ids)s::uuid[], %(shards)s::smallint[]) AS k(a, s)"
    " ON k.a = b.account_id AND k.s = b.shard"
)


def lock_rows(
    session: Session, account_ids: Iterable[uuid.UUID], shards: dict[uuid.UUID, int] | None = None
) -> dict[uuid.UUID, BalanceRow]:
    """Lock the balance rows of these accounts in (account, shard) order: one row each, the
    given shard or, for a sharded account, one picked at random."""
    return _balance_rows(session, account_ids, shards, lock=True)


def read_rows(session: Session, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BalanceRow]:
    """The balance rows ``lock_rows`` would pick, read without locking."""
    return _balance_rows(session, account_ids, None, lock=False)


def _balance_rows(
    session: Session,
    account_ids: Iterable[uuid.UUID],
    shards: dict[uuid.UUID, int] | None,
    *,
    lock: bool,
) -> dict[uuid.UUID, BalanceRow]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    suffix = " ORDER BY b.account_id, b.shard FOR UPDATE OF b" if lock else ""
    if shards is None:
        rows = session_connection(session).exec_driver_sql(
            _BY_ACCOUNT + suffix, {"ids": plain_array(ids), "r": random.randrange(1 << 20)}
        )
    else:
        rows = session_connection(session).exec_driver_sql(
            _BY_SHARD + suffix,
            {"ids": plain_array(ids), "shards": plain_array(shards[i] for i in ids)},
        )
    return {r[0]: BalanceRow(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows}


def usable_row(row: BalanceRow | None, currency: str | None = None) -> BalanceRow:
    if row is None:
        raise E.AccountNotFound("No such account.")
    if row.status == "frozen":
        raise E.AccountFrozen("The account is frozen: nothing moves in or out.")
    if row.status == "closed":
        raise E.AccountClosed("The account is closed.")
    if currency is not None and row.currency != currency:
        raise E.CurrencyMismatch(f"The account holds {row.currency}, not {currency}.")
    return row


UPDATE_BALANCES = (
    "UPDATE ledger_balances b SET posted = b.posted + v.d, pending_out = b.pending_out + v.po,"
    " pending_in = b.pending_in + v.pi"
    " FROM unnest(%(b_acc)s::uuid[], %(b_shard)s::smallint[], %(b_d)s::bigint[],"
    " %(b_po)s::bigint[], %(b_pi)s::bigint[]) AS v(a, s, d, po, pi)"
    " WHERE b.account_id = v.a AND b.shard = v.s"
)


def balance_update_params(rows: dict[uuid.UUID, BalanceRow]) -> dict[str, Any]:
    changed = [
        (a, r)
        for a, r in sorted(rows.items(), key=lambda kv: kv[0])
        if r.d_posted or r.d_out or r.d_in
    ]
    return {
        "b_acc": plain_array(a for a, _ in changed),
        "b_shard": plain_array(r.shard for _, r in changed),
        "b_d": plain_array(r.d_posted for _, r in changed),
        "b_po": plain_array(r.d_out for _, r in changed),
        "b_pi": plain_array(r.d_in for _, r in changed),
    }
