"""HTTP routes of the ledger itself, for bank staff: bank accounts, single and batch
transfers, holds, reversals, verification."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Response, status
from pydantic import Field, StrictInt

from kassa.audit.service import record
from kassa.identity.deps import require
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES, Forbidden, ProblemError
from kassa.kit.schemas import Input, Output
from kassa.ledger import errors as E
from kassa.ledger import service as L
from kassa.ledger.models import LedgerAccount

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"], responses=PROBLEM_RESPONSES)


# Who may move money on the ledger: staff with approve rights on the accounts section. The
# HTTP fast path (kassa.ledger.fastpath) asks the same with ``may_post``.
STAFF_SECTION, STAFF_LEVEL = Section.ACCOUNTS, Level.APPROVE


def may_post(principal: Principal) -> bool:
    return principal.is_staff and principal.can(STAFF_SECTION, STAFF_LEVEL)


async def _staff_approver(
    principal: Annotated[Principal, Depends(require(STAFF_SECTION, STAFF_LEVEL))],
) -> Principal:
    # async: a check without I/O need not cost a thread-pool hop.
    if not principal.is_staff:
        raise Forbidden("The ledger is for bank staff.", code="staff_only")
    return principal


Staff = Annotated[Principal, Depends(_staff_approver)]
Reader = Annotated[Principal, Depends(require(Section.ACCOUNTS, Level.READ))]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def idempotency_key_of(key: str | None, principal: Principal) -> str:
    """The ledger key of a staff call: the caller's Idempotency-Key, scoped to the caller."""
    if not key or not key.strip() or len(key) > 200:
        raise ProblemError(
            "Money-moving calls need an Idempotency-Key header (1-200 chars).",
            status=400,
            code="idempotency_key_missing",
            title="Idempotency-Key missing",
        )
    return f"staff:{principal.user_id}:{key.strip()}"


class LedgerAccountOut(Output):
    id: uuid.UUID
    code: str
    name: str
    type: str
    currency: str
    limited: bool
    overdraft_limit: int
    shards: int
    status: str
    posted_minor: int = 0
    pending_out_minor: int = 0
    pending_in_minor: int = 0


class TransferIn(Input):
    debit_account_id: uuid.UUID
    credit_account_id: uuid.UUID
    amount_minor: StrictInt
    currency: str = Field(max_length=8)
    description: str = Field("", max_length=500)


class BatchItemIn(TransferIn):
    key: str = Field(min_length=1, max_length=150, description="This item's idempotency key.")


class BatchIn(Input):
    mode: Literal["per_item", "atomic"] = Field(
        "per_item", description="per_item: each transfer stands alone; atomic: all or nothing."
    )
    transfers: list[BatchItemIn] = Field(min_length=1, max_length=L.MAX_BATCH)


class ResultOut(Output):
    index: int
    status: Literal["posted", "replayed", "refused"]
    entry_id: uuid.UUID | None = None
    code: str | None = None
    detail: str | None = None


class EntryOut(Output):
    entry_id: uuid.UUID
    replayed: bool = False


class HoldIn(TransferIn):
    expires_at: datetime | None = None


class HoldOut(Output):
    id: uuid.UUID
    status: str
    amount_minor: int
    posted_amount_minor: int | None
    currency: str
    expires_at: datetime | None
    entry_id: uuid.UUID | None
    replayed: bool = False


class HoldPostIn(Input):
    amount_minor: StrictInt | None = Field(None, description="Default: the full hold.")


class ReverseIn(Input):
    description: str | None = Field(None, max_length=500)


class VerifyOut(Output):
    ok: bool
    accounts: int
    entries: int
    postings: int
    problems: list[str]


TRANSFER_AUDIT = "ledger.transfer"


def transfer_audit(entry_id: uuid.UUID, body: TransferIn) -> dict[str, Any]:
    """The audit fields of a posted transfer, on the route and on the fast path alike."""
    return {
        "target_type": "ledger_entry",
        "target_id": entry_id,
        "details": body.model_dump(mode="json"),
    }


def transfer_spec(body: TransferIn, key: str | None) -> L.EntrySpec:
    money = L.to_money(body.amount_minor, body.currency)
    return L.transfer(
        body.debit_account_id, body.credit_account_id, money, key=key, description=body.description
    )


@router.get(
    "/accounts",
    response_model=list[LedgerAccountOut],
    summary="The bank's own ledger accounts with balances (staff)",
)
def bank_accounts(principal: Staff, session: DbSession) -> list[LedgerAccountOut]:
    rows = session.execute(
        sa.select(LedgerAccount)
        .where(LedgerAccount.code.like("bank.%"))
        .order_by(LedgerAccount.code)
    ).scalars()
    out = []
    for account in rows:
        item = LedgerAccountOut.model_validate(account)
        b = L.get_balance(session, account.id)
        item.posted_minor, item.pending_out_minor, item.pending_in_minor = (
            b.posted,
            b.pending_out,
            b.pending_in,
        )
        out.append(item)
    return out


@router.post(
    "/transfers",
    response_model=EntryOut,
    status_code=status.HTTP_201_CREATED,
    summary="Post one transfer between any two ledger accounts (staff)",
)
def post_transfer(
    body: TransferIn, principal: Staff, session: DbSession, idempotency_key: IdemKey = None
) -> EntryOut:
    result = L.post_entry(
        session, transfer_spec(body, idempotency_key_of(idempotency_key, principal))
    )
    assert result.entry_id is not None
    if not result.replayed:
        record(session, TRANSFER_AUDIT, principal.actor, **transfer_audit(result.entry_id, body))
    return EntryOut(entry_id=result.entry_id, replayed=result.replayed)


