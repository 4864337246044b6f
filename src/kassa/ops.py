"""Operations endpoints: health, metrics and the monitoring summary for staff."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from kassa.audit.models import AuditRecord
from kassa.identity.deps import public, require
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES
from kassa.kit.jobs import job_counts

router = APIRouter(tags=["operations"], responses=PROBLEM_RESPONSES)


class Health(BaseModel):
    status: str
    database: str


class FailedJob(BaseModel):
    id: int
    task_name: str
    queue_name: str
    attempts: int


class Monitoring(BaseModel):
    jobs: dict[str, int]
    failed_jobs: list[FailedJob]
    security_events_24h: dict[str, int]


@router.get(
    "/healthz",
    response_model=Health,
    dependencies=[Depends(public)],
    summary="Liveness and database reachability",
)
def healthz(session: DbSession) -> Health:
    session.execute(sa.text("SELECT 1"))
    return Health(status="ok", database="ok")


@router.get(
    "/metrics",
    dependencies=[Depends(public)],
    summary="Prometheus metrics",
    response_class=Response,
)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/api/v1/monitoring/summary",
    response_model=Monitoring,
    summary="Queues, failed jobs and security events for the staff dashboard",
)
def monitoring(
    principal: Annotated[Principal, Depends(require(Section.MONITORING, Level.READ))],
    session: DbSession,
) -> Monitoring:
    failed = session.execute(
        sa.text(
            "SELECT id, task_name, queue_name, attempts FROM procrastinate_jobs "
            "WHERE status = 'failed' ORDER BY id DESC LIMIT 50"
        )
    ).all()
    events = session.execute(
        sa.select(AuditRecord.action, sa.func.count())
        .where(
            AuditRecord.outcome != "success",
            AuditRecord.occurred_at > sa.func.now() - sa.text("interval '1 day'"),
        )
        .group_by(AuditRecord.action)
    ).all()
    return Monitoring(
        jobs=job_counts(session),
        failed_jobs=[
            FailedJob(id=r[0], task_name=r[1], queue_name=r[2], attempts=r[3]) for r in failed
        ],
        security_events_24h={str(a): int(c) for a, c in events},
    )
