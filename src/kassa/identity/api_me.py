"""Self-service: the signed-in user's profile, permissions, second factor and sessions."""

from __future__ import annotations

import uuid

import pyotp
import segno
import sqlalchemy as sa
from fastapi import APIRouter, status

from kassa.audit.service import record
from kassa.identity import auth_service
from kassa.identity.crypto import encrypt_field
from kassa.identity.deps import CurrentUser
from kassa.identity.models import LoginSession, Organisation, User
from kassa.identity.schemas import CodeIn, MeOut, SessionOut, SmsSetupIn, TotpSetupOut, level_name
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES, NotFound, Unprocessable

router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=PROBLEM_RESPONSES)


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone[:3] + "•" * max(len(phone) - 5, 0) + phone[-2:]


def _user(session: DbSession, principal: CurrentUser) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None
    return user


@router.get("", response_model=MeOut, summary="Who am I, and what may I do")
def me(principal: CurrentUser, session: DbSession) -> MeOut:
    user = _user(session, principal)
    org = session.get(Organisation, user.org_id)
    assert org is not None
    return MeOut(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        kind=principal.kind.value,  # type: ignore[arg-type]
        org_id=org.id,
        org_name=org.name,
        phone_masked=mask_phone(user.phone),
        locale=user.locale,
        timezone=user.timezone,
        totp_enabled=user.totp_enabled,
        sms_2fa_enabled=user.sms_2fa_enabled,
        permissions={s: level_name(lvl) for s, lvl in principal.permissions.items()},
    )


@router.post(
    "/2fa/totp",
    response_model=TotpSetupOut,
    summary="Start authenticator-app set-up: a new secret and its QR code",
)
def totp_start(principal: CurrentUser, session: DbSession) -> TotpSetupOut:
    user = _user(session, principal)
    secret = pyotp.random_base32()
    user.totp_secret_enc = encrypt_field(secret)
    user.totp_enabled = False
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Kassa")
    record(session, "mfa.totp_started", principal.actor, target_type="user", target_id=user.id)
    return TotpSetupOut(secret=secret, otpauth_uri=uri, qr_svg=segno.make(uri).svg_inline(scale=4))


@router.post(
    "/2fa/totp/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Confirm the authenticator app with a code; turns TOTP on",
)
def totp_confirm(body: CodeIn, principal: CurrentUser, session: DbSession) -> None:
    user = _user(session, principal)
    if not user.totp_secret_enc:
        raise Unprocessable("Start the set-up first.", code="totp_not_started")
    if not auth_service.check_totp(session, user, body.code):
        raise Unprocessable(
            "The code is wrong; check the time on your phone.", code="mfa_code_invalid"
        )
    user.totp_enabled = True
    record(session, "mfa.totp_enabled", principal.actor, target_type="user", target_id=user.id)


@router.delete(
    "/2fa/totp", status_code=status.HTTP_204_NO_CONTENT, summary="Turn the authenticator app off"
)
def totp_disable(body: CodeIn, principal: CurrentUser, session: DbSession) -> None:
    user = _user(session, principal)
    if not user.totp_enabled or not auth_service.check_totp(session, user, body.code):
        raise Unprocessable("A current code is needed to turn TOTP off.", code="mfa_code_invalid")
    user.totp_enabled = False
    user.totp_secret_enc = None
    record(session, "mfa.totp_disabled", principal.actor, target_type="user", target_id=user.id)


@router.post(
    "/2fa/sms",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Start SMS set-up: sends a code to the phone",
)
def sms_start(body: SmsSetupIn, principal: CurrentUser, session: DbSession) -> None:
    user = _user(session, principal)
    user.phone = body.phone
    user.sms_2fa_enabled = False
    auth_service.send_otp(session, user, "sms_setup", body.phone)


@router.post(
    "/2fa/sms/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Confirm the phone with the code; turns SMS codes on",
)
def sms_confirm(body: CodeIn, principal: CurrentUser, session: DbSession) -> None:
    user = _user(session, principal)
    if not auth_service.check_sms_code(session, user, "sms_setup", body.code):
        raise Unprocessable("The code is wrong or has expired.", code="mfa_code_invalid")
    user.sms_2fa_enabled = True
    record(session, "mfa.sms_enabled", principal.actor, target_type="user", target_id=user.id)


@router.get("/sessions", response_model=list[SessionOut], summary="My active sessions")
def sessions(principal: CurrentUser, session: DbSession) -> list[SessionOut]:
    rows = session.scalars(
        sa.select(LoginSession)
        .where(LoginSession.user_id == principal.user_id, LoginSession.revoked_at.is_(None))
        .order_by(LoginSession.created_at.desc())
    )
    return [
        SessionOut(
            id=r.id,
            created_at=r.created_at,
            last_used_at=r.last_used_at,
            ip=r.ip,
            user_agent=r.user_agent,
            current=r.id == principal.session_id,
        )
        for r in rows
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out one of my sessions",
)
def revoke(session_id: uuid.UUID, principal: CurrentUser, session: DbSession) -> None:
    row = session.get(LoginSession, session_id)
    if row is None or row.user_id != principal.user_id:
        raise NotFound("No such session.")
    auth_service.revoke_session(session, principal.actor, session_id, "revoked_by_user")
