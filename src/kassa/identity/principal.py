"""Who is calling: the authenticated principal and the effective permissions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

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


def section_levels(
    session: Session, user_id: uuid.UUID
) -> tuple[dict[Section, Level], dict[Section, Level]]:
    """What the user's roles give per section (the highest level) and the per-user overrides,
    read in one query."""
    role_part = (
        sa.select(RoleGrant.section, RoleGrant.level, sa.literal(False).label("override"))
        .join(UserRole, UserRole.role_id == RoleGrant.role_id)
        .where(UserRole.user_id == user_id)
    )
    user_part = sa.select(
        UserGrant.section, UserGrant.level, sa.literal(True).label("override")
    ).where(UserGrant.user_id == user_id)
    from_roles: dict[Section, Level] = {}
    overrides: dict[Section, Level] = {}
    for section_name, level_name, is_override in session.execute(
        sa.union_all(role_part, user_part)
    ):
        section, level = Section(section_name), Level.parse(level_name)
        if is_override:
            overrides[section] = level
        else:
            from_roles[section] = max(from_roles.get(section, Level.NONE), level)
    return from_roles, overrides


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
