"""The ledger: the only code that writes postings.

Every money movement is a journal entry of two or more postings that balance per currency.
Three paths post, with the same checks, refusals and lock order: ``post_entries`` (a batch,
from Python, steps below), ``post_entry`` (one entry in the caller's unit of work, by the
server-side function ``ledger_post_entry``) and ``post_entry_now`` (one entry in a
transaction of its own, group-committed with concurrent callers by ``ledger_post_group``).
The batch steps:

1. Static checks (amounts, currencies, balance per currency) per entry.
2. Idempotency keys are claimed, sorted, with ``INSERT ... ON CONFLICT DO NOTHING`` in this
   transaction; a key already there answers with the original entry (same request) or a
   409 (another request).
3. The balance rows the batch touches are locked in one statement, ordered by
   (account, shard): every transaction takes its row locks in the same global order, so
   postings never deadlock. A limited account (customer money) has one balance row; an
   unlimited bank-side account (settlement, fee income...) has N shard rows and a transaction
   locks just one of them, chosen at random, so a hot account does not serialise the system.
4. Entries are applied in order against the locked balances (no overdraft beyond the limit),
   then all entries, postings and balance changes are written in one statement.

Lock order across the platform: idempotency keys (sorted) < holds (sorted) < balance rows
(sorted by account, shard) < the audit chain (taken at commit).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.kit.clock import utcnow
from kassa.kit.db import autocommit_cursor
from kassa.kit.groupcommit import GroupCommit
from kassa.kit.ids import uuid7
from kassa.kit.money import CURRENCIES, MAX_MINOR, MIN_MINOR, Money
from kassa.kit.pgarray import plain_array, text_array, time_array
from kassa.ledger import errors as E
from kassa.ledger.models import Hold, IdempotencyKey, JournalEntry, LedgerAccount, normal_sign

_log = logging.getLogger(__name__)

MAX_BATCH = 1000
DEFAULT_BANK_SHARDS = 16


# --------------------------------------------------------------------------- specs & results
@dataclass(frozen=True, slots=True)
class Leg:
    """One posting: ``amount`` in minor units, debit positive, credit negative."""

    account_id: uuid.UUID
    amount: int
    currency: str


@dataclass(slots=True)
class EntrySpec:
    legs: Sequence[Leg]
    description: str = ""
    kind: str = "entry"
    key: str | None = None
    meta: dict[str, Any] | None = None
    booked_at: datetime | None = None
    reverses_id: uuid.UUID | None = None
    hold_id: uuid.UUID | None = None


@dataclass(slots=True)
class PostResult:
    entry_id: uuid.UUID | None
    replayed: bool = False
    error: E.LedgerError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def transfer(
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount: Money,
    *,
    key: str | None = None,
    description: str = "",
    meta: dict[str, Any] | None = None,
    booked_at: datetime | None = None,
) -> EntrySpec:
    """A two-posting entry: debit one account, credit the other."""
    if not isinstance(amount, Money):
        raise E.AmountNotInteger("Transfers take Money (integer minor units and a currency).")
    return EntrySpec(
        legs=(
            Leg(debit_account_id, amount.amount, amount.currency),
            Leg(credit_account_id, -amount.amount, amount.currency),
        ),
        description=description,
        kind="transfer",
        key=key,
        meta=meta,
        booked_at=booked_at,
    )


def to_money(amount: object, currency: object) -> Money:
    """Check an amount from the outside world; each kind of bad input has its own error."""
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise E.UnknownCurrency(f"{currency!r} is not an ISO 4217 currency Kassa serves.")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise E.AmountNotInteger("Amounts are integers of minor units (cents), never floats.")
    # The sign first: a negative amount is refused as such however large it is (-2**63
    # would otherwise be "too large", though it is a 64-bit integer).
    if amount <= 0:
        raise E.AmountNotPositive("The amount must be greater than zero.")
    if amount > MAX_MINOR:
        raise E.AmountTooLarge("The amount does not fit in a signed 64-bit integer.")
    return Money(amount, currency)


# --------------------------------------------------------------------------- accounts
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


# --------------------------------------------------------------------------- posting engine
@dataclass(slots=True)
class _Row:
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


def _lock(
    session: Session, account_ids: Iterable[uuid.UUID], shards: dict[uuid.UUID, int] | None = None
) -> dict[uuid.UUID, _Row]:
    """Lock the balance rows of these accounts in (account, shard) order: one row each, the
    given shard or, for a sharded account, one picked at random."""
    return _balance_rows(session, account_ids, shards, lock=True)


def _read(session: Session, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, _Row]:
    """The balance rows ``_lock`` would pick, read without locking."""
    return _balance_rows(session, account_ids, None, lock=False)


def _balance_rows(
    session: Session,
    account_ids: Iterable[uuid.UUID],
    shards: dict[uuid.UUID, int] | None,
    *,
    lock: bool,
) -> dict[uuid.UUID, _Row]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    suffix = " ORDER BY b.account_id, b.shard FOR UPDATE OF b" if lock else ""
    if shards is None:
        rows = _driver(session).exec_driver_sql(
            _BY_ACCOUNT + suffix, {"ids": plain_array(ids), "r": random.randrange(1 << 20)}
        )
    else:
        rows = _driver(session).exec_driver_sql(
            _BY_SHARD + suffix,
            {"ids": plain_array(ids), "shards": plain_array(shards[i] for i in ids)},
        )
    return {r[0]: _Row(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows}


def _usable(row: _Row | None, currency: str | None = None) -> _Row:
    if row is None:
        raise E.AccountNotFound("No such account.")
    if row.status == "frozen":
        raise E.AccountFrozen("The account is frozen: nothing moves in or out.")
    if row.status == "closed":
        raise E.AccountClosed("The account is closed.")
    if currency is not None and row.currency != currency:
        raise E.CurrencyMismatch(f"The account holds {row.currency}, not {currency}.")
    return row


def validate(spec: EntrySpec) -> None:
    """Refuse an entry that no balance could make valid (LedgerError): its shape, amounts and
    currencies. Every posting path calls it before it touches the database."""
    if len(spec.legs) < 2:
        raise E.Unbalanced("A journal entry needs two or more postings.")
    totals: dict[str, int] = {}
    seen: set[uuid.UUID] = set()
    for leg in spec.legs:
        if leg.currency not in CURRENCIES:
            raise E.UnknownCurrency(f"{leg.currency!r} is not an ISO 4217 currency Kassa serves.")
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int):
            raise E.AmountNotInteger("Amounts are integers of minor units, never floats.")
        if not MIN_MINOR <= leg.amount <= MAX_MINOR:
            raise E.AmountTooLarge("The amount does not fit in a signed 64-bit integer.")
        if leg.amount == 0:
            raise E.AmountNotPositive("A posting moves a non-zero amount.")
        totals[leg.currency] = totals.get(leg.currency, 0) + leg.amount
        seen.add(leg.account_id)
    if any(totals.values()):
        raise E.Unbalanced(
            "Debits and credits differ in " + ", ".join(c for c, t in totals.items() if t)
        )
    if len(seen) == 1:
        raise E.SameAccount("An entry must move money between different accounts.")


def request_hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _spec_hash(spec: EntrySpec) -> str:
    return request_hash(
        {
            "kind": spec.kind,
            "legs": [[str(g.account_id), g.amount, g.currency] for g in spec.legs],
            "description": spec.description,
            "meta": spec.meta,
            "reverses": spec.reverses_id,
            "hold": spec.hold_id,
        }
    )


_CLAIM = (
    "INSERT INTO ledger_idempotency (key, request_hash, kind, ref_id)"
    " SELECT * FROM unnest(%(keys)s::text[], %(hashes)s::text[], %(kinds)s::text[],"
    " %(refs)s::uuid[]) ON CONFLICT (key) DO NOTHING RETURNING key"
)


def _claim(
    session: Session, claims: list[tuple[str, str, str, uuid.UUID]]
) -> tuple[set[str], dict[str, tuple[str, uuid.UUID]]]:
    """Claim keys (sorted: a global lock order); returns claimed keys and the earlier ones."""
    if not claims:
        return set(), {}
    claims = sorted(claims)
    claimed = set(
        _driver(session)
        .exec_driver_sql(
            _CLAIM,
            {
                "keys": [c[0] for c in claims],
                "hashes": [c[1] for c in claims],
                "kinds": [c[2] for c in claims],
                "refs": [c[3] for c in claims],
            },
        )
        .scalars()
    )
    earlier: dict[str, tuple[str, uuid.UUID]] = {}
    missing = [c[0] for c in claims if c[0] not in claimed]
    if missing:
        for key, h, ref in _driver(session).exec_driver_sql(
            "SELECT key, request_hash, ref_id FROM ledger_idempotency"
            " WHERE key = ANY(%(k)s::text[])",
            {"k": missing},
        ):
            earlier[key] = (h, ref)
    return claimed, earlier


_WRITE = (
    "WITH e AS (INSERT INTO ledger_entries (id, kind, description, meta, reverses_id, hold_id,"
    " booked_at) SELECT id, kind, descr, CAST(meta AS jsonb), rev, hold, coalesce(bat, now())"
    " FROM unnest(%(e_id)s::uuid[], %(e_kind)s::text[], %(e_desc)s::text[], %(e_meta)s::text[],"
    " %(e_rev)s::uuid[], %(e_hold)s::uuid[], %(e_at)s::timestamptz[])"
    " AS t(id, kind, descr, meta, rev, hold, bat)),"
    " p AS (INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)"
    " SELECT eid, aid, cur, amt, coalesce(bat, now())"
    " FROM unnest(%(p_entry)s::uuid[], %(p_acc)s::uuid[], %(p_cur)s::text[],"
    " %(p_amt)s::bigint[], %(p_at)s::timestamptz[]) AS t(eid, aid, cur, amt, bat))"
    " UPDATE ledger_balances b SET posted = b.posted + v.d, pending_out = b.pending_out + v.po,"
    " pending_in = b.pending_in + v.pi"
    " FROM unnest(%(b_acc)s::uuid[], %(b_shard)s::smallint[], %(b_d)s::bigint[],"
    " %(b_po)s::bigint[], %(b_pi)s::bigint[]) AS v(a, s, d, po, pi)"
    " WHERE b.account_id = v.a AND b.shard = v.s"
)

_BALANCES_ONLY = (
    "UPDATE ledger_balances b SET posted = b.posted + v.d, pending_out = b.pending_out + v.po,"
    " pending_in = b.pending_in + v.pi"
    " FROM unnest(%(b_acc)s::uuid[], %(b_shard)s::smallint[], %(b_d)s::bigint[],"
    " %(b_po)s::bigint[], %(b_pi)s::bigint[]) AS v(a, s, d, po, pi)"
    " WHERE b.account_id = v.a AND b.shard = v.s"
)


# How each column of ``_WRITE`` is passed: as an array literal (``kassa.kit.pgarray``), not
# a list for psycopg to adapt element by element (for a batch of 1,000, 6,000 elements).
_LITERALS: dict[str, Callable[[list[Any]], str]] = {
    **dict.fromkeys(("e_id", "e_rev", "e_hold", "p_entry", "p_acc", "p_amt"), plain_array),
    **dict.fromkeys(("e_kind", "e_desc", "e_meta", "p_cur"), text_array),
    **dict.fromkeys(("e_at", "p_at"), time_array),
}


def _balance_params(rows: dict[uuid.UUID, _Row]) -> dict[str, Any]:
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


def _write(
    session: Session, specs: list[tuple[uuid.UUID, EntrySpec]], rows: dict[uuid.UUID, _Row]
) -> None:
    params: dict[str, list[Any]] = {name: [] for name in _LITERALS}
    for entry_id, spec in specs:
        params["e_id"].append(entry_id)
        params["e_kind"].append(spec.kind)
        params["e_desc"].append(spec.description[:500])
        params["e_meta"].append(None if spec.meta is None else json.dumps(spec.meta, default=str))
        params["e_rev"].append(spec.reverses_id)
        params["e_hold"].append(spec.hold_id)
        params["e_at"].append(spec.booked_at)
        for leg in spec.legs:
            params["p_entry"].append(entry_id)
            params["p_acc"].append(leg.account_id)
            params["p_cur"].append(leg.currency)
            params["p_amt"].append(leg.amount)
            params["p_at"].append(spec.booked_at)
    bound = {name: literal(params[name]) for name, literal in _LITERALS.items()}
    _driver(session).exec_driver_sql(_WRITE, {**bound, **_balance_params(rows)})


def _apply(spec: EntrySpec, rows: dict[uuid.UUID, _Row]) -> None:
    """Check one entry against the locked balances and apply it in memory (or raise)."""
    changes: dict[uuid.UUID, int] = {}
    for leg in spec.legs:
        row = _usable(rows.get(leg.account_id), leg.currency)
        changes[leg.account_id] = changes.get(leg.account_id, 0) + row.sign * leg.amount
    for account_id, delta in changes.items():
        row = rows[account_id]
        if delta < 0 and row.floor is not None and row.available() + delta < row.floor:
            raise E.InsufficientFunds(
                "The account does not have enough available funds.", account_id=str(account_id)
            )
    for account_id, delta in changes.items():
        row = rows[account_id]
        if not MIN_MINOR <= row.posted + row.d_posted + delta <= MAX_MINOR:
            raise E.AmountTooLarge("The balance would not fit in 64 bits.")
    for account_id, delta in changes.items():
        row = rows[account_id]
        row.d_posted += delta
        row.low, row.high = min(row.low, row.d_posted), max(row.high, row.d_posted)
        if delta < 0 and (row.low_after_debit is None or row.d_posted < row.low_after_debit):
            row.low_after_debit = row.d_posted


def post_entries(
    session: Session, specs: Sequence[EntrySpec], *, atomic: bool = False
) -> list[PostResult]:
    """Post a batch of entries in this transaction; one result per entry, in order.

    ``atomic=False`` (default): each entry stands alone; refused entries post nothing and
    report their error, the others post. ``atomic=True``: the first refusal raises and nothing
    of the batch is posted.
    """
    if len(specs) > MAX_BATCH:
        raise E.BatchTooLarge(f"A batch carries at most {MAX_BATCH} entries.")
    n = len(specs)
    results: list[PostResult | None] = [None] * n
    entry_ids = [uuid7() for _ in range(n)]

    for i, spec in enumerate(specs):
        try:
            validate(spec)
        except E.LedgerError as exc:
            if atomic:
                raise
            results[i] = PostResult(None, error=exc)

    # Idempotency: claim every key of the batch at once.
    first_with_key: dict[str, int] = {}
    hashes: dict[int, str] = {}
    repeats: dict[int, int] = {}
    claims: list[tuple[str, str, str, uuid.UUID]] = []
    for i, spec in enumerate(specs):
        if results[i] is not None or spec.key is None:
            continue
        hashes[i] = _spec_hash(spec)
        if spec.key in first_with_key:
            repeats[i] = first_with_key[spec.key]
            continue
        first_with_key[spec.key] = i
        claims.append((spec.key, hashes[i], "entry", entry_ids[i]))
    claimed, earlier = _claim(session, claims)
    try:
        return _post_claimed(
            session,
            specs,
            atomic,
            results,
            entry_ids,
            first_with_key,
            hashes,
            repeats,
            claimed,
            earlier,
        )
    except E.LedgerError:
        # Nothing of an atomic batch is written; free its keys too, so a caller that catches
        # the error and commits leaves no claim behind.
        _unclaim(session, list(claimed))
        raise


def _unclaim(session: Session, keys: list[str]) -> None:
    if keys:
        _driver(session).exec_driver_sql(
            "DELETE FROM ledger_idempotency WHERE key = ANY(%(k)s::text[])", {"k": keys}
        )


# Refusals that depend on balance rows, which may change until they are locked.
_BALANCE_DEPENDENT = (E.InsufficientFunds, E.AmountTooLarge, E.AccountFrozen, E.AccountClosed)


def _evaluate(
    specs: Sequence[EntrySpec],
    todo: list[int],
    rows: dict[uuid.UUID, _Row],
    entry_ids: list[uuid.UUID],
) -> dict[int, PostResult]:
    """Apply the entries in order to ``rows`` (in memory): a result per entry, never raises."""
    out: dict[int, PostResult] = {}
    for i in todo:
        try:
            _apply(specs[i], rows)
            out[i] = PostResult(entry_ids[i])
        except E.LedgerError as exc:
            out[i] = PostResult(None, error=exc)
    return out


def _raise_first(results: dict[int, PostResult]) -> None:
    for i in sorted(results):
        error = results[i].error
        if error is not None:
            raise error


class _BalancesMoved(Exception):
    """The locked balances no longer allow what the unlocked read allowed."""


def _post_optimistically(
    session: Session,
    fresh: list[tuple[uuid.UUID, EntrySpec]],
    snapshot: dict[uuid.UUID, _Row],
    shards: dict[uuid.UUID, int],
) -> bool:
    """Write the entries checked against unlocked balances, then lock and re-check.

    Writing a batch's entries and postings is most of its time; done under the balance
    locks it made concurrent batches that share accounts wait for one another. Here the
    balance rows are locked only after the writes, for the re-check and the balance update.
    The re-check is exact: every entry passed against the unlocked read (the caller makes
    sure), and each row's lowest point after a debit and its range are checked against the
    locked values - so every entry passes against those too, in the same order. If not,
    the savepoint undoes the writes and the row locks, and the caller locks and posts as usual.
    """
    if not fresh:
        return False
    try:
        with session.begin_nested():
            _write(session, fresh, {})
            locked = _lock(session, snapshot, shards)
            for account_id, was in snapshot.items():
                now = locked.get(account_id)
                if now is None or not _still_fits(was, now):
                    raise _BalancesMoved
                now.d_posted = was.d_posted
            _driver(session).exec_driver_sql(_BALANCES_ONLY, _balance_params(locked))
    except _BalancesMoved:
        return False
    return True


def _still_fits(was: _Row, now: _Row) -> bool:
    if now.status != "open":
        return False
    if now.posted + was.low < MIN_MINOR or now.posted + was.high > MAX_MINOR:
        return False
    if was.low_after_debit is None or now.floor is None:
        return True
    return now.posted - now.pending_out + was.low_after_debit >= now.floor


def _post_claimed(
    session: Session,
    specs: Sequence[EntrySpec],
    atomic: bool,
    results: list[PostResult | None],
    entry_ids: list[uuid.UUID],
    first_with_key: dict[str, int],
    hashes: dict[int, str],
    repeats: dict[int, int],
    claimed: set[str],
    earlier: dict[str, tuple[str, uuid.UUID]],
) -> list[PostResult]:
    n = len(specs)
    for key, (h, ref) in earlier.items():
        i = first_with_key[key]
        if h == hashes[i]:
            results[i] = PostResult(ref, replayed=True)
        else:
            error = E.IdempotencyKeyReused("This Idempotency-Key was used for another request.")
            if atomic:
                raise error
            results[i] = PostResult(None, error=error)
    for i in repeats:
        results[i] = PostResult(None)  # resolved after the first one

    todo = [i for i in range(n) if results[i] is None]
    accounts = {leg.account_id for i in todo for leg in specs[i].legs}
    snapshot = _read(session, accounts)
    shards = {a: row.shard for a, row in snapshot.items()}
    trial = _evaluate(specs, todo, snapshot, entry_ids)
    if atomic:
        _raise_first(trial)
    written = False
    if not any(isinstance(r.error, _BALANCE_DEPENDENT) for r in trial.values()):
        fresh_trial = [(entry_ids[i], specs[i]) for i in todo if trial[i].ok]
        written = _post_optimistically(session, fresh_trial, snapshot, shards)
    if written:
        results_for_todo = trial
    else:
        rows = _lock(session, snapshot, shards)
        results_for_todo = _evaluate(specs, todo, rows, entry_ids)
        if atomic:
            _raise_first(results_for_todo)
    for i in todo:
        results[i] = results_for_todo[i]

    for i, j in repeats.items():
        first = results[j]
        assert first is not None
        if hashes[i] != hashes[j]:
            results[i] = PostResult(
                None,
                error=E.IdempotencyKeyReused("This Idempotency-Key was used for another request."),
            )
        else:
            results[i] = PostResult(first.entry_id, replayed=first.ok, error=first.error)

    final = [r for r in results if r is not None]
    fresh = [(entry_ids[i], specs[i]) for i in todo if final[i].ok]
    if fresh and not written:
        _write(session, fresh, rows)
    # A refused request does not use up its key.
    _unclaim(session, [k for k in claimed if not final[first_with_key[k]].ok])
    return final


_POST_ONE = (
    "SELECT status, ref, info FROM ledger_post_entry(%s::text, %s::text, %s::uuid, %s::text,"
    " %s::text, %s::jsonb, %s::uuid, %s::uuid, %s::timestamptz, %s::uuid[], %s::text[],"
    " %s::bigint[], %s::integer)"
)


def _driver(session: Session) -> sa.Connection:
    """This session's connection, for ``exec_driver_sql`` on the hot path: psycopg adapts the
    parameters (no SQLAlchemy type layer), SQLAlchemy still wraps errors. Pending ORM changes
    are flushed first, as autoflush would."""
    session.flush()
    return session.connection()


def _refusal(code: str, info: str | None) -> E.LedgerError:
    if code == "idempotency_key_reused":
        return E.IdempotencyKeyReused("This Idempotency-Key was used for another request.")
    if code == "account_not_found":
        return E.AccountNotFound("No such account.")
    if code == "account_frozen":
        return E.AccountFrozen("The account is frozen: nothing moves in or out.")
    if code == "account_closed":
        return E.AccountClosed("The account is closed.")
    if code == "currency_mismatch" and info is not None:
        held, wanted = info.split("/")
        return E.CurrencyMismatch(f"The account holds {held}, not {wanted}.")
    if code == "insufficient_funds":
        return E.InsufficientFunds(
            "The account does not have enough available funds.", account_id=info
        )
    if code == "amount_too_large":
        return E.AmountTooLarge("The balance would not fit in 64 bits.")
    raise AssertionError(f"ledger_post_entry answered {code!r}")  # pragma: no cover


def _entry_columns(spec: EntrySpec) -> tuple[str | None, str | None, str, str, str | None]:
    """What ``ledger_post_entry`` and ``ledger_post_group`` store of an entry besides its
    legs: key, request hash, kind, description (cut to its column), meta as JSON."""
    return (
        spec.key,
        None if spec.key is None else _spec_hash(spec),
        spec.kind,
        spec.description[:500],
        None if spec.meta is None else json.dumps(spec.meta, default=str),
    )


def _post_one_params(spec: EntrySpec) -> tuple[Any, ...]:
    """The parameters of ``_POST_ONE`` for a validated entry."""
    key, hash_, kind, description, meta = _entry_columns(spec)
    legs = spec.legs
    return (
        key,
        hash_,
        uuid7(),
        kind,
        description,
        meta,
        spec.reverses_id,
        spec.hold_id,
        spec.booked_at,
        # Array literals: cheaper than psycopg's list adaptation (``kassa.kit.pgarray``).
        plain_array(g.account_id for g in legs),
        text_array(g.currency for g in legs),
        plain_array(g.amount for g in legs),
        random.randrange(1 << 20),  # picks the shard of a hot account
    )


def post_entry(session: Session, spec: EntrySpec) -> PostResult:
    """Post one entry in this unit of work, or raise its LedgerError (nothing posted).

    The same steps as ``post_entries`` for a batch of one, run by the server-side function
    ``ledger_post_entry`` (migrations 0004, 0005) in one round trip: claim the key, lock the
    balance rows in (account, shard) order, check, write entry, postings and balance deltas.
    """
    validate(spec)
    params = _post_one_params(spec)
    code, ref, info = _driver(session).exec_driver_sql(_POST_ONE, params).one()
    return _post_one_result(code, ref, info)


def post_entry_now(spec: EntrySpec) -> PostResult:
    """Post one entry in a transaction of its own, or raise its LedgerError (nothing posted).

    For a caller with nothing else to write atomically with the entry. Concurrent calls from
    threads of this process are group-committed (``kassa.kit.groupcommit``): the entries
    waiting at the same moment are posted by one call of ``ledger_post_group`` (0008), one
    round trip and one commit for the group, each entry still checked and answered on its
    own. This returns after the commit that made the entry durable. A call that finds no
    other waiting is one round trip of ``ledger_post_entry`` alone.

    Never call it while this thread holds an open transaction that locked ledger rows: the
    group would wait for that lock and the caller for the group, and the other entries of
    the group with it. Post inside that transaction with ``post_entry`` instead.
    """
    validate(spec)
    return _GROUP.submit(spec)


def _post_alone(spec: EntrySpec) -> PostResult:
    """``ledger_post_entry`` as its own transaction: the function is the whole transaction,
    one round trip instead of three (BEGIN, the call, COMMIT). A refusal leaves nothing
    behind: the function frees the key it claimed before it returns the refusal."""
    params = _post_one_params(spec)
    with autocommit_cursor() as cursor:
        cursor.execute(_POST_ONE, params)
        row = cursor.fetchone()
    assert row is not None
    code, ref, info = row
    return _post_one_result(code, ref, info)


# ledger_post_group's parameters (``group_params``), as psycopg binds them; also the first
# twelve of ledger_post_group_audited (migrations 0010, 0013; ``kassa.ledger.fastpath``).
GROUP_ARGS = (
    "%s::text[], %s::text[], %s::uuid[], %s::text[], %s::text[], %s::text[],"
    " %s::timestamptz[], %s::integer[], %s::uuid[], %s::text[], %s::bigint[], %s::integer"
)
_POST_GROUP = f"SELECT status, ref, info FROM ledger_post_group({GROUP_ARGS})"


def _groupable(spec: EntrySpec) -> bool:
    # Reversals and hold postings carry links with their own unique indexes; they are rare
    # and go alone.
    return spec.reverses_id is None and spec.hold_id is None


def post_group(specs: Sequence[EntrySpec]) -> list[PostResult | E.LedgerError]:
    """Post independent entries (validated, distinct keys) in one transaction: one outcome
    per entry, in order - its result, or the refusal it would raise alone."""
    outcomes: list[PostResult | E.LedgerError | None] = [None] * len(specs)
    together = [i for i, spec in enumerate(specs) if _groupable(spec)]
    if len(together) > 1:
        grouped = _post_grouped([specs[i] for i in together])
        for i, outcome in zip(together, grouped, strict=True):
            outcomes[i] = outcome
    return [_outcome_alone(specs[i]) if o is None else o for i, o in enumerate(outcomes)]


def _outcome_alone(spec: EntrySpec) -> PostResult | E.LedgerError:
    try:
        return _post_alone(spec)
    except E.LedgerError as exc:
        return exc


def group_params(
    specs: Sequence[EntrySpec], entry_ids: Sequence[uuid.UUID] | None = None
) -> tuple[Any, ...]:
    """The parameters of ``_POST_GROUP`` (``GROUP_ARGS``) for
    validated entries with distinct keys: a column array per entry field, legs flattened.
    ``entry_ids``: the ids the entries get if they post (new ones by default)."""
    keys, hashes, kinds, descriptions, metas = zip(*map(_entry_columns, specs), strict=True)
    legs = [(n, leg) for n, spec in enumerate(specs, start=1) for leg in spec.legs]
    ids = entry_ids if entry_ids is not None else [uuid7() for _ in specs]
    return (
        text_array(keys),
        text_array(hashes),
        plain_array(ids),
        text_array(kinds),
        text_array(descriptions),
        text_array(metas),
        time_array(s.booked_at for s in specs),
        plain_array(n for n, _ in legs),
        plain_array(leg.account_id for _, leg in legs),
        text_array(leg.currency for _, leg in legs),
        plain_array(leg.amount for _, leg in legs),
        random.randrange(1 << 20),  # picks the shard of a hot account, one for the group
    )


def _post_grouped(specs: list[EntrySpec]) -> list[PostResult | E.LedgerError]:
    params = group_params(specs)
    try:
        with autocommit_cursor() as cursor:
            cursor.execute(_POST_GROUP, params)
            rows = cursor.fetchall()
    except psycopg.Error as exc:
        # Nothing was posted (the call is one transaction). A failure no refusal explains -
        # a lost connection, an index one entry collides with - must stay that entry's:
        # post each alone, and each caller gets its own answer.
        _log.warning("a ledger group failed (SQLSTATE %s); posting it entry by entry", exc.sqlstate)
        return [_outcome_alone(spec) for spec in specs]
    return [post_outcome(code, ref, info) for code, ref, info in rows]


_GROUP: GroupCommit[EntrySpec, PostResult] = GroupCommit(
    post_group, max_group=64, max_running=2, min_parallel_group=2, key=lambda spec: spec.key
)


def post_outcome(code: str, ref: uuid.UUID | None, info: str | None) -> PostResult | E.LedgerError:
    """A posting function's answer for one entry: its result, or its refusal."""
    if code == "posted":
        return PostResult(ref)
    if code == "replayed":
        return PostResult(ref, replayed=True)
    return _refusal(code, info)


