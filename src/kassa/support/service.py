"""Customer feedback: threads, replies, status changes; every change audited.

Customers see their own threads only; staff with support access see all of them. A staff
answer marks the thread answered and queues an e-mail to the customer; a customer reply
reopens it. A closed thread takes no more messages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.accounts.models import Account, Transfer
from kassa.audit.service import record
from kassa.customers.service import customer_ids_for
from kassa.identity.models import User
from kassa.identity.principal import Principal
from kassa.kit.clock import utcnow
from kassa.kit.errors import Conflict, Forbidden, NotFound, Unprocessable
from kassa.kit.jobs import defer
from kassa.kit.sql import contains_pattern
from kassa.support.models import SupportMessage, SupportThread


@dataclass(slots=True)
class ThreadView:
    thread: SupportThread
    customer_name: str
    customer_email: str
    message_count: int


@dataclass(slots=True)
class MessageView:
    message: SupportMessage
    author_name: str


def _thread_not_found() -> NotFound:
    return NotFound("No such feedback thread.", code="thread_not_found")


def _snapshot(thread: SupportThread) -> dict[str, object]:
    return {"status": thread.status, "subject": thread.subject}


def _author_kind(principal: Principal) -> str:
    return "staff" if principal.is_staff else "customer"


def _views(session: Session, query: sa.Select[SupportThread]) -> list[ThreadView]:
    counts = (
        sa.select(sa.func.count())
        .where(SupportMessage.thread_id == SupportThread.id)
        .correlate(SupportThread)
        .scalar_subquery()
    )
    rows = session.execute(
        query.add_columns(User.full_name, User.email, counts).join(
            User, User.id == SupportThread.customer_user_id
        )
    ).all()
    return [ThreadView(t, name, email, int(n)) for t, name, email, n in rows]


def list_threads(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    q: str | None = None,
    cursor: uuid.UUID | None = None,
    limit: int = 50,
) -> tuple[list[ThreadView], uuid.UUID | None]:
    """Newest first; the cursor is the id of the last thread of the previous page."""
    query = sa.select(SupportThread)
    if not principal.is_staff:
        query = query.where(SupportThread.customer_user_id == principal.user_id)
    if status:
        query = query.where(SupportThread.status == status)
    if q:
        pattern = contains_pattern(q)
        in_body = sa.select(SupportMessage.id).where(
            SupportMessage.thread_id == SupportThread.id, SupportMessage.body.ilike(pattern)
        )
        query = query.where(sa.or_(SupportThread.subject.ilike(pattern), in_body.exists()))
    if cursor is not None:
        query = query.where(SupportThread.id < cursor)
    views = _views(session, query.order_by(SupportThread.id.desc()).limit(limit + 1))
    more = len(views) > limit
    views = views[:limit]
    return views, (views[-1].thread.id if more and views else None)


def get_thread(
    session: Session, principal: Principal, thread_id: uuid.UUID, *, lock: bool = False
) -> SupportThread:
    query = sa.select(SupportThread).where(SupportThread.id == thread_id)
    if not principal.is_staff:
        query = query.where(SupportThread.customer_user_id == principal.user_id)
    if lock:
        query = query.with_for_update()
    thread = session.scalar(query)
    if thread is None:
        raise _thread_not_found()
    return thread


def view_thread(session: Session, principal: Principal, thread_id: uuid.UUID) -> ThreadView:
    get_thread(session, principal, thread_id)
    return _views(session, sa.select(SupportThread).where(SupportThread.id == thread_id))[0]


def messages(session: Session, thread_id: uuid.UUID) -> list[MessageView]:
    rows = session.execute(
        sa.select(SupportMessage, User.full_name)
        .join(User, User.id == SupportMessage.author_user_id)
        .where(SupportMessage.thread_id == thread_id)
        .order_by(SupportMessage.id)
    ).all()
    return [MessageView(m, name) for m, name in rows]


def _check_related(
    session: Session,
    principal: Principal,
    account_id: uuid.UUID | None,
    transfer_id: uuid.UUID | None,
) -> None:
    if account_id is not None:
        account = session.get(Account, account_id)
        if account is None or account.customer_id not in customer_ids_for(session, principal):
            raise Unprocessable("No such account of yours.", code="account_not_found")
    if transfer_id is not None:
        transfer = session.get(Transfer, transfer_id)
        if transfer is None or transfer.requested_by != principal.user_id:
            raise Unprocessable("No such transfer of yours.", code="transfer_not_found")


def create_thread(
    session: Session,
    principal: Principal,
    *,
    subject: str,
    body: str,
    related_account_id: uuid.UUID | None = None,
    related_transfer_id: uuid.UUID | None = None,
) -> SupportThread:
    if principal.is_staff:
        raise Forbidden("Customers start feedback threads.", code="customer_only")
    _check_related(session, principal, related_account_id, related_transfer_id)
    now = utcnow()
    thread = SupportThread(
        customer_user_id=principal.user_id,
        org_id=principal.org_id,
        subject=subject,
        status="open",
        related_account_id=related_account_id,
        related_transfer_id=related_transfer_id,
        created_at=now,
        updated_at=now,
    )
    session.add(thread)
    session.flush()
    session.add(
        SupportMessage(
            thread_id=thread.id,
            author_user_id=principal.user_id,
            author_kind="customer",
            body=body,
            created_at=now,
        )
    )
    session.flush()
    record(
        session,
        "support.thread_created",
        principal.actor,
        target_type="support_thread",
        target_id=thread.id,
        after=_snapshot(thread),
    )
    return thread


def add_message(
    session: Session, principal: Principal, thread_id: uuid.UUID, body: str
) -> SupportMessage:
    thread = get_thread(session, principal, thread_id, lock=True)
    if thread.status == "closed":
        raise Conflict("The thread is closed.", code="thread_closed")
    before = _snapshot(thread)
    kind = _author_kind(principal)
    now = utcnow()
    message = SupportMessage(
        thread_id=thread.id,
        author_user_id=principal.user_id,
        author_kind=kind,
        body=body,
        created_at=now,
    )
    session.add(message)
    thread.status = "answered" if kind == "staff" else "open"
    thread.updated_at = now
    session.flush()
    record(
        session,
        "support.message_added",
        principal.actor,
        target_type="support_thread",
        target_id=thread.id,
        before=before,
        after=_snapshot(thread),
        details={"message_id": str(message.id), "author_kind": kind},
    )
    if kind == "staff":
        _notify_customer(session, thread, body)
    return message


def _notify_customer(session: Session, thread: SupportThread, body: str) -> None:
    customer = session.get(User, thread.customer_user_id)
    if customer is None:
        return
    defer(
        session,
        "mail.send",
        to=customer.email,
        subject=f"Kassa answered: {thread.subject}",
        text=(
            f"Hello {customer.full_name},\n\nthe bank answered your feedback "
            f'"{thread.subject}":\n\n{body}\n\nSign in to Kassa to reply.\n'
        ),
    )


def set_status(
    session: Session, principal: Principal, thread_id: uuid.UUID, status: str
) -> SupportThread:
    if not principal.is_staff:
        raise Forbidden("Only bank staff change a thread's status.", code="staff_only")
    thread = get_thread(session, principal, thread_id, lock=True)
    before = _snapshot(thread)
    if thread.status != status:
        thread.status = status
        thread.updated_at = utcnow()
        session.flush()
    record(
        session,
        "support.status_changed",
        principal.actor,
        target_type="support_thread",
        target_id=thread.id,
        before=before,
        after=_snapshot(thread),
    )
    return thread
