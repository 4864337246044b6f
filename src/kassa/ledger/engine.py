"""The batch posting engine: ``post_entries`` posts a batch of entries from Python, in the
caller's transaction. The batch steps:

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
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from kassa.kit.ids import uuid7
from kassa.kit.money import MAX_MINOR, MIN_MINOR
from kassa.kit.pgarray import plain_array, text_array, time_array
from kassa.ledger import errors as E
from kassa.ledger.balance_rows import (
    UPDATE_BALANCES,
    BalanceRow,
    balance_update_params,
    lock_rows,
    read_rows,
    session_connection,
    usable_row,
)
from kassa.ledger.specs import MAX_BATCH, EntrySpec, PostResult, spec_hash, validate

_CLAIM = (
    "INSERT INTO ledger_idempotency (key, request_hash, kind, ref_id)"
    " SELECT * FROM unnest(%(keys)s::text[], %(hashes)s::text[], %(kinds)s::text[],"
    " %(refs)s::uuid[]) ON CONFLICT (key) DO NOTHING RETURNING key"
)


def claim_keys(
    session: Session, claims: list[tuple[str, str, str, uuid.UUID]]
) -> tuple[set[str], dict[str, tuple[str, uuid.UUID]]]:
    """Claim keys (sorted: a global lock order); returns claimed keys and the earlier ones."""
    if not claims:
        return set(), {}
    claims = sorted(claims)
    claimed = set(
        session_connection(session)
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
        for key, h, ref in session_connection(session).exec_driver_sql(
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


# How each column of ``_WRITE`` is passed: as an array literal (``kassa.kit.pgarray``), not
# a list for psycopg to adapt element by element (for a batch of 1,000, 6,000 elements).
_LITERALS: dict[str, Callable[[list[Any]], str]] = {
    **dict.fromkeys(("e_id", "e_rev", "e_hold", "p_entry", "p_acc", "p_amt"), plain_array),
    **dict.fromkeys(("e_kind", "e_desc", "e_meta", "p_cur"), text_array),
    **dict.fromkeys(("e_at", "p_at"), time_array),
}


def write_entries(
    session: Session, specs: list[tuple[uuid.UUID, EntrySpec]], rows: dict[uuid.UUID, BalanceRow]
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
    session_connection(session).exec_driver_sql(_WRITE, {**bound, **balance_update_params(rows)})


def apply_entry(spec: EntrySpec, rows: dict[uuid.UUID, BalanceRow]) -> None:
    """Check one entry against the locked balances and apply it in memory (or raise)."""
    changes: dict[uuid.UUID, int] = {}
    for leg in spec.legs:
        row = usable_row(rows.get(leg.account_id), leg.currency)
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
        hashes[i] = spec_hash(spec)
        if spec.key in first_with_key:
            repeats[i] = first_with_key[spec.key]
            continue
        first_with_key[spec.key] = i
        claims.append((spec.key, hashes[i], "entry", entry_ids[i]))
    claimed, earlier = claim_keys(session, claims)
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
        free_keys(session, list(claimed))
        raise


def free_keys(session: Session, keys: list[str]) -> None:
    if keys:
        session_connection(session).exec_driver_sql(
            "DELETE FROM ledger_idempotency WHERE key = ANY(%(k)s::text[])", {"k": keys}
        )


# Refusals that depend on balance rows, which may change until they are locked.
_BALANCE_DEPENDENT = (E.InsufficientFunds, E.AmountTooLarge, E.AccountFrozen, E.AccountClosed)


def _evaluate(
    specs: Sequence[EntrySpec],
    todo: list[int],
    rows: dict[uuid.UUID, BalanceRow],
    entry_ids: list[uuid.UUID],
) -> dict[int, PostResult]:
    """Apply the entries in order to ``rows`` (in memory): a result per entry, never raises."""
    out: dict[int, PostResult] = {}
    for i in todo:
        try:
            apply_entry(specs[i], rows)
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
    snapshot: dict[uuid.UUID, BalanceRow],
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
            write_entries(session, fresh, {})
            locked = lock_rows(session, snapshot, shards)
            for account_id, was in snapshot.items():
                now = locked.get(account_id)
                if now is None or not _still_fits(was, now):
                    raise _BalancesMoved
                now.d_posted = was.d_posted
            session_connection(session).exec_driver_sql(
                UPDATE_BALANCES, balance_update_params(locked)
            )
    except _BalancesMoved:
        return False
    return True


def _still_fits(was: BalanceRow, now: BalanceRow) -> bool:
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
    snapshot = read_rows(session, accounts)
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
        rows = lock_rows(session, snapshot, shards)
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
        write_entries(session, fresh, rows)
    # A refused request does not use up its key.
    free_keys(session, [k for k in claimed if not final[first_with_key[k]].ok])
    return final