def _post_one_result(code: str, ref: uuid.UUID | None, info: str | None) -> PostResult:
    outcome = post_outcome(code, ref, info)
    if isinstance(outcome, E.LedgerError):
        raise outcome
    return outcome


# --------------------------------------------------------------------------- reversals
def reverse_entry(
    session: Session, entry_id: uuid.UUID, *, key: str | None = None, description: str | None = None
) -> PostResult:
    """Post the mirror image of an entry, linked to it; an entry is reversed at most once."""
    original = session.execute(
        sa.select(JournalEntry).where(JournalEntry.id == entry_id).with_for_update()
    ).scalar_one_or_none()
    if original is None:
        raise E.EntryNotFound("No such journal entry.")
    spec_key = key
    if spec_key is None or session.get(IdempotencyKey, spec_key) is None:
        done = session.scalar(
            sa.select(JournalEntry.id).where(JournalEntry.reverses_id == entry_id)
        )
        if done is not None:
            raise E.AlreadyReversed("The entry was already reversed.", reversal_id=str(done))
    legs = [
        Leg(a, -amt, cur)
        for a, amt, cur in session.execute(
            sa.text(
                "SELECT account_id, amount, currency FROM ledger_postings WHERE entry_id = :e"
                " ORDER BY id"
            ),
            {"e": entry_id},
        )
    ]
    return post_entry(
        session,
        EntrySpec(
            legs=legs,
            kind="reversal",
            key=spec_key,
            reverses_id=entry_id,
            description=description or f"Reversal: {original.description}"[:500],
            meta={"reverses": str(entry_id)},
        ),
    )


