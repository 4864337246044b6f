"""API shapes of the identity domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from kassa.identity.sections import Level, Section
from kassa.kit.schemas import Input, Output

LevelName = Literal["none", "read", "write", "approve"]
UserKindName = Literal["staff", "individual", "business", "partner"]
OrgKindName = Literal["bank", "company", "partner"]
Password = Field(min_length=10, max_length=256)


class LoginIn(Input):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class MfaVerifyIn(Input):
    mfa_token: str = Field(min_length=10, max_length=2048)
    method: Literal["totp", "sms"]
    code: str = Field(pattern=r"^\d{6}$")


class MfaSmsSendIn(Input):
    mfa_token: str = Field(min_length=10, max_length=2048)


class RefreshIn(Input):
    refresh_token: str | None = Field(default=None, max_length=512)


class TokenOut(Output):
    """Tokens for API clients; browsers get the same in httpOnly cookies."""

    mfa_required: bool = False
    mfa_token: str | None = None
    mfa_methods: list[str] = []
    access_token: str | None = None
    refresh_token: str | None = None
    token_type: str = "bearer"
    expires_in: int | None = None


class PasswordSetupIn(Input):
    token: str = Field(min_length=10, max_length=256)
    password: str = Password


class PasswordChangeIn(Input):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Password


class OrganisationOut(Output):
    id: uuid.UUID
    name: str
    kind: OrgKindName
    registration_number: str | None
    active: bool
    created_at: datetime


class OrganisationIn(Input):
    name: str = Field(min_length=2, max_length=200)
    kind: Literal["company", "partner"]
    registration_number: str | None = Field(default=None, max_length=64)


class MeOut(Output):
    id: uuid.UUID
    email: str
    full_name: str
    kind: UserKindName
    org_id: uuid.UUID
    org_name: str
    phone_masked: str | None
    locale: str
    timezone: str
    totp_enabled: bool
    sms_2fa_enabled: bool
    permissions: dict[Section, LevelName]


class UserOut(Output):
    id: uuid.UUID
    email: str
    full_name: str
    kind: UserKindName
    org_id: uuid.UUID
    phone: str | None
    status: Literal["invited", "active", "disabled"]
    totp_enabled: bool
    sms_2fa_enabled: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime
    roles: list[str] = []


class UserCreateIn(Input):
    email: EmailStr
    full_name: str = Field(min_length=2, max_length=200)
    kind: UserKindName
    org_id: uuid.UUID | None = Field(
        default=None, description="Required for business and partner users."
    )
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    roles: list[str] = Field(default_factory=list, max_length=20)


class UserUpdateIn(Input):
    full_name: str | None = Field(default=None, min_length=2, max_length=200)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    roles: list[str] | None = Field(default=None, max_length=20)


class SectionAccessOut(Output):
    section: Section
    from_roles: LevelName
    override: LevelName | None
    effective: LevelName


class GrantIn(Input):
    level: LevelName | None = Field(
        description="allow (read/write/approve), restrict (read) or deny (none); null removes "
        "the per-user override so the roles decide again."
    )


class RoleOut(Output):
    id: uuid.UUID
    name: str
    description: str
    user_kind: UserKindName
    grants: dict[Section, LevelName]


class RoleIn(Input):
    name: str = Field(min_length=2, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = Field(default="", max_length=500)
    user_kind: UserKindName
    grants: dict[Section, LevelName] = Field(default_factory=dict)


class RoleGrantsIn(Input):
    grants: dict[Section, LevelName]


class ApiKeyIn(Input):
    name: str = Field(min_length=2, max_length=100)
    scopes: dict[Section, LevelName] = Field(min_length=1)
    expires_at: datetime | None = None


class ApiKeyOut(Output):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: dict[str, str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="Shown once; only its hash is stored.")


class SessionOut(Output):
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
    ip: str | None
    user_agent: str | None
    current: bool


class TotpSetupOut(Output):
    secret: str
    otpauth_uri: str
    qr_svg: str


class CodeIn(Input):
    code: str = Field(pattern=r"^\d{6}$")


class SmsSetupIn(Input):
    phone: str = Field(pattern=r"^\+[1-9]\d{6,14}$")


class SmsOut(Output):
    id: uuid.UUID
    recipient: str
    body: str
    backend: str
    created_at: datetime


class ApprovalOut(Output):
    id: uuid.UUID
    action: str
    section: str
    summary: str
    payload: dict[str, object]
    maker_id: uuid.UUID
    checker_id: uuid.UUID | None
    status: Literal["pending", "executed", "rejected", "failed"]
    created_at: datetime
    decided_at: datetime | None
    error: str | None


class ApprovalPendingOut(Output):
    """Returned (202) instead of the result when an action needs a second approver."""

    approval_required: bool = True
    approval: ApprovalOut


class PolicyOut(Output):
    action: str
    enabled: bool


class PolicyIn(Input):
    enabled: bool


def level_name(level: Level) -> LevelName:
    names: dict[Level, LevelName] = {
        Level.NONE: "none",
        Level.READ: "read",
        Level.WRITE: "write",
        Level.APPROVE: "approve",
    }
    return names[level]
