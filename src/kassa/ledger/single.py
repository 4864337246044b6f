"""Posting one entry by the server-side functions: ``post_entry`` (``ledger_post_entry``, in
the caller's unit of work) and ``post_entry_now`` (a transaction of its own, group-committed
with concurrent callers by ``ledger_post_group``); with the parameters and answers of those
functions, which the HTTP fast path (``kassa.ledger.fastpath``) shares."""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from kassa.kit.db import autocommit_cursor
from kassa.kit.groupcommit import GroupCommit
from kassa.kit.ids import uuid7
from kassa.kit.pgarray import plain_array, text_array, time_array
from kassa.ledger import errors as E
from kassa.ledger.balance_rows import session_connection
from kassa.ledger.specs import EntrySpec, PostResult, spec_hash, validate

_log = logging.getLogger(__name__)


_POST_ONE = (
    "SELECT status, ref, info FROM ledger_post_entry(%s::text, %s::text, %s::uuid, %s::text,"
    " %s::text, %s::jsonb, %s::uuid, %s::uuid, %s::timestamptz, %s::uuid[], %s::text[],"
    " %s::bigint[], %s::integer)"
)


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
        None if spec.key is None else spec_hash(spec),
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
    code, ref, info = session_connection(session).exec_driver_sql(_POST_ONE, params).one()
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