# --------------------------------------------------------------------------- two-phase
@dataclass(slots=True)
class HoldResult:
    hold_id: uuid.UUID
    replayed: bool = False


def _hold_effects(
    rows: dict[uuid.UUID, _Row], debit: uuid.UUID, credit: uuid.UUID, amount: int
) -> list[tuple[uuid.UUID, int]]:
    """Normal-direction effect of a hold's full amount on each of its two accounts."""
    return [(debit, rows[debit].sign * amount), (credit, -rows[credit].sign * amount)]


def create_hold(
    session: Session,
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount: Money,
    *,
    key: str | None = None,
    description: str = "",
    expires_at: datetime | None = None,
) -> HoldResult:
    """Reserve ``amount``: it leaves the debit account's available balance until the hold is
    posted (in full or in part), voided or expires."""
    if not isinstance(amount, Money):
        raise E.AmountNotInteger("Holds take Money.")
    if amount.amount <= 0:
        raise E.AmountNotPositive("The amount must be greater than zero.")
    if debit_account_id == credit_account_id:
        raise E.SameAccount("Debit and credit account are the same.")
    hold_id = uuid7()
    if key is not None:
        h = request_hash(
            {
                "hold": [
                    str(debit_account_id),
                    str(credit_account_id),
                    amount.amount,
                    amount.currency,
                    description,
                    expires_at,
                ]
            }
        )
        _claimed, earlier = _claim(session, [(key, h, "hold", hold_id)])
        if key in earlier:
            if earlier[key][0] != h:
                raise E.IdempotencyKeyReused("This Idempotency-Key was used for another request.")
            return HoldResult(earlier[key][1], replayed=True)
        try:
            return _create_hold(
                session,
                hold_id,
                debit_account_id,
                credit_account_id,
                amount,
                description,
                expires_at,
            )
        except E.LedgerError:
            _unclaim(session, [key])
            raise
    return _create_hold(
        session, hold_id, debit_account_id, credit_account_id, amount, description, expires_at
    )


