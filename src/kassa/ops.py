"""Operations endpoints: health, metrics and the monitoring summary for staff."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from kassa.audit.models import AuditRecord
from kassa.identity.deps import public, require
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.clock import utcnow
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES, Unprocessable
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


class TransactionBucket(BaseModel):
    bucket: datetime
    status: str
    count: int
    amount_minor: int
    currency: str


class TransactionSeries(BaseModel):
    period: Literal["hour", "day"]
    since: datetime
    items: list[TransactionBucket]


# How far back each period may look: keeps the number of buckets (and the scan) bounded.
_MAX_WINDOW = {"hour": timedelta(days=31), "day": timedelta(days=400)}
_DEFAULT_WINDOW = {"hour": timedelta(hours=48), "day": timedelta(days=30)}

# Customer transfers by their request status, plus ledger transfers booked without a customer
# request (salaries, card payments, fees ...) as 'booked'. Read-only.
_TRANSACTIONS_SQL = sa.text(
    """
    SELECT date_trunc(:period, t.created_at, 'UTC') AS bucket, t.status, count(*) AS n,
           sum(t.amount) AS amount, t.currency
      FROM account_transfers t
     WHERE t.created_at >= :since
     GROUP BY 1, 2, 5
    UNION ALL
    SELECT date_trunc(:period, e.booked_at, 'UTC'), 'booked', count(*), sum(p.amount), p.currency
      FROM ledger_entries e
      JOIN (SELECT entry_id, currency, sum(amount) AS amount
              FROM ledger_postings WHERE amount > 0 GROUP BY entry_id, currency) p
        ON p.entry_id = e.id
     WHERE e.kind = 'transfer' AND e.booked_at >= :since
       AND NOT EXISTS (SELECT 1 FROM account_transfers t WHERE t.entry_id = e.id)
     GROUP BY 1, 2, 5
     ORDER BY 1, 2, 5
    """
)


@router.get(
    "/api/v1/monitoring/transactions",
    response_model=TransactionSeries,
    summary="Transfers per time bucket and status (count and amount per currency)",
)
def monitoring_transactions(
    principal: Annotated[Principal, Depends(require(Section.MONITORING, Level.READ))],
    session: DbSession,
    period: Literal["hour", "day"] = "day",
    since: Annotated[
        datetime | None, Query(description="Start (ISO 8601); default 48 hours or 30 days")
    ] = None,
) -> TransactionSeries:
    now = utcnow()
    start = since or now - _DEFAULT_WINDOW[period]
    if start.tzinfo is None:
        raise Unprocessable("Give `since` with a time zone.", code="since_naive")
    if start < now - _MAX_WINDOW[period]:
        raise Unprocessable(
            f"`since` may be at most {_MAX_WINDOW[period].days} days back for {period}s.",
            code="since_too_early",
        )
    rows = session.execute(_TRANSACTIONS_SQL, {"period": period, "since": start}).all()
    return TransactionSeries(
        period=period,
        since=start,
        items=[
            TransactionBucket(
                bucket=r[0], status=r[1], count=int(r[2]), amount_minor=int(r[3]), currency=r[4]
            )
            for r in rows
        ],
    )
