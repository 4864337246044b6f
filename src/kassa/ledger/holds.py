"""Two-phase transfers: a hold reserves an amount on the debit account, then is posted (in
full or in part), voided, or expires."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.kit.clock import utcnow
from kassa.kit.ids import uuid7
from kassa.kit.money import Money
from kassa.ledger import errors as E
from kassa.ledger.balance_rows import (
    UPDATE_BALANCES,
    BalanceRow,
    balance_update_params,
    lock_rows,
    session_connection,
    usable_row,
)
from kassa.ledger.engine import apply_entry, claim_keys, free_keys, write_entries
from kassa.ledger.models import Hold
from kassa.ledger.specs import EntrySpec, Leg, PostResult, request_hash


@dataclass(slots=True)
class HoldResult:
    hold_id: uuid.UUID
    replayed: bool = False


def _hold_effects(
    rows: dict[uuid.UUID, BalanceRow], debit: uuid.UUID, credit: uuid.UUID, amount: int
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
        _claimed, earlier = claim_keys(session, [(key, h, "hold", hold_id)])
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
            free_keys(session, [key])
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
    rows = lock_rows(session, [debit_account_id, credit_account_id])
    for account_id in (debit_account_id, credit_account_id):
        usable_row(rows.get(account_id), amount.currency)
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
    session_connection(session).exec_driver_sql(UPDATE_BALANCES, balance_update_params(rows))
    return HoldResult(hold_id)


def _locked_hold(session: Session, hold_id: uuid.UUID) -> Hold:
    hold = session.execute(
        sa.select(Hold).where(Hold.id == hold_id).with_for_update()
    ).scalar_one_or_none()
    if hold is None:
        raise E.HoldNotFound("No such hold.")
    return hold


def _release(rows: dict[uuid.UUID, BalanceRow], hold: Hold) -> None:
    for account_id, effect in _hold_effects(
        rows, hold.debit_account_id, hold.credit_account_id, hold.amount
    ):
        if effect < 0:
            rows[account_id].d_out -= -effect
        else:
            rows[account_id].d_in -= effect


def _hold_rows(session: Session, hold: Hold) -> dict[uuid.UUID, BalanceRow]:
    return lock_rows(
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
        usable_row(rows.get(account_id), hold.currency)
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
    apply_entry(spec, rows)
    entry_id = uuid7()
    write_entries(session, [(entry_id, spec)], rows)
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
    session_connection(session).exec_driver_sql(UPDATE_BALANCES, balance_update_params(rows))
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