def _create_hold(
    session: Session,
    hold_id: uuid.UUID,
    debit_account_id: uuid.UUID,
    credit_account_id: uuid.UUID,
    amount: Money,
    description: str,
    expires_at: datetime | None,
) -> HoldResult:
    rows = _lock(session, [debit_account_id, credit_account_id])
    for account_id in (debit_account_id, credit_account_id):
        _usable(rows.get(account_id), amount.currency)
    for account_id, effect in _hold_effects(
        rows, debit_account_id, credit_account_id, amount.amount
    ):
        row = rows[account_id]
        if effect < 0:
            if row.floor is not None and row.available() + effect < row.floor:
                raise E.InsufficientFunds(
                    "The account does not have enough available funds.", account_id=str(account_id)
                )
            row.d_out += -effect
        else:
            row.d_in += effect
    session.add(
        Hold(
            id=hold_id,
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            debit_shard=rows[debit_account_id].shard,
            credit_shard=rows[credit_account_id].shard,
            currency=amount.currency,
            amount=amount.amount,
            status="pending",
            description=description[:500],
            expires_at=expires_at,
        )
    )
    session.flush()
    _driver(session).exec_driver_sql(_BALANCES_ONLY, _balance_params(rows))
    return HoldResult(hold_id)


def _locked_hold(session: Session, hold_id: uuid.UUID) -> Hold:
    hold = session.execute(
        sa.select(Hold).where(Hold.id == hold_id).with_for_update()
    ).scalar_one_or_none()
    if hold is None:
        raise E.HoldNotFound("No such hold.")
    return hold


