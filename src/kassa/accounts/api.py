"""HTTP routes of accounts and transfers: translate requests to service calls and back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import PlainTextResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kassa.accounts import documents
from kassa.accounts import service as svc
from kassa.accounts.models import Account, Transfer
from kassa.accounts.schemas import (
    AccountOpenIn,
    AccountOut,
    BalanceOut,
    ConfirmIn,
    StatementLineOut,
    StatementOut,
    TransactionOut,
    TransactionPage,
    TransferIn,
    TransferOut,
)
from kassa.customers.models import Customer
from kassa.customers.service import customer_ids_for
from kassa.identity.deps import require
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.db import unit_of_work
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES, Forbidden, ProblemError, Unprocessable
from kassa.kit.money import format_minor
from kassa.ledger import service as ledger

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require(Section.ACCOUNTS, Level.READ))]
Writer = Annotated[Principal, Depends(require(Section.ACCOUNTS, Level.WRITE))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Required: a retry with the same key and body returns "
        "the original result; another body with the same key gets 409.",
    ),
]

PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "A PDF document"}
}


def staff_only(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("Only bank staff may do this.", code="staff_only")


def balance_out(b: ledger.Balance) -> BalanceOut:
    return BalanceOut(
        currency=b.currency,
        posted_minor=b.posted,
        pending_out_minor=b.pending_out,
        pending_in_minor=b.pending_in,
        overdraft_limit_minor=b.overdraft_limit,
        available_minor=b.available,
        posted=format_minor(b.posted, b.currency),
        available=format_minor(b.available, b.currency),
    )


def account_out(view: svc.AccountView, *, full: bool) -> AccountOut:
    a = view.account
    return AccountOut(
        id=a.id,
        customer_id=a.customer_id,
        customer_name=view.customer_name,
        number=svc.format_number(a.number) if full else None,
        number_masked=svc.mask_number(a.number),
        product=a.product,  # type: ignore[arg-type]
        currency=a.currency,
        name=a.name,
        status=view.status,  # type: ignore[arg-type]
        opened_at=a.opened_at,
        closed_at=a.closed_at,
        balance=balance_out(view.balance),
    )


# --------------------------------------------------------------------------- accounts
@router.get(
    "/accounts",
    response_model=list[AccountOut],
    summary="Accounts: your own, or (staff) any customer's; numbers masked",
)
def list_accounts(
    principal: Reader, session: DbSession, customer_id: uuid.UUID | None = None
) -> list[AccountOut]:
    return [account_out(v, full=False) for v in svc.list_accounts(session, principal, customer_id)]


@router.post(
    "/accounts",
    response_model=AccountOut,
    status_code=status.HTTP_201_CREATED,
    summary="Open an account (customers: for themselves; staff: for a customer)",
)
def open_account(body: AccountOpenIn, principal: Writer, session: DbSession) -> AccountOut:
    if principal.is_staff:
        if body.customer_id is None:
            raise Unprocessable("Name the customer.", code="customer_required")
        customer_id = body.customer_id
    else:
        if body.overdraft_limit_minor:
            raise Forbidden("Only staff grant overdrafts.", code="staff_only")
        mine = customer_ids_for(session, principal)
        if body.customer_id is not None and body.customer_id not in mine:
            raise ProblemError("No such customer.", status=404, code="customer_not_found")
        if not mine:
            raise Unprocessable("You are not a customer yet.", code="not_a_customer")
        customer_id = body.customer_id or mine[0]
    account = svc.open_account(
        session,
        principal.actor,
        customer_id,
        product=body.product,
        currency=body.currency,
        name=body.name,
        overdraft_limit=body.overdraft_limit_minor,
    )
    return account_out(svc.view_account(session, principal, account.id), full=True)


@router.get(
    "/accounts/{account_id}",
    response_model=AccountOut,
    summary="One account with its full number and balance",
)
def get_account(account_id: uuid.UUID, principal: Reader, session: DbSession) -> AccountOut:
    return account_out(svc.view_account(session, principal, account_id), full=True)


@router.get(
    "/accounts/{account_id}/balance",
    response_model=BalanceOut,
    summary="Posted, pending and available balance; with `at`, the posted balance then",
)
def get_balance(
    account_id: uuid.UUID, principal: Reader, session: DbSession, at: datetime | None = None
) -> BalanceOut:
    svc.visible_account(session, principal, account_id)
    if at is None:
        return balance_out(ledger.get_balance(session, account_id))
    then = ledger.balance_at(session, account_id, at)
    return balance_out(ledger.Balance(account_id, then.currency, then.amount, 0, 0, 0))


def _status_route(action: Literal["freeze", "unfreeze", "close"]) -> None:
    def change(account_id: uuid.UUID, principal: Writer, session: DbSession) -> AccountOut:
        staff_only(principal)
        svc.change_status(session, principal.actor, account_id, action)
        return account_out(svc.view_account(session, principal, account_id), full=True)

    change.__name__ = f"{action}_account"
    router.post(
        f"/accounts/{{account_id}}/{action}",
        response_model=AccountOut,
        summary=f"{action.capitalize()} an account (staff)"
        + (": only at a zero balance" if action == "close" else ""),
    )(change)


for _action in ("freeze", "unfreeze", "close"):
    _status_route(_action)  # type: ignore[arg-type]


def _transaction_out(line: svc.HistoryLine) -> TransactionOut:
    return TransactionOut(
        posting_id=line.posting_id,
        entry_id=line.entry_id,
        booked_at=line.booked_at,
        amount_minor=line.amount,
        amount=format_minor(line.amount, line.currency),
        currency=line.currency,
        description=line.description,
        kind=line.kind,
        counterparty_name=line.counterparty_name,
        counterparty_number_masked=svc.mask_number(line.counterparty_number)
        if line.counterparty_number
        else None,
        transfer_id=uuid.UUID(line.transfer_id) if line.transfer_id else None,
    )


@router.get(
    "/accounts/{account_id}/transactions",
    response_model=TransactionPage,
    summary="History, newest first: filter by period, direction, amount, counterparty, "
    "text; cursor pagination",
)
def transactions(
    account_id: uuid.UUID,
    principal: Reader,
    session: DbSession,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    direction: Literal["in", "out"] | None = None,
    min_amount_minor: Annotated[int | None, Query(ge=0)] = None,
    max_amount_minor: Annotated[int | None, Query(ge=0)] = None,
    counterparty: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TransactionPage:
    account = svc.visible_account(session, principal, account_id)
    flt = svc.HistoryFilter(
        start, end, direction, min_amount_minor, max_amount_minor, counterparty, q
    )
    lines, next_cursor = svc.history(session, account, flt, cursor=cursor, limit=limit)
    return TransactionPage(items=[_transaction_out(x) for x in lines], next_cursor=next_cursor)


@router.get(
    "/accounts/{account_id}/statement",
    response_model=StatementOut,
    responses={200: {"content": {"application/pdf": {}, "text/csv": {}}}},
    summary="Statement for a period with a running balance: JSON, CSV or PDF",
)
def get_statement(
    account_id: uuid.UUID,
    principal: Reader,
    session: DbSession,
    start: Annotated[datetime, Query(alias="from")],
    end: Annotated[datetime, Query(alias="to")],
    format: Literal["json", "csv", "pdf"] = "json",
) -> StatementOut | Response:
    account = svc.visible_account(session, principal, account_id)
    start, end = _aware(start), _aware(end)
    if end <= start or end - start > timedelta(days=3700):
        raise Unprocessable(
            "Pick a period that ends after it starts (at most ten years).", code="period_invalid"
        )
    st = ledger.statement(session, account.id, start, end)
    name = f"statement-{account.number}-{documents.stamp(start)}-{documents.stamp(end)}"
    if format == "csv":
        return PlainTextResponse(
            documents.statement_csv(st, account),
            media_type="text/csv",
            headers=_attachment(f"{name}.csv"),
        )
    if format == "pdf":
        holder = _holder(session, account)
        return Response(
            documents.statement_pdf(st, account, holder),
            media_type="application/pdf",
            headers=_attachment(f"{name}.pdf"),
        )
    return StatementOut(
        account_id=account.id,
        number=svc.format_number(account.number),
        currency=st.currency,
        start=start,
        end=end,
        opening_minor=st.opening,
        closing_minor=st.closing,
        total_in_minor=st.total_in,
        total_out_minor=st.total_out,
        lines=[
            StatementLineOut(
                booked_at=x.booked_at,
                description=x.description,
                counterparty_name=(x.meta or {})
                .get("parties", {})
                .get(str(account.id), {})
                .get("name"),
                amount_minor=x.amount,
                balance_minor=x.balance,
            )
            for x in st.lines
        ],
    )


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _holder(session: DbSession, account: Account) -> str:
    customer = session.get(Customer, account.customer_id)
    return customer.display_name if customer else ""


@router.get(
    "/accounts/{account_id}/events",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-Sent Events: `transaction` per new posting",
        }
    },
    summary="Real-time stream of the account's new transactions (Server-Sent Events; "
    "works with the cookie in a browser EventSource)",
)
async def events(
    account_id: uuid.UUID,
    request: Request,
    principal: Reader,
    session: DbSession,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    max_events: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> StreamingResponse:
    await run_in_threadpool(svc.visible_account, session, principal, account_id)
    if last_event_id and last_event_id.isdigit():
        after = int(last_event_id)
    else:
        after = await run_in_threadpool(svc.last_posting_id, session, account_id)
    poll = svc.settings().events_poll_seconds
    return StreamingResponse(
        _stream(request, account_id, after, poll, max_events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _fetch(account_id: uuid.UUID, after: int) -> list[svc.HistoryLine]:
    with unit_of_work() as s:
        return svc.lines_after(s, account_id, after)


async def _stream(
    request: Request,
    account_id: uuid.UUID,
    after: int,
    poll: float,  # not money
    max_events: int | None,
) -> AsyncIterator[str]:
    sent, idle = 0, 0.0  # not money
    yield "retry: 3000\n: connected\n\n"
    # A stream lasts at most an hour; the browser's EventSource reconnects with Last-Event-ID.
    deadline = asyncio.get_running_loop().time() + 3600
    while asyncio.get_running_loop().time() < deadline:
        if await request.is_disconnected():
            return
        lines = await run_in_threadpool(_fetch, account_id, after)
        for line in lines:
            after = line.posting_id
            data = _transaction_out(line).model_dump(mode="json")
            yield f"id: {line.posting_id}\nevent: transaction\ndata: {json.dumps(data)}\n\n"
            sent += 1
            if max_events is not None and sent >= max_events:
                return
        if not lines:
            idle += poll
            if idle >= 15:
                idle = 0.0  # not money
                yield ": keep-alive\n\n"
            await asyncio.sleep(poll)


# --------------------------------------------------------------------------- transfers
def transfer_out(outcome: svc.TransferOutcome) -> TransferOut:
    t = outcome.transfer
    return TransferOut(
        id=t.id,
        status=t.status,
        from_account_id=t.from_account_id,  # type: ignore[arg-type]
        to_account_id=t.to_account_id,
        amount_minor=t.amount,
        fee_minor=t.fee,
        currency=t.currency,
        description=t.description,
        entry_id=t.entry_id,
        created_at=t.created_at,
        completed_at=t.completed_at,
        challenge_method=outcome.challenge_method,  # type: ignore[arg-type]
        replayed=outcome.replayed,
    )


def require_key(key: str | None) -> str:
    if not key or not key.strip():
        raise ProblemError(
            "Money-moving calls need an Idempotency-Key header.",
            status=400,
            code="idempotency_key_missing",
            title="Idempotency-Key missing",
        )
    if len(key) > 200:
        raise ProblemError(
            "Idempotency-Key is at most 200 characters.",
            status=400,
            code="idempotency_key_invalid",
            title="Idempotency-Key invalid",
        )
    return key.strip()


@router.post(
    "/transfers",
    response_model=TransferOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        202: {
            "model": TransferOut,
            "description": "Waiting for the second-factor code: confirm it "
            "with POST /transfers/{id}/confirm",
        }
    },
    summary="Transfer between own accounts or to another customer's account number",
)
def create_transfer(
    body: TransferIn,
    principal: Writer,
    session: DbSession,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> TransferOut:
    key = require_key(idempotency_key)
    if (body.to_account_id is None) == (body.to_account_number is None):
        raise Unprocessable(
            "Give either to_account_id or to_account_number.", code="recipient_required"
        )
    outcome = svc.request_transfer(
        session,
        principal,
        key=key,
        from_account_id=body.from_account_id,
        to_account_id=body.to_account_id,
        to_account_number=body.to_account_number,
        amount=body.amount_minor,
        currency=body.currency,
        description=body.description,
    )
    if outcome.transfer.status == "awaiting_confirmation":
        response.status_code = status.HTTP_202_ACCEPTED
    return transfer_out(outcome)


@router.post(
    "/transfers/{transfer_id}/confirm",
    response_model=TransferOut,
    summary="Confirm a transfer with the SMS or authenticator code",
)
def confirm_transfer(
    transfer_id: uuid.UUID, body: ConfirmIn, principal: Writer, session: DbSession
) -> TransferOut:
    return transfer_out(svc.confirm_transfer(session, principal, transfer_id, body.code))


@router.post(
    "/transfers/{transfer_id}/resend-code",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Send a new SMS code for a transfer waiting for confirmation",
)
def resend_code(transfer_id: uuid.UUID, principal: Writer, session: DbSession) -> None:
    svc.resend_challenge(session, principal, transfer_id)


@router.get("/transfers/{transfer_id}", response_model=TransferOut, summary="One transfer")
def get_transfer(transfer_id: uuid.UUID, principal: Reader, session: DbSession) -> TransferOut:
    return transfer_out(svc.TransferOutcome(svc.own_transfer(session, principal, transfer_id)))


@router.get(
    "/transfers/{transfer_id}/receipt.pdf",
    response_class=Response,
    responses=PDF,
    summary="PDF receipt of a completed transfer",
)
def receipt(transfer_id: uuid.UUID, principal: Reader, session: DbSession) -> Response:
    transfer: Transfer = svc.own_transfer(session, principal, transfer_id)
    if transfer.status != "completed":
        raise ProblemError(
            "Only a completed transfer has a receipt.",
            status=409,
            code="transfer_not_completed",
            title="Transfer not completed",
        )
    src = session.get(Account, transfer.from_account_id)
    dst = session.get(Account, transfer.to_account_id)
    assert src is not None and dst is not None
    pdf = documents.receipt_pdf(transfer, src, dst, _holder(session, src), _holder(session, dst))
    return Response(
        pdf, media_type="application/pdf", headers=_attachment(f"receipt-{transfer.id}.pdf")
    )
