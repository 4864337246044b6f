"""Audit log viewer and chain verification for staff."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from kassa.audit.models import AuditRecord
from kassa.audit.schemas import AuditPageOut, AuditRecordOut, AuditVerifyOut, ChainProblemOut
from kassa.audit.service import verify
from kassa.identity.deps import require
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=PROBLEM_RESPONSES)
AuditRead = Annotated[Principal, Depends(require(Section.AUDIT, Level.READ))]


@router.get("/records", response_model=AuditPageOut, summary="Audit records, newest first")
def records(
    principal: AuditRead,
    session: DbSession,
    action: Annotated[str | None, Query(max_length=80, description="Prefix, e.g. 'auth.'")] = None,
    actor_id: uuid.UUID | None = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Literal["success", "failure", "denied"] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: Annotated[int | None, Query(ge=1, description="Cursor from next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPageOut:
    query = sa.select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit + 1)
    if action:
        query = query.where(AuditRecord.action.startswith(action, autoescape=True))
    if actor_id:
        query = query.where(AuditRecord.actor_id == actor_id)
    if target_id:
        query = query.where(AuditRecord.target_id == target_id)
    if outcome:
        query = query.where(AuditRecord.outcome == outcome)
    if since:
        query = query.where(AuditRecord.occurred_at >= since)
    if until:
        query = query.where(AuditRecord.occurred_at < until)
    if before_id:
        query = query.where(AuditRecord.id < before_id)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPageOut(
        items=[AuditRecordOut.model_validate(r) for r in rows],
        next_cursor=rows[-1].id if more and rows else None,
    )


@router.get(
    "/verify",
    response_model=AuditVerifyOut,
    summary="Recompute the hash chains and report any tampering",
)
def verify_chain(principal: AuditRead, session: DbSession) -> AuditVerifyOut:
    report = verify(session)
    return AuditVerifyOut(
        ok=report.ok,
        records=report.records,
        chains=report.chains,
        problems=[
            ChainProblemOut(chain=p.chain, seq=p.seq, record_id=p.record_id, problem=p.problem)
            for p in report.problems
        ],
    )
