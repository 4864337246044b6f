"""Staff administration: organisations, users, roles, per-section grants and API keys.

Sensitive changes (grants, disabling a user, API keys) go through ``approvals.submit`` so a
policy can demand a second approver.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.audit.service import record
from kassa.config import get_settings
from kassa.identity import approvals
from kassa.identity.auth_service import create_password_token
from kassa.identity.crypto import digest, new_secret
from kassa.identity.models import (
    ApiKey,
    LoginSession,
    Organisation,
    Role,
    RoleGrant,
    User,
    UserGrant,
    UserRole,
)
from kassa.identity.principal import Principal, resolve_permissions, section_levels
from kassa.identity.sections import (
    ORG_KIND_FOR_USER,
    SECTION_CEILING,
    Level,
    OrgKind,
    Section,
    UserKind,
)
from kassa.kit.clock import utcnow
from kassa.kit.errors import Conflict, Forbidden, NotFound, Unprocessable
from kassa.kit.jobs import defer
from kassa.kit.sql import contains_pattern


def bank_org(session: Session) -> Organisation:
    org = session.scalar(
        sa.select(Organisation)
        .where(Organisation.kind == OrgKind.BANK.value)
        .order_by(Organisation.created_at)
        .limit(1)
    )
    if org is None:
        raise Unprocessable(
            "The bank organisation is missing; run `kassa demo` or create it.", code="bank_missing"
        )
    return org


def _visible_user(session: Session, actor: Principal, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None or (not actor.is_staff and user.org_id != actor.org_id):
        raise NotFound("No such user.")
    return user


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "kind": user.kind,
        "status": user.status,
        "phone": user.phone,
        "org_id": str(user.org_id),
    }


def user_roles(session: Session, user_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(
            sa.select(Role.name)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.user_id == user_id)
            .order_by(Role.name)
        )
    )


# ---- organisations -------------------------------------------------------------------------


def create_organisation(
    session: Session, actor: Principal, name: str, kind: str, registration_number: str | None
) -> Organisation:
    org = Organisation(name=name, kind=kind, registration_number=registration_number)
    session.add(org)
    session.flush()
    record(
        session,
        "org.created",
        actor.actor,
        target_type="organisation",
        target_id=org.id,
        after={"name": name, "kind": kind},
    )
    return org


def list_organisations(
    session: Session, actor: Principal, search: str | None
) -> list[Organisation]:
    query = sa.select(Organisation).order_by(Organisation.name).limit(500)
    if not actor.is_staff:
        query = query.where(Organisation.id == actor.org_id)
    if search:
        query = query.where(Organisation.name.ilike(contains_pattern(search)))
    return list(session.scalars(query))


# ---- users ----------------------------------------------------------------------------------


def _resolve_roles(session: Session, names: list[str], kind: UserKind) -> list[Role]:
    roles = list(session.scalars(sa.select(Role).where(Role.name.in_(names)))) if names else []
    missing = set(names) - {r.name for r in roles}
    if missing:
        raise Unprocessable(f"Unknown role(s): {', '.join(sorted(missing))}.", code="role_unknown")
    wrong = [r.name for r in roles if r.user_kind != kind.value]
    if wrong:
        raise Unprocessable(
            f"Role(s) {', '.join(wrong)} are not for {kind.value} users.", code="role_kind_mismatch"
        )
    return roles


def create_user(
    session: Session,
    actor: Principal,
    *,
    email: str,
    full_name: str,
    kind: str,
    org_id: uuid.UUID | None,
    phone: str | None,
    roles: list[str],
) -> User:
    user_kind = UserKind(kind)
    if not actor.is_staff:
        # A partner's managing user adds users to their own company only.
        if user_kind.value != actor.kind.value:
            raise Forbidden("You can only add users of your own kind.", code="scope_denied")
        org_id = actor.org_id
    if user_kind in (UserKind.STAFF, UserKind.INDIVIDUAL):
        org = bank_org(session)
    else:
        if org_id is None:
            raise Unprocessable("A business or partner user needs org_id.", code="org_required")
        found = session.get(Organisation, org_id)
        if found is None:
            raise Unprocessable("No such organisation.", code="org_unknown")
        org = found
    if org.kind != ORG_KIND_FOR_USER[user_kind].value:
        raise Unprocessable(
            f"A {kind} user cannot belong to a {org.kind} organisation.", code="org_kind_mismatch"
        )
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email.lower())):
        raise Conflict("A user with this e-mail exists already.", code="email_taken")
    role_rows = _resolve_roles(session, roles, user_kind)
    user = User(
        org_id=org.id,
        kind=user_kind.value,
        email=email,
        full_name=full_name,
        phone=phone,
        status="invited",
    )
    session.add(user)
    session.flush()
    for role in role_rows:
        session.add(UserRole(user_id=user.id, role_id=role.id))
    send_invitation(session, user)
    record(
        session,
        "user.created",
        actor.actor,
        target_type="user",
        target_id=user.id,
        after={**user_snapshot(user), "roles": roles},
    )
    return user


def send_invitation(session: Session, user: User) -> None:
    """Queue the registration e-mail with a single-use link to set the password."""
    token = create_password_token(session, user)
    link = f"{get_settings().public_base_url.rstrip('/')}/set-password?token={token}"
    defer(
        session,
        "mail.send",
        to=user.email,
        subject="Welcome to Kassa: confirm your registration",
        text=(
            f"Hello {user.full_name},\n\nYour bank has registered you on Kassa.\n"
            f"Set your password with this link (valid {get_settings().password_setup_hours} "
            f"hours, usable once):\n\n{link}\n\nIf you did not expect this e-mail, ignore it.\n"
        ),
    )


def resend_invitation(session: Session, actor: Principal, user_id: uuid.UUID) -> User:
    user = _visible_user(session, actor, user_id)
    if user.status != "invited":
        raise Conflict("The user has set a password already.", code="user_not_invited")
    send_invitation(session, user)
    record(session, "user.invitation_resent", actor.actor, target_type="user", target_id=user.id)
    return user


def update_user(
    session: Session, actor: Principal, user_id: uuid.UUID, changes: dict[str, Any]
) -> User:
    user = _visible_user(session, actor, user_id)
    before = {**user_snapshot(user), "roles": user_roles(session, user.id)}
    if "full_name" in changes and changes["full_name"] is not None:
        user.full_name = changes["full_name"]
    if "phone" in changes:
        user.phone = changes["phone"]
    if changes.get("roles") is not None:
        role_rows = _resolve_roles(session, changes["roles"], UserKind(user.kind))
        session.execute(sa.delete(UserRole).where(UserRole.user_id == user.id))
        for role in role_rows:
            session.add(UserRole(user_id=user.id, role_id=role.id))
    session.flush()
    record(
        session,
        "user.updated",
        actor.actor,
        target_type="user",
        target_id=user.id,
        before=before,
        after={**user_snapshot(user), "roles": user_roles(session, user.id)},
    )
    return user


@approvals.register(
    "user.set_status", Section.ADMIN, lambda p: f"Set user {p['email']} to {p['status']}"
)
def _set_status(session: Session, actor: Principal, payload: dict[str, Any]) -> dict[str, Any]:
    user = _visible_user(session, actor, uuid.UUID(payload["user_id"]))
    if user.id == actor.user_id:
        raise Forbidden("You cannot disable yourself.", code="self_action")
    before = user.status
    status = payload["status"]
    if status == "active" and user.password_hash is None:
        status = "invited"
    user.status = status
    if status == "disabled":
        session.execute(
            sa.update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason="user_disabled")
        )
    record(
        session,
        "user.status",
        actor.actor,
        target_type="user",
        target_id=user.id,
        before={"status": before},
        after={"status": status},
    )
    return {"user_id": str(user.id), "status": status}


def set_user_status(
    session: Session, actor: Principal, user_id: uuid.UUID, status: str
) -> approvals.Outcome:
    user = _visible_user(session, actor, user_id)
    return approvals.submit(
        session,
        actor,
        "user.set_status",
        {"user_id": str(user.id), "email": user.email, "status": status},
    )


def list_users(
    session: Session,
    actor: Principal,
    *,
    search: str | None,
    kind: str | None,
    org_id: uuid.UUID | None,
    status: str | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[User]:
    query = sa.select(User).order_by(User.id).limit(limit)
    if not actor.is_staff:
        query = query.where(User.org_id == actor.org_id)
    if search:
        pattern = contains_pattern(search)
        query = query.where(sa.or_(User.email.ilike(pattern), User.full_name.ilike(pattern)))
    if kind:
        query = query.where(User.kind == kind)
    if org_id:
        query = query.where(User.org_id == org_id)
    if status:
        query = query.where(User.status == status)
    if after:
        query = query.where(User.id > after)
    return list(session.scalars(query))


# ---- section access -------------------------------------------------------------------------


def section_access(
    session: Session, actor: Principal, user_id: uuid.UUID
) -> list[tuple[Section, Level, Level | None, Level]]:
    user = _visible_user(session, actor, user_id)
    kind = UserKind(user.kind)
    role_levels, overrides = section_levels(session, user.id)
    effective = resolve_permissions(kind, role_levels, overrides)
    return [
        (
            section,
            role_levels.get(section, Level.NONE),
            overrides.get(section),
            effective.get(section, Level.NONE),
        )
        for section in Section
        if section in SECTION_CEILING[kind]
    ]


@approvals.register(
    "user.set_grant",
    Section.ADMIN,
    lambda p: f"Set {p['section']} access of {p['email']} to {p['level'] or 'role default'}",
)
def _set_grant(session: Session, actor: Principal, payload: dict[str, Any]) -> dict[str, Any]:
    user = _visible_user(session, actor, uuid.UUID(payload["user_id"]))
    section = Section(payload["section"])
    level = payload["level"]
    kind = UserKind(user.kind)
    if level not in (None, "none") and Level.parse(level) > SECTION_CEILING[kind].get(
        section, Level.NONE
    ):
        raise Unprocessable(
            f"A {kind.value} user cannot have {level} on {section.value}.",
            code="grant_above_ceiling",
        )
    if (
        not actor.is_staff
        and level not in (None, "none")
        and Level.parse(level) > actor.level(section)
    ):
        raise Forbidden("You cannot grant more than you have.", code="scope_denied")
    existing = session.get(UserGrant, (user.id, section.value))
    before = existing.level if existing else None
    if level is None:
        if existing is not None:
            session.delete(existing)
    elif existing is None:
        session.add(UserGrant(user_id=user.id, section=section.value, level=level))
    else:
        existing.level = level
    session.flush()
    record(
        session,
        "user.grant",
        actor.actor,
        target_type="user",
        target_id=user.id,
        before={"section": section.value, "override": before},
        after={"section": section.value, "override": level},
    )
    return {"user_id": str(user.id), "section": section.value, "level": level}


def set_user_grant(
    session: Session, actor: Principal, user_id: uuid.UUID, section: Section, level: str | None
) -> approvals.Outcome:
    user = _visible_user(session, actor, user_id)
    return approvals.submit(
        session,
        actor,
        "user.set_grant",
        {
            "user_id": str(user.id),
            "email": user.email,
            "section": section.value,
            "level": level,
        },
    )


# ---- roles ----------------------------------------------------------------------------------


def role_grants(session: Session, role_id: uuid.UUID) -> dict[Section, str]:
    return {
        Section(s): lvl
        for s, lvl in session.execute(
            sa.select(RoleGrant.section, RoleGrant.level).where(RoleGrant.role_id == role_id)
        )
    }


def _check_role_grants(kind: UserKind, grants: dict[Section, str]) -> None:
    for section, level in grants.items():
        if Level.parse(level) > SECTION_CEILING[kind].get(section, Level.NONE):
            raise Unprocessable(
                f"A role for {kind.value} users cannot give {level} on {section.value}.",
                code="grant_above_ceiling",
            )


def create_role(
    session: Session,
    actor: Principal,
    name: str,
    description: str,
    user_kind: str,
    grants: dict[Section, str],
) -> Role:
    if session.scalar(sa.select(Role.id).where(Role.name == name)):
        raise Conflict("A role with this name exists already.", code="role_exists")
    _check_role_grants(UserKind(user_kind), grants)
    role = Role(name=name, description=description, user_kind=user_kind)
    session.add(role)
    session.flush()
    for section, level in grants.items():
        session.add(RoleGrant(role_id=role.id, section=section.value, level=level))
    session.flush()
    record(
        session,
        "role.created",
        actor.actor,
        target_type="role",
        target_id=role.id,
        after={"name": name, "grants": {s.value: lvl for s, lvl in grants.items()}},
    )
    return role


@approvals.register(
    "role.set_grants", Section.ADMIN, lambda p: f"Change grants of role {p['name']}"
)
def _set_role_grants(session: Session, actor: Principal, payload: dict[str, Any]) -> dict[str, Any]:
    role = session.get(Role, uuid.UUID(payload["role_id"]))
    if role is None:
        raise NotFound("No such role.")
    grants = {Section(s): lvl for s, lvl in payload["grants"].items()}
    _check_role_grants(UserKind(role.user_kind), grants)
    before = {s.value: lvl for s, lvl in role_grants(session, role.id).items()}
    session.execute(sa.delete(RoleGrant).where(RoleGrant.role_id == role.id))
    for section, level in grants.items():
        if level != "none":
            session.add(RoleGrant(role_id=role.id, section=section.value, level=level))
    session.flush()
    record(
        session,
        "role.grants",
        actor.actor,
        target_type="role",
        target_id=role.id,
        before=before,
        after=payload["grants"],
    )
    return {"role_id": str(role.id)}


def set_role_grants(
    session: Session, actor: Principal, role_id: uuid.UUID, grants: dict[Section, str]
) -> approvals.Outcome:
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound("No such role.")
    return approvals.submit(
        session,
        actor,
        "role.set_grants",
        {
            "role_id": str(role.id),
            "name": role.name,
            "grants": {s.value: lvl for s, lvl in grants.items()},
        },
    )


# ---- API keys -------------------------------------------------------------------------------


def create_api_key(
    session: Session,
    actor: Principal,
    name: str,
    scopes: dict[Section, str],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    for section, level in scopes.items():
        if Level.parse(level) > actor.level(section):
            raise Forbidden(
                f"A key cannot have more than your own {section.value} access.", code="scope_denied"
            )
    prefix = new_secret(6).replace("-", "x").replace("_", "x")[:8]
    secret = new_secret(32)
    key = ApiKey(
        org_id=actor.org_id,
        user_id=actor.user_id,
        name=name,
        prefix=prefix,
        secret_hash=digest(secret),
        scopes={s.value: lvl for s, lvl in scopes.items()},
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    record(
        session,
        "apikey.created",
        actor.actor,
        target_type="api_key",
        target_id=key.id,
        after={"name": name, "prefix": prefix, "scopes": key.scopes},
    )
    return key, f"kassa_{prefix}_{secret}"


def list_api_keys(session: Session, actor: Principal) -> list[ApiKey]:
    query = sa.select(ApiKey).order_by(ApiKey.created_at.desc())
    if not actor.is_staff:
        query = query.where(ApiKey.org_id == actor.org_id)
    return list(session.scalars(query))


def revoke_api_key(session: Session, actor: Principal, key_id: uuid.UUID) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or (not actor.is_staff and key.org_id != actor.org_id):
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(session, "apikey.revoked", actor.actor, target_type="api_key", target_id=key.id)
    return key
