"""Maker-checker: an action under an enabled policy is stored as a request and runs only when
a different user with the approve level on the action's section approves it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.audit.service import record
from kassa.identity.models import ApprovalPolicy, ApprovalRequest
from kassa.identity.principal import Principal
from kassa.identity.sections import Level, Section
from kassa.kit.clock import utcnow
from kassa.kit.errors import Conflict, Forbidden, NotFound, ProblemError

Handler = Callable[[Session, Principal, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    section: Section
    handler: Handler
    describe: Callable[[dict[str, Any]], str]


_actions: dict[str, ActionSpec] = {}


def register(
    action: str, section: Section, describe: Callable[[dict[str, Any]], str]
) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        _actions[action] = ActionSpec(section, handler, describe)
        return handler

    return decorator


def registered_actions() -> dict[str, ActionSpec]:
    return dict(_actions)


def needs_approval(session: Session, action: str) -> bool:
    policy = session.get(ApprovalPolicy, action)
    return bool(policy and policy.enabled)


@dataclass(slots=True)
class Outcome:
    """Either the action's result, or the approval request that now waits for a checker."""

    result: dict[str, Any] | None = None
    pending: ApprovalRequest | None = None


def submit(session: Session, maker: Principal, action: str, payload: dict[str, Any]) -> Outcome:
    """Run ``action`` now, or park it for a second approver when its policy says so."""
    spec = _actions[action]
    if not needs_approval(session, action):
        return Outcome(result=spec.handler(session, maker, payload))
    request = ApprovalRequest(
        action=action,
        section=spec.section.value,
        org_id=maker.org_id,
        payload=payload,
        summary=spec.describe(payload)[:300],
        maker_id=maker.user_id,
    )
    session.add(request)
    session.flush()
    record(
        session,
        "approval.requested",
        maker.actor,
        target_type="approval",
        target_id=request.id,
        after={"action": action, "payload": payload},
    )
    return Outcome(pending=request)


def _load_pending(session: Session, checker: Principal, request_id: uuid.UUID) -> ApprovalRequest:
    request = session.get(ApprovalRequest, request_id, with_for_update=True)
    if request is None or (not checker.is_staff and request.org_id != checker.org_id):
        raise NotFound("No such approval request.")
    if request.status != "pending":
        raise Conflict(f"The request is already {request.status}.", code="approval_decided")
    if request.maker_id == checker.user_id:
        raise Forbidden("The maker of a request cannot approve it.", code="four_eyes")
    if not checker.can(Section(request.section), Level.APPROVE):
        raise Forbidden(
            f"Approving needs the approve level on {request.section}.", code="section_denied"
        )
    return request


def approve(session: Session, checker: Principal, request_id: uuid.UUID) -> ApprovalRequest:
    request = _load_pending(session, checker, request_id)
    spec = _actions[request.action]
    request.checker_id = checker.user_id
    request.decided_at = utcnow()
    # The action runs with the checker's authority but in a savepoint: if it fails (the world
    # changed since the request), the request is marked failed and nothing else changes.
    try:
        with session.begin_nested():
            request.result = spec.handler(session, checker, dict(request.payload))
        request.status = "executed"
    except ProblemError as exc:
        request.status = "failed"
        request.error = (exc.detail or exc.title)[:500]
    record(
        session,
        "approval.approved",
        checker.actor,
        target_type="approval",
        target_id=request.id,
        after={"status": request.status, "error": request.error},
    )
    return request


def reject(session: Session, checker: Principal, request_id: uuid.UUID) -> ApprovalRequest:
    request = _load_pending(session, checker, request_id)
    request.checker_id = checker.user_id
    request.decided_at = utcnow()
    request.status = "rejected"
    record(
        session, "approval.rejected", checker.actor, target_type="approval", target_id=request.id
    )
    return request


def list_requests(session: Session, viewer: Principal, status: str | None) -> list[ApprovalRequest]:
    query = sa.select(ApprovalRequest).order_by(ApprovalRequest.created_at.desc()).limit(200)
    if status:
        query = query.where(ApprovalRequest.status == status)
    if not viewer.is_staff:
        query = query.where(ApprovalRequest.org_id == viewer.org_id)
    return list(session.scalars(query))
