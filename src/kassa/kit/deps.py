"""FastAPI dependencies shared by every domain: the request's unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.orm import Session

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


def _unit_of_work(request: Request) -> Iterator[Session]:
    """One transaction per request, committed after the endpoint returns, before the response.

    A state-changing request that its service did not audit gets a generic audit record, so
    no change goes unrecorded.
    """
    from kassa.audit.service import SYSTEM, record, was_audited

    session = session_factory()()
    try:
        yield session
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


DbSession = Annotated[Session, Depends(_unit_of_work, scope="function")]
