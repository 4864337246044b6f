"""Authentication and authorization dependencies for every route.

Each API route declares its access with exactly one of ``public``, ``authenticated`` or
``require(section, level)``; the authorization matrix test walks the routes and refuses any
route that declares none. Permissions are read from the database on every request, so a
change of grants takes effect at once, also for tokens issued before.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kassa.audit.service import SYSTEM, Actor, record
from kassa.identity.crypto import constant_time_equal, digest
from kassa.identity.models import ApiKey, LoginSession, User
from kassa.identity.principal import (
    Principal,
    effective_permissions,
    fold_grants,
    grants_of,
    resolve_permissions,
)
from kassa.identity.sections import Level, Section, UserKind
from kassa.identity.tokens import AccessClaims, read_access_token
from kassa.kit.clock import utcnow
from kassa.kit.db import unit_of_work
from kassa.kit.deps import SAFE_METHODS, DbSession
from kassa.kit.errors import Forbidden, NotAuthenticated

ACCESS_COOKIE = "kassa_access"
REFRESH_COOKIE = "kassa_refresh"
CSRF_COOKIE = "kassa_csrf"
CSRF_HEADER = "x-csrf-token"
API_KEY_PREFIX = "kassa_"


def audit_security_event(action: str, actor: Actor, *, outcome: str, **fields: Any) -> None:
    """Write a security event in its own transaction: it must survive the request failing."""
    with unit_of_work() as session:
        record(session, action, actor, outcome=outcome, **fields)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def _principal_from_api_key(session: Session, raw: str) -> Principal:
    prefix, _, secret = raw.removeprefix(API_KEY_PREFIX).partition("_")
    key = session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix)) if secret else None
    now = utcnow()
    if (
        key is None
        or not constant_time_equal(key.secret_hash, digest(secret))
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= now)
    ):
        raise NotAuthenticated("The API key is not valid.", code="api_key_invalid")
    user = session.get(User, key.user_id)
    if user is None or user.status != "active":
        raise NotAuthenticated("The API key's user is disabled.", code="api_key_invalid")
    kind = UserKind(user.kind)
    user_levels = effective_permissions(session, user.id, kind)
    # A key never exceeds its scopes nor what its user may do now.
    permissions = {
        Section(name): min(Level.parse(level), user_levels.get(Section(name), Level.NONE))
        for name, level in key.scopes.items()
    }
    session.execute(sa.update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
    return Principal(
        user.id,
        user.org_id,
        kind,
        user.email,
        user.full_name,
        {s: lvl for s, lvl in permissions.items() if lvl > Level.NONE},
        api_key_id=key.id,
        via="api_key",
    )


UUID_ARRAY = postgresql.ARRAY(sa.Uuid)


@functools.cache
def token_principals_query() -> sa.Select[Any]:
    """One round trip for the principals of any number of login sessions (``session_ids``,
    an array): per grant, a row of session id, user id, the user, the login session and the
    grant. Built once: building the statement cost more than running it."""
    grants = grants_of(User.id).lateral()
    return (
        sa.select(
            LoginSession.id,
            User.id,
            User.org_id,
            User.kind,
            User.email,
            User.full_name,
            User.status,
            LoginSession.revoked_at,
            LoginSession.expires_at,
            grants.c.section,
            grants.c.level,
            grants.c.override,
        )
        .join(LoginSession, LoginSession.user_id == User.id)
        .outerjoin(grants, sa.true())
        .where(LoginSession.id == sa.any_(sa.bindparam("session_ids", type_=UUID_ARRAY)))
    )


def principal_from_rows(claims: AccessClaims, rows: Sequence[Sequence[Any]], via: str) -> Principal:
    """The principal of a verified access token from its rows of ``token_principals_query``
    (rows of other sessions are ignored), or NotAuthenticated."""
    return principal_and_expiry(claims, rows, via)[0]


def principal_and_expiry(
    claims: AccessClaims, rows: Sequence[Sequence[Any]], via: str
) -> tuple[Principal, datetime | None]:
    """``principal_from_rows``, and when the session expires: a principal kept for later
    requests is checked against it again, because the clock moves while the rows stay."""
    mine = [row for row in rows if row[0] == claims.session_id and row[1] == claims.user_id]
    if not mine:
        raise NotAuthenticated("The session does not exist.", code="session_invalid")
    org_id, kind_name, email, full_name, status, revoked_at, expires_at = mine[0][2:9]
    if revoked_at is not None:
        raise NotAuthenticated("The session was signed out.", code="session_revoked")
    if isinstance(expires_at, datetime) and expires_at <= utcnow():
        raise NotAuthenticated("The session has expired.", code="session_expired")
    if status != "active":
        raise NotAuthenticated("The user is disabled.", code="user_disabled")
    kind = UserKind(kind_name)
    principal = Principal(
        claims.user_id,
        org_id,
        kind,
        email,
        full_name,
        resolve_permissions(kind, *fold_grants(row[9:] for row in mine)),
        session_id=claims.session_id,
        via=via,
    )
    return principal, expires_at if isinstance(expires_at, datetime) else None


def _principal_from_token(session: Session, token: str, via: str) -> Principal:
    claims = read_access_token(token)
    rows = session.execute(token_principals_query(), {"session_ids": [claims.session_id]}).all()
    return principal_from_rows(claims, rows, via)


def _authenticate(request: Request, session: Session) -> Principal | None:
    raw = _bearer(request)
    if raw:
        if raw.startswith(API_KEY_PREFIX):
            return _principal_from_api_key(session, raw)
        return _principal_from_token(session, raw, "bearer")
    cookie = request.cookies.get(ACCESS_COOKIE)
    if not cookie:
        return None
    # Cookies ride along on cross-site requests: a state change needs the CSRF double submit.
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        expected = request.cookies.get(CSRF_COOKIE, "")
        if not sent or not expected or not constant_time_equal(sent, expected):
            raise Forbidden("Missing or wrong CSRF token.", code="csrf_failed")
    return _principal_from_token(session, cookie, "cookie")


def current_principal_optional(request: Request, session: DbSession) -> Principal | None:
    principal = _authenticate(request, session)
    request.state.principal = principal
    return principal


def _require_login(principal: Principal | None) -> Principal:
    if principal is None:
        raise NotAuthenticated("Sign in first.")
    return principal


def public() -> None:
    """Marker: the route needs no login."""


public.kassa_access = ("public", None, None)  # type: ignore[attr-defined]


def authenticated(
    principal: Annotated[Principal | None, Depends(current_principal_optional)],
) -> Principal:
    """Any signed-in user (self-service routes: own profile, own sessions)."""
    return _require_login(principal)


authenticated.kassa_access = ("authenticated", None, None)  # type: ignore[attr-defined]


def require(section: Section, level: Level) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: the caller needs at least ``level`` on ``section``."""

    async def dependency(
        request: Request,
        principal: Annotated[Principal | None, Depends(current_principal_optional)],
    ) -> Principal:
        # async: the check itself needs no I/O, so a granted request costs no thread-pool
        # hop; only a refusal writes its audit record, in the pool.
        user = _require_login(principal)
        if not user.can(section, level):
            await run_in_threadpool(
                audit_security_event,
                "access.denied",
                user.actor,
                outcome="denied",
                target_type="section",
                target_id=section.value,
                details={
                    "needed": level.label,
                    "had": user.level(section).label,
                    "method": request.method,
                    "path": request.url.path,
                },
            )
            raise Forbidden(
                f"This needs {level.label} access to the {section.value} section.",
                code="section_denied",
                section=section.value,
                needed=level.label,
            )
        return user

    dependency.kassa_access = ("section", section, level)  # type: ignore[attr-defined]
    dependency.__name__ = f"require_{section.value}_{level.label}"
    return dependency


def system_actor() -> Actor:
    return SYSTEM


CurrentUser = Annotated[Principal, Depends(authenticated)]


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
