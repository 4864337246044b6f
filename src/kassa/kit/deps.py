"""FastAPI dependencies shared by every domain: the request's unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kassa.kit.db import session_factory

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_WROTE = "kassa_wrote"


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context: object) -> None:
    # Services flush as they go, so pending objects alone do not tell whether the
    # transaction changed anything; a flush that wrote rows does.
    session.info[_WROTE] = True


def wrote(session: Session) -> bool:
    return bool(session.info.get(_WROTE))


async def _unit_of_work(request: Request) -> AsyncIterator[Session]:
    """One transaction per request, committed after the endpoint returns, before the response.

    A state-changing request that its service did not audit gets a generic audit record, so
    no change goes unrecorded.

    The session is opened on the event loop (that needs no I/O: it connects on first use)
    and finished with one thread-pool hop; a thread-pool hop costs more here than the
    query of a simple request.
    """
    session = session_factory()()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_discard, session)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_finish, session, request)


def _finish(session: Session, request: Request) -> None:
    from kassa.audit.service import SYSTEM, record, was_audited

    try:
        if (
            request.method not in SAFE_METHODS
            and not was_audited(session)
            and (session.dirty or session.new or session.deleted or wrote(session))
        ):
            principal = getattr(request.state, "principal", None)
            route = request.scope.get("route")
            record(
                session,
                f"http.{request.method.lower()}",
                principal.actor if principal is not None else SYSTEM,
                target_type="route",
                target_id=getattr(route, "path", request.url.path),
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _discard(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


DbSession = Annotated[Session, Depends(_unit_of_work, scope="function")]
