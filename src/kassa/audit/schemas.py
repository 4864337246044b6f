"""API shapes of the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from kassa.kit.schemas import Output


class AuditRecordOut(Output):
    id: int
    chain: int
    seq: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_label: str | None
    org_id: uuid.UUID | None
    action: str
    outcome: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    request_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    details: dict[str, Any] | None
    hash: str


class AuditPageOut(Output):
    items: list[AuditRecordOut]
    next_cursor: int | None


class ChainProblemOut(Output):
    chain: int
    seq: int | None
    record_id: int | None
    problem: str


class AuditVerifyOut(Output):
    ok: bool
    records: int
    chains: int
    problems: list[ChainProblemOut]