@router.post(
    "/transfers/batch",
    response_model=list[ResultOut],
    summary="Post up to 1,000 transfers in one request; a result per transfer (staff)",
)
def post_batch(
    body: BatchIn, principal: Staff, session: DbSession, idempotency_key: IdemKey = None
) -> list[ResultOut]:
    idempotency_key_of(idempotency_key, principal)
    specs: list[L.EntrySpec] = []
    early: dict[int, E.LedgerError] = {}
    for i, item in enumerate(body.transfers):
        try:
            specs.append(transfer_spec(item, f"staff:{principal.user_id}:{item.key}"))
        except E.LedgerError as exc:
            if body.mode == "atomic":
                raise
            early[i] = exc
    results = iter(L.post_entries(session, specs, atomic=body.mode == "atomic"))
    out: list[ResultOut] = []
    for i in range(len(body.transfers)):
        if i in early:
            out.append(
                ResultOut(index=i, status="refused", code=early[i].code, detail=early[i].detail)
            )
            continue
        r = next(results)
        if r.error is not None:
            out.append(
                ResultOut(index=i, status="refused", code=r.error.code, detail=r.error.detail)
            )
        else:
            out.append(
                ResultOut(
                    index=i, status="replayed" if r.replayed else "posted", entry_id=r.entry_id
                )
            )
    record(
        session,
        "ledger.batch",
        principal.actor,
        target_type="ledger_batch",
        target_id=idempotency_key,
        details={
            "mode": body.mode,
            "items": len(out),
            "posted": sum(1 for o in out if o.status == "posted"),
        },
    )
    return out


def _hold_out(session: DbSession, hold_id: uuid.UUID, replayed: bool = False) -> HoldOut:
    from kassa.ledger.models import Hold

    hold = session.get(Hold, hold_id)
    if hold is None:
        raise E.HoldNotFound("No such hold.")
    return HoldOut(
        id=hold.id,
        status=hold.status,
        amount_minor=hold.amount,
        posted_amount_minor=hold.posted_amount,
        currency=hold.currency,
        expires_at=hold.expires_at,
        entry_id=hold.entry_id,
        replayed=replayed,
    )


@router.post(
    "/holds",
    response_model=HoldOut,
    status_code=status.HTTP_201_CREATED,
    summary="Reserve funds (two-phase transfer, pending) (staff)",
)
def create_hold(
    body: HoldIn, principal: Staff, session: DbSession, idempotency_key: IdemKey = None
) -> HoldOut:
    money = L.to_money(body.amount_minor, body.currency)
    result = L.create_hold(
        session,
        body.debit_account_id,
        body.credit_account_id,
        money,
        key=idempotency_key_of(idempotency_key, principal),
        description=body.description,
        expires_at=body.expires_at,
    )
    if not result.replayed:
        record(
            session,
            "ledger.hold",
            principal.actor,
            target_type="ledger_hold",
            target_id=result.hold_id,
            details=body.model_dump(mode="json"),
        )
    return _hold_out(session, result.hold_id, result.replayed)


@router.post(
    "/holds/{hold_id}/post",
    response_model=HoldOut,
    summary="Post a pending hold in full or in part (staff)",
)
def post_hold(
    hold_id: uuid.UUID, body: HoldPostIn, principal: Staff, session: DbSession
) -> HoldOut:
    from kassa.ledger.models import Hold

    hold = session.get(Hold, hold_id)
    if hold is None:
        raise E.HoldNotFound("No such hold.")
    amount = None if body.amount_minor is None else L.to_money(body.amount_minor, hold.currency)
    result = L.post_hold(session, hold_id, amount)
    if not result.replayed:
        record(
            session,
            "ledger.hold_posted",
            principal.actor,
            target_type="ledger_hold",
            target_id=hold_id,
            details={"amount": body.amount_minor},
        )
    return _hold_out(session, hold_id, result.replayed)


@router.post(
    "/holds/{hold_id}/void", response_model=HoldOut, summary="Release a pending hold (staff)"
)
def void_hold(hold_id: uuid.UUID, principal: Staff, session: DbSession) -> HoldOut:
    L.void_hold(session, hold_id)
    record(
        session, "ledger.hold_voided", principal.actor, target_type="ledger_hold", target_id=hold_id
    )
    return _hold_out(session, hold_id)


@router.post(
    "/entries/{entry_id}/reverse",
    response_model=EntryOut,
    status_code=status.HTTP_201_CREATED,
    summary="Correct an entry with a linked reversal entry (staff)",
)
def reverse(
    entry_id: uuid.UUID,
    body: ReverseIn,
    principal: Staff,
    session: DbSession,
    response: Response,
    idempotency_key: IdemKey = None,
) -> EntryOut:
    result = L.reverse_entry(
        session,
        entry_id,
        key=idempotency_key_of(idempotency_key, principal),
        description=body.description,
    )
    assert result.entry_id is not None
    if result.replayed:
        response.status_code = status.HTTP_200_OK
    else:
        record(
            session,
            "ledger.reversal",
            principal.actor,
            target_type="ledger_entry",
            target_id=entry_id,
            details={"reversal_id": str(result.entry_id)},
        )
    return EntryOut(entry_id=result.entry_id, replayed=result.replayed)


@router.get(
    "/verify",
    response_model=VerifyOut,
    summary="Recompute balances from postings and check every entry (staff)",
)
def verify(principal: Staff, session: DbSession) -> VerifyOut:
    report = L.verify(session)
    return VerifyOut(
        ok=report.ok,
        accounts=report.accounts,
        entries=report.entries,
        postings=report.postings,
        problems=report.problems[:200],
    )
