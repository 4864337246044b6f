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


def effective_permissions(
    session: Session, user_id: uuid.UUID, kind: UserKind
) -> dict[Section, Level]:
    """Roles give the highest of their levels; a per-user grant then replaces that level
    (allow, restrict to read, or deny); the kind's ceiling caps everything."""
    role_rows = session.execute(
        sa.select(RoleGrant.section, RoleGrant.level)
        .join(UserRole, UserRole.role_id == RoleGrant.role_id)
        .where(UserRole.user_id == user_id)
    ).all()
    user_rows = session.execute(
        sa.select(UserGrant.section, UserGrant.level).where(UserGrant.user_id == user_id)
    ).all()
    levels: dict[Section, Level] = {}
    for section_name, level_name in role_rows:
        section = Section(section_name)
        levels[section] = max(levels.get(section, Level.NONE), Level.parse(level_name))
    for section_name, level_name in user_rows:
        levels[Section(section_name)] = Level.parse(level_name)
    ceiling = SECTION_CEILING[kind]
    return {
        section: min(level, ceiling.get(section, Level.NONE))
        for section, level in levels.items()
        if min(level, ceiling.get(section, Level.NONE)) > Level.NONE
    }
