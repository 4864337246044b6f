"""FastAPI dependencies shared by every domain: the request's unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from kassa.kit.db import session_factory

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
            and session.dirty | session.new
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