def _release(rows: dict[uuid.UUID, _Row], hold: Hold) -> None:
    for account_id, effect in _hold_effects(
        rows, hold.debit_account_id, hold.credit_account_id, hold.amount
    ):
        if effect < 0:
            rows[account_id].d_out -= -effect
        else:
            rows[account_id].d_in -= effect


def _hold_rows(session: Session, hold: Hold) -> dict[uuid.UUID, _Row]:
    return _lock(
        session,
        [hold.debit_account_id, hold.credit_account_id],
        {hold.debit_account_id: hold.debit_shard, hold.credit_account_id: hold.credit_shard},
    )


def post_hold(
    session: Session,
    hold_id: uuid.UUID,
    amount: Money | None = None,
    *,
    description: str | None = None,
) -> PostResult:
    """Post a pending hold, in full or in part; the rest of the reservation is released."""
    hold = _locked_hold(session, hold_id)
    posted = hold.amount if amount is None else amount.amount
    if hold.status == "posted" and hold.posted_amount == posted:
        return PostResult(hold.entry_id, replayed=True)  # a retry of the same post
    if hold.status != "pending":
        raise E.HoldNotPending(f"The hold is {hold.status}.")
    if hold.expires_at is not None and hold.expires_at <= utcnow():
        raise E.HoldExpired("The hold has expired; its funds are released by the expiry sweep.")
    if amount is not None and amount.currency != hold.currency:
        raise E.CurrencyMismatch(f"The hold is in {hold.currency}.")
    if posted <= 0:
        raise E.AmountNotPositive("The amount must be greater than zero.")
    if posted > hold.amount:
        raise E.LedgerError(
            "A hold posts at most its own amount.",
            status=422,
            code="amount_exceeds_hold",
            title="Amount exceeds the hold",
        )
    rows = _hold_rows(session, hold)
    for account_id in (hold.debit_account_id, hold.credit_account_id):
        _usable(rows.get(account_id), hold.currency)
    _release(rows, hold)
    spec = EntrySpec(
        legs=(
            Leg(hold.debit_account_id, posted, hold.currency),
            Leg(hold.credit_account_id, -posted, hold.currency),
        ),
        description=description if description is not None else hold.description,
        kind="hold_post",
        hold_id=hold.id,
    )
    _apply(spec, rows)
    entry_id = uuid7()
    _write(session, [(entry_id, spec)], rows)
    hold.status, hold.posted_amount, hold.entry_id = "posted", posted, entry_id
    hold.resolved_at = utcnow()
    session.flush()
    return PostResult(entry_id)


