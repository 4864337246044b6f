"""Administration endpoints: organisations, users, section access, roles, API keys, approvals."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse

from kassa.audit.service import record
from kassa.identity import admin_service, approvals
from kassa.identity.deps import require
from kassa.identity.models import ApprovalPolicy, Role, SmsMessage, User
from kassa.identity.principal import Principal
from kassa.identity.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    ApprovalOut,
    ApprovalPendingOut,
    GrantIn,
    OrganisationIn,
    OrganisationOut,
    PolicyIn,
    PolicyOut,
    RoleGrantsIn,
    RoleIn,
    RoleOut,
    SectionAccessOut,
    SmsOut,
    UserCreateIn,
    UserOut,
    UserUpdateIn,
    level_name,
)
from kassa.identity.sections import Level, Section
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES, Forbidden, NotFound

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=PROBLEM_RESPONSES)

AdminRead = Annotated[Principal, Depends(require(Section.ADMIN, Level.READ))]
AdminWrite = Annotated[Principal, Depends(require(Section.ADMIN, Level.WRITE))]
AdminApprove = Annotated[Principal, Depends(require(Section.ADMIN, Level.APPROVE))]
PENDING: dict[int | str, dict[str, Any]] = {
    202: {"model": ApprovalPendingOut, "description": "Waiting for a second approver"}
}


def _user_out(session: DbSession, user: User) -> UserOut:
    out = UserOut.model_validate(user)
    out.roles = admin_service.user_roles(session, user.id)
    return out


def _pending(outcome: approvals.Outcome) -> JSONResponse | None:
    if outcome.pending is None:
        return None
    body = ApprovalPendingOut(approval=ApprovalOut.model_validate(outcome.pending))
    return JSONResponse(body.model_dump(mode="json"), status_code=202)


# ---- organisations --------------------------------------------------------------------------


@router.get("/organisations", response_model=list[OrganisationOut], summary="List organisations")
def list_orgs(
    principal: AdminRead,
    session: DbSession,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> list[OrganisationOut]:
    return [
        OrganisationOut.model_validate(o)
        for o in admin_service.list_organisations(session, principal, search)
    ]


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=201,
    summary="Create a company or partner organisation",
)
def create_org(body: OrganisationIn, principal: AdminWrite, session: DbSession) -> OrganisationOut:
    if not principal.is_staff:
        raise Forbidden("Only bank staff create organisations.", code="staff_only")
    org = admin_service.create_organisation(
        session, principal, body.name, body.kind, body.registration_number
    )
    return OrganisationOut.model_validate(org)


# ---- users ----------------------------------------------------------------------------------


@router.get("/users", response_model=list[UserOut], summary="List and search users")
def list_users(
    principal: AdminRead,
    session: DbSession,
    search: Annotated[str | None, Query(max_length=100)] = None,
    kind: Literal["staff", "individual", "business", "partner"] | None = None,
    org_id: uuid.UUID | None = None,
    user_status: Annotated[
        Literal["invited", "active", "disabled"] | None, Query(alias="status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[
        uuid.UUID | None, Query(description="Cursor: the last id of the previous page")
    ] = None,
) -> list[UserOut]:
    users = admin_service.list_users(
        session,
        principal,
        search=search,
        kind=kind,
        org_id=org_id,
        status=user_status,
        limit=limit,
        after=after,
    )
    return [_user_out(session, u) for u in users]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    summary="Register a user; the registration e-mail goes out",
)
def create_user(body: UserCreateIn, principal: AdminWrite, session: DbSession) -> UserOut:
    user = admin_service.create_user(
        session,
        principal,
        email=str(body.email),
        full_name=body.full_name,
        kind=body.kind,
        org_id=body.org_id,
        phone=body.phone,
        roles=body.roles,
    )
    return _user_out(session, user)


@router.get("/users/{user_id}", response_model=UserOut, summary="One user")
def get_user(user_id: uuid.UUID, principal: AdminRead, session: DbSession) -> UserOut:
    user = session.get(User, user_id)
    if user is None or (not principal.is_staff and user.org_id != principal.org_id):
        raise NotFound("No such user.")
    return _user_out(session, user)


@router.patch("/users/{user_id}", response_model=UserOut, summary="Edit a user's details and roles")
def update_user(
    user_id: uuid.UUID, body: UserUpdateIn, principal: AdminWrite, session: DbSession
) -> UserOut:
    user = admin_service.update_user(
        session, principal, user_id, body.model_dump(exclude_unset=True)
    )
    return _user_out(session, user)


@router.post(
    "/users/{user_id}/invitation",
    response_model=UserOut,
    summary="Send the registration e-mail again",
)
def resend(user_id: uuid.UUID, principal: AdminWrite, session: DbSession) -> UserOut:
    return _user_out(session, admin_service.resend_invitation(session, principal, user_id))


@router.post(
    "/users/{user_id}/disable",
    response_model=UserOut,
    responses=PENDING,
    summary="Disable a user and end their sessions",
)
def disable_user(
    user_id: uuid.UUID, principal: AdminWrite, session: DbSession
) -> UserOut | JSONResponse:
    outcome = admin_service.set_user_status(session, principal, user_id, "disabled")
    pending = _pending(outcome)
    if pending is not None:
        return pending
    user = session.get(User, user_id)
    assert user is not None
    return _user_out(session, user)


@router.post(
    "/users/{user_id}/enable",
    response_model=UserOut,
    responses=PENDING,
    summary="Enable a disabled user",
)
def enable_user(
    user_id: uuid.UUID, principal: AdminWrite, session: DbSession
) -> UserOut | JSONResponse:
    outcome = admin_service.set_user_status(session, principal, user_id, "active")
    pending = _pending(outcome)
    if pending is not None:
        return pending
    user = session.get(User, user_id)
    assert user is not None
    return _user_out(session, user)


@router.get(
    "/users/{user_id}/access",
    response_model=list[SectionAccessOut],
    summary="The user's access per section: from roles, override, effective",
)
def get_access(
    user_id: uuid.UUID, principal: AdminRead, session: DbSession
) -> list[SectionAccessOut]:
    return [
        SectionAccessOut(
            section=section,
            from_roles=level_name(from_roles),
            override=level_name(override) if override is not None else None,
            effective=level_name(effective),
        )
        for section, from_roles, override, effective in admin_service.section_access(
            session, principal, user_id
        )
    ]


@router.put(
    "/users/{user_id}/access/{section}",
    response_model=list[SectionAccessOut],
    responses=PENDING,
    summary="Allow, restrict (read-only) or deny a section for one user; effective at once",
)
def set_access(
    user_id: uuid.UUID, section: Section, body: GrantIn, principal: AdminWrite, session: DbSession
) -> list[SectionAccessOut] | JSONResponse:
    outcome = admin_service.set_user_grant(session, principal, user_id, section, body.level)
    pending = _pending(outcome)
    if pending is not None:
        return pending
    return get_access(user_id, principal, session)


# ---- roles ----------------------------------------------------------------------------------


def _role_out(session: DbSession, role: Role) -> RoleOut:
    return RoleOut(
        id=role.id,
        name=role.name,
        description=role.description,
        user_kind=role.user_kind,  # type: ignore[arg-type]
        grants=admin_service.role_grants(session, role.id),
    )  # type: ignore[arg-type]


@router.get("/roles", response_model=list[RoleOut], summary="Roles and their section grants")
def list_roles(principal: AdminRead, session: DbSession) -> list[RoleOut]:
    return [_role_out(session, r) for r in session.scalars(sa.select(Role).order_by(Role.name))]


@router.post("/roles", response_model=RoleOut, status_code=201, summary="Create a role")
def create_role(body: RoleIn, principal: AdminApprove, session: DbSession) -> RoleOut:
    role = admin_service.create_role(
        session, principal, body.name, body.description, body.user_kind, dict(body.grants)
    )
    return _role_out(session, role)


@router.put(
    "/roles/{role_id}/grants",
    response_model=RoleOut,
    responses=PENDING,
    summary="Replace a role's section grants; effective at once for its users",
)
def set_role_grants(
    role_id: uuid.UUID, body: RoleGrantsIn, principal: AdminApprove, session: DbSession
) -> RoleOut | JSONResponse:
    outcome = admin_service.set_role_grants(session, principal, role_id, dict(body.grants))
    pending = _pending(outcome)
    if pending is not None:
        return pending
    role = session.get(Role, role_id)
    assert role is not None
    return _role_out(session, role)


# ---- API keys -------------------------------------------------------------------------------


@router.get("/api-keys", response_model=list[ApiKeyOut], summary="API keys")
def list_keys(principal: AdminRead, session: DbSession) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in admin_service.list_api_keys(session, principal)]


@router.post(
    "/api-keys",
    response_model=ApiKeyCreatedOut,
    status_code=201,
    summary="Create an API key for a machine client; the key is shown once",
)
def create_key(body: ApiKeyIn, principal: AdminWrite, session: DbSession) -> ApiKeyCreatedOut:
    key, raw = admin_service.create_api_key(
        session, principal, body.name, dict(body.scopes), body.expires_at
    )
    return ApiKeyCreatedOut(**ApiKeyOut.model_validate(key).model_dump(), key=raw)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut, summary="Revoke an API key")
def revoke_key(key_id: uuid.UUID, principal: AdminWrite, session: DbSession) -> ApiKeyOut:
    return ApiKeyOut.model_validate(admin_service.revoke_api_key(session, principal, key_id))


# ---- approvals (maker-checker) --------------------------------------------------------------


@router.get("/approvals", response_model=list[ApprovalOut], summary="Approval requests")
def list_approvals(
    principal: AdminRead,
    session: DbSession,
    approval_status: Annotated[
        Literal["pending", "executed", "rejected", "failed"] | None, Query(alias="status")
    ] = None,
) -> list[ApprovalOut]:
    return [
        ApprovalOut.model_validate(r)
        for r in approvals.list_requests(session, principal, approval_status)
    ]


@router.post(
    "/approvals/{request_id}/approve",
    response_model=ApprovalOut,
    summary="Approve and execute a request (not your own)",
)
def approve(request_id: uuid.UUID, principal: AdminRead, session: DbSession) -> ApprovalOut:
    # The level needed depends on the request's section; the service checks approve on it.
    return ApprovalOut.model_validate(approvals.approve(session, principal, request_id))


@router.post(
    "/approvals/{request_id}/reject", response_model=ApprovalOut, summary="Reject a request"
)
def reject(request_id: uuid.UUID, principal: AdminRead, session: DbSession) -> ApprovalOut:
    return ApprovalOut.model_validate(approvals.reject(session, principal, request_id))


@router.get(
    "/approval-policies",
    response_model=list[PolicyOut],
    summary="Which actions need a second approver",
)
def list_policies(principal: AdminRead, session: DbSession) -> list[PolicyOut]:
    stored = {p.action: p.enabled for p in session.scalars(sa.select(ApprovalPolicy))}
    return [
        PolicyOut(action=a, enabled=stored.get(a, False))
        for a in sorted(approvals.registered_actions())
    ]


@router.put(
    "/approval-policies/{action}",
    response_model=PolicyOut,
    summary="Turn maker-checker on or off for an action",
)
def set_policy(
    action: str, body: PolicyIn, principal: AdminApprove, session: DbSession
) -> PolicyOut:
    if action not in approvals.registered_actions():
        raise NotFound("No such action.")
    if not principal.is_staff:
        raise Forbidden("Only bank staff set approval policies.", code="staff_only")
    policy = session.get(ApprovalPolicy, action)
    before = policy.enabled if policy else False
    if policy is None:
        session.add(ApprovalPolicy(action=action, enabled=body.enabled))
    else:
        policy.enabled = body.enabled
    record(
        session,
        "approval.policy",
        principal.actor,
        target_type="policy",
        target_id=action,
        before={"enabled": before},
        after={"enabled": body.enabled},
    )
    return PolicyOut(action=action, enabled=body.enabled)


# ---- development SMS outbox -----------------------------------------------------------------


@router.get(
    "/sms", response_model=list[SmsOut], summary="Messages recorded by the development SMS sender"
)
def sms_outbox(
    principal: AdminRead,
    session: DbSession,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SmsOut]:
    if not principal.is_staff:
        raise Forbidden("Only bank staff read the SMS outbox.", code="staff_only")
    query = sa.select(SmsMessage).order_by(SmsMessage.created_at.desc()).limit(limit)
    if phone:
        query = query.where(SmsMessage.recipient == phone)
    return [SmsOut.model_validate(m) for m in session.scalars(query)]


@router.get(
    "/ping",
    status_code=status.HTTP_204_NO_CONTENT,
    include_in_schema=False,
    dependencies=[Depends(require(Section.ADMIN, Level.READ))],
)
def ping() -> Response:
    return Response(status_code=204)
