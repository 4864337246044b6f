"""Tables of the identity domain: organisations, users, roles, grants, sessions, keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kassa.kit.db import Base, TimestampMixin
from kassa.kit.ids import uuid7

_LEVELS = "'none','read','write','approve'"


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid, primary_key=True, default=uuid7)


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (sa.CheckConstraint("kind IN ('bank','company','partner')", name="kind"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    registration_number: Mapped[str | None] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('staff','individual','business','partner')", name="kind"),
        sa.CheckConstraint("status IN ('invited','active','disabled')", name="status"),
        sa.Index("uq_users_email_lower", sa.text("lower(email)"), unique=True),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="invited")
    locale: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="en")
    timezone: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="UTC")
    # TOTP secret, encrypted at rest with the platform key (see identity.crypto).
    totp_secret_enc: Mapped[str | None] = mapped_column(sa.Text)
    totp_enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    sms_2fa_enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_enabled or self.sms_2fa_enabled


class Role(TimestampMixin, Base):
    __tablename__ = "roles"

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    description: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    # The kind of user the role is meant for; a role never lifts a user above its kind's ceiling.
    user_kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (sa.CheckConstraint(f"level IN ({_LEVELS})", name="level"),)

    role_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(16), nullable=False)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )


class UserGrant(Base):
    """A per-user override of what the roles give: allow, restrict (read) or deny (none)."""

    __tablename__ = "user_grants"
    __table_args__ = (sa.CheckConstraint(f"level IN ({_LEVELS})", name="level"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(16), nullable=False)


class LoginSession(TimestampMixin, Base):
    """A login on one device: the family of its rotating refresh tokens."""

    __tablename__ = "login_sessions"

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    mfa_method: Mapped[str | None] = mapped_column(sa.String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(64))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = _uuid_pk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("login_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ApiKey(TimestampMixin, Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = _uuid_pk()
    org_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    # The user the key acts for; its grants cap the key's scopes.
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(16), nullable=False, unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    scopes: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class OtpChallenge(TimestampMixin, Base):
    """A one-time code sent by SMS: stored hashed, expiring, single-use, attempt-limited."""

    __tablename__ = "otp_challenges"
    __table_args__ = (sa.CheckConstraint("attempts >= 0", name="attempts"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    phone: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class PasswordToken(TimestampMixin, Base):
    """The single-use link that lets a registered user set a password."""

    __tablename__ = "password_tokens"

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SmsMessage(TimestampMixin, Base):
    """Messages of the development SMS sender, so the demo works offline."""

    __tablename__ = "sms_messages"

    id: Mapped[uuid.UUID] = _uuid_pk()
    recipient: Mapped[str] = mapped_column(sa.String(32), nullable=False, index=True)
    body: Mapped[str] = mapped_column(sa.String(480), nullable=False)
    backend: Mapped[str] = mapped_column(sa.String(16), nullable=False)


class ApprovalPolicy(Base):
    """Which actions need a second approver (maker-checker)."""

    __tablename__ = "approval_policies"

    action: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)


class ApprovalRequest(TimestampMixin, Base):
    __tablename__ = "approval_requests"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending','executed','rejected','failed')", name="status"),
        sa.CheckConstraint("checker_id IS NULL OR checker_id <> maker_id", name="four_eyes"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    section: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    org_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    summary: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    maker_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    checker_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="pending")
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(sa.String(500))
