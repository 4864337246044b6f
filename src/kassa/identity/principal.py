"""Who is calling: the authenticated principal and the effective permissions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from kassa.audit.service import Actor
from kassa.identity.models import RoleGrant, UserGrant, UserRole
from kassa.identity.sections import SECTION_CEILING, Level, Section, UserKind


@dataclass(slots=True)
class Principal:
    user_id: uuid.UUID
    org_id: uuid.UUID
    kind: UserKind
    email: str
    full_name: str
    permissions: dict[Section, Level]
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    via: str = "bearer"
    extra: dict[str, str] = field(default_factory=dict)

    def level(self, section: Section) -> Level:
        return self.permissions.get(section, Level.NONE)

    def can(self, section: Section, level: Level) -> bool:
        return self.level(section) >= level

    @property
    def is_staff(self) -> bool:
        return self.kind is UserKind.STAFF

    @property
    def actor(self) -> Actor:
        label = self.email if self.api_key_id is None else f"{self.email} (api key)"
        return Actor(self.user_id, self.org_id, label)


def grants_of(user_id: sa.ColumnElement[uuid.UUID] | QueryableAttribute[uuid.UUID]) -> sa.Subquery:
    """The user's grants, one row each (section, level, override): what the roles give and
    the per-user overrides. Correlates with ``user_id``, so it can be joined LATERAL."""
    role_part = (
        sa.select(RoleGrant.section, RoleGrant.level, sa.literal(False).label("override"))
        .join(UserRole, UserRole.role_id == RoleGrant.role_id)
        .where(UserRole.user_id == user_id)
    )
    user_part = sa.select(
        UserGrant.section, UserGrant.level, sa.literal(True).label("override")
    ).where(UserGrant.user_id == user_id)
    return sa.union_all(role_part, user_part).subquery("grants")


def fold_grants(
    rows: Iterable[Sequence[Any]],
) -> tuple[dict[Section, Level], dict[Section, Level]]:
    """Grant rows to (the highest level the roles give per section, the per-user overrides);
    a row of NULLs (a user without grants, from an outer join) adds nothing."""
    from_roles: dict[Section, Level] = {}
    overrides: dict[Section, Level] = {}
    for section_name, level_name, is_override in rows:
        if section_name is None or level_name is None:
            continue
        section, level = Section(section_name), Level.parse(level_name)
        if is_override:
            overrides[section] = level
        else:
            from_roles[section] = max(from_roles.get(section, Level.NONE), level)
    return from_roles, overrides


def section_levels(
    session: Session, user_id: uuid.UUID
) -> tuple[dict[Section, Level], dict[Section, Level]]:
    """What the user's roles give per section and the per-user overrides, in one query."""
    grants = grants_of(sa.literal(user_id, sa.Uuid))
    rows = session.execute(sa.select(grants.c.section, grants.c.level, grants.c.override))
    return fold_grants(rows)


def resolve_permissions(
    kind: UserKind, from_roles: dict[Section, Level], overrides: dict[Section, Level]
) -> dict[Section, Level]:
    """Roles give the highest of their levels; a per-user grant then replaces that level
    (allow, restrict to read, or deny); the kind's ceiling caps everything."""
    ceiling = SECTION_CEILING[kind]
    levels = {**from_roles, **overrides}
    capped = {
        section: min(level, ceiling.get(section, Level.NONE)) for section, level in levels.items()
    }
    return {section: level for section, level in capped.items() if level > Level.NONE}


def effective_permissions(
    session: Session, user_id: uuid.UUID, kind: UserKind
) -> dict[Section, Level]:
    return resolve_permissions(kind, *section_levels(session, user_id))