def void_hold(session: Session, hold_id: uuid.UUID, *, status: str = "voided") -> Hold:
    """Release a pending hold without posting (``status='expired'`` for the expiry sweep)."""
    hold = _locked_hold(session, hold_id)
    if hold.status == status:
        return hold  # a retry
    if hold.status != "pending":
        raise E.HoldNotPending(f"The hold is {hold.status}.")
    rows = _hold_rows(session, hold)
    _release(rows, hold)
    _driver(session).exec_driver_sql(_BALANCES_ONLY, _balance_params(rows))
    hold.status, hold.resolved_at = status, utcnow()
    session.flush()
    return hold


def expire_holds(session: Session, *, now: datetime | None = None, limit: int = 500) -> int:
    """Release holds whose time is up (run periodically; safe to run in parallel)."""
    ids = list(
        session.scalars(
            sa.select(Hold.id)
            .where(Hold.status == "pending", Hold.expires_at <= (now or utcnow()))
            .order_by(Hold.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for hold_id in ids:
        void_hold(session, hold_id, status="expired")
    return len(ids)


def expire_all_holds() -> int:
    """Expire every due hold, batch by batch, each batch in its own transaction."""
    from kassa.kit.db import unit_of_work

    total = 0
    while True:
        with unit_of_work() as session:
            done = expire_holds(session)
        total += done
        if done == 0:
            return total


# --------------------------------------------------------------------------- reading
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


# --------------------------------------------------------------------------- verification
@dataclass(slots=True)
class VerifyReport:
    accounts: int = 0
    entries: int = 0
    postings: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> VerifyReport:
    """Recompute every balance from the postings and holds; check every entry balances."""
    report = VerifyReport()
    report.accounts = int(session.scalar(sa.text("SELECT count(*) FROM ledger_accounts")) or 0)
    report.entries = int(session.scalar(sa.text("SELECT count(*) FROM ledger_entries")) or 0)
    report.postings = int(session.scalar(sa.text("SELECT count(*) FROM ledger_postings")) or 0)
    for code, expected, stored in session.execute(
        sa.text(
            "WITH p AS (SELECT account_id, sum(amount) AS s FROM ledger_postings GROUP BY account_id),"
            " b AS (SELECT account_id, sum(posted) AS posted FROM ledger_balances"
            "       GROUP BY account_id)"
            " SELECT a.code, CASE WHEN a.type IN ('asset','expense') THEN 1 ELSE -1 END"
            "        * coalesce(p.s, 0) AS expected, coalesce(b.posted, 0) AS stored"
            " FROM ledger_accounts a LEFT JOIN p ON p.account_id = a.id"
            " LEFT JOIN b ON b.account_id = a.id"
            " WHERE CASE WHEN a.type IN ('asset','expense') THEN 1 ELSE -1 END * coalesce(p.s, 0)"
            "       <> coalesce(b.posted, 0) ORDER BY a.code"
        )
    ):
        report.problems.append(f"account {code}: posted balance {stored}, postings say {expected}")
    for code, exp_out, out, exp_in, in_ in session.execute(
        sa.text(
            "WITH legs AS (SELECT debit_account_id AS acc, amount, 1 AS dir FROM ledger_holds"
            "   WHERE status = 'pending' UNION ALL SELECT credit_account_id, amount, -1"
            "   FROM ledger_holds WHERE status = 'pending'),"
            " eff AS (SELECT l.acc, CASE WHEN a.type IN ('asset','expense') THEN 1 ELSE -1 END"
            "   * l.dir * l.amount AS e FROM legs l JOIN ledger_accounts a ON a.id = l.acc),"
            " x AS (SELECT acc, sum(CASE WHEN e < 0 THEN -e ELSE 0 END) AS po,"
            "   sum(CASE WHEN e > 0 THEN e ELSE 0 END) AS pi FROM eff GROUP BY acc),"
            " b AS (SELECT account_id, sum(pending_out) AS po, sum(pending_in) AS pi"
            "   FROM ledger_balances GROUP BY account_id)"
            " SELECT a.code, coalesce(x.po, 0), coalesce(b.po, 0), coalesce(x.pi, 0), coalesce(b.pi, 0)"
            " FROM ledger_accounts a LEFT JOIN x ON x.acc = a.id LEFT JOIN b ON b.account_id = a.id"
            " WHERE coalesce(x.po, 0) <> coalesce(b.po, 0) OR coalesce(x.pi, 0) <> coalesce(b.pi, 0)"
            " ORDER BY a.code"
        )
    ):
        report.problems.append(
            f"account {code}: pending out/in {out}/{in_}, holds say {exp_out}/{exp_in}"
        )
    for entry_id, currency, total in session.execute(
        sa.text(
            "SELECT entry_id, currency, sum(amount) FROM ledger_postings GROUP BY entry_id, currency"
            " HAVING sum(amount) <> 0 ORDER BY entry_id"
        )
    ):
        report.problems.append(f"entry {entry_id}: {currency} postings sum to {total}, not 0")
    for (entry_id,) in session.execute(
        sa.text(
            "SELECT e.id FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.id"
            " GROUP BY e.id HAVING count(p.id) < 2 ORDER BY e.id"
        )
    ):
        report.problems.append(f"entry {entry_id}: fewer than two postings")
    for currency, total in session.execute(
        sa.text(
            "SELECT currency, sum(amount) FROM ledger_postings GROUP BY currency"
            " HAVING sum(amount) <> 0"
        )
    ):
        report.problems.append(f"currency {currency}: all postings sum to {total}, not 0")
    return report
