"""HTTP routes of customer feedback: threads, replies and (staff) status changes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from kassa.identity.deps import require
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES
from kassa.support import service as svc
from kassa.support.schemas import (
    MessageIn,
    MessageOut,
    ThreadCreateIn,
    ThreadDetailOut,
    ThreadOut,
    ThreadPage,
    ThreadPatchIn,
    ThreadStatus,
)

router = APIRouter(prefix="/api/v1/support", tags=["support"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require(Section.SUPPORT, Level.READ))]
Writer = Annotated[Principal, Depends(require(Section.SUPPORT, Level.WRITE))]


def _thread_out(view: svc.ThreadView) -> ThreadOut:
    t = view.thread
    return ThreadOut(
        id=t.id,
        customer_user_id=t.customer_user_id,
        customer_name=view.customer_name,
        customer_email=view.customer_email,
        subject=t.subject,
        status=t.status,  # type: ignore[arg-type]
        related_account_id=t.related_account_id,
        related_transfer_id=t.related_transfer_id,
        created_at=t.created_at,
        updated_at=t.updated_at,
        message_count=view.message_count,
    )


def _message_out(view: svc.MessageView) -> MessageOut:
    m = view.message
    return MessageOut(
        id=m.id,
        author_user_id=m.author_user_id,
        author_name=view.author_name,
        author_kind=m.author_kind,  # type: ignore[arg-type]
        body=m.body,
        created_at=m.created_at,
    )


def _detail(session: DbSession, principal: Principal, thread_id: uuid.UUID) -> ThreadDetailOut:
    view = svc.view_thread(session, principal, thread_id)
    return ThreadDetailOut(
        **_thread_out(view).model_dump(),
        messages=[_message_out(m) for m in svc.messages(session, thread_id)],
    )


@router.get(
    "/threads",
    response_model=ThreadPage,
    summary="Feedback threads: your own, or (staff) everyone's; newest first, cursor pages",
)
def list_threads(
    principal: Reader,
    session: DbSession,
    status: ThreadStatus | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ThreadPage:
    views, next_cursor = svc.list_threads(
        session, principal, status=status, q=(q or "").strip() or None, cursor=cursor, limit=limit
    )
    return ThreadPage(
        items=[_thread_out(v) for v in views],
        next_cursor=str(next_cursor) if next_cursor else None,
    )


@router.post(
    "/threads",
    response_model=ThreadDetailOut,
    status_code=status.HTTP_201_CREATED,
    summary="Start a feedback thread (customers)",
)
def create_thread(body: ThreadCreateIn, principal: Writer, session: DbSession) -> ThreadDetailOut:
    thread = svc.create_thread(
        session,
        principal,
        subject=body.subject,
        body=body.body,
        related_account_id=body.related_account_id,
        related_transfer_id=body.related_transfer_id,
    )
    return _detail(session, principal, thread.id)


@router.get(
    "/threads/{thread_id}",
    response_model=ThreadDetailOut,
    summary="A feedback thread with its messages",
)
def get_thread(thread_id: uuid.UUID, principal: Reader, session: DbSession) -> ThreadDetailOut:
    return _detail(session, principal, thread_id)


@router.post(
    "/threads/{thread_id}/messages",
    response_model=ThreadDetailOut,
    status_code=status.HTTP_201_CREATED,
    summary="Reply: a customer reply reopens the thread, a staff reply answers it",
)
def add_message(
    thread_id: uuid.UUID, body: MessageIn, principal: Writer, session: DbSession
) -> ThreadDetailOut:
    svc.add_message(session, principal, thread_id, body.body)
    return _detail(session, principal, thread_id)


@router.patch(
    "/threads/{thread_id}",
    response_model=ThreadDetailOut,
    summary="Change a thread's status (staff)",
)
def patch_thread(
    thread_id: uuid.UUID, body: ThreadPatchIn, principal: Writer, session: DbSession
) -> ThreadDetailOut:
    svc.set_status(session, principal, thread_id, body.status)
    return _detail(session, principal, thread_id)
