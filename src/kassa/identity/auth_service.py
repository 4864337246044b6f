"""Login, second factor, token rotation, sign-out and passwords."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.audit.service import SYSTEM, Actor, record
from kassa.config import get_settings
from kassa.identity.crypto import (
    decrypt_field,
    digest,
    hash_password,
    keyed_digest,
    new_numeric_code,
    new_secret,
    verify_password,
)
from kassa.identity.deps import audit_security_event
from kassa.identity.models import LoginSession, OtpChallenge, PasswordToken, RefreshToken, User
from kassa.identity.ratelimit import hit
from kassa.identity.sms import sms_sender
from kassa.identity.tokens import issue_access_token, issue_mfa_token, read_mfa_token
from kassa.kit.clock import utcnow
from kassa.kit.errors import NotAuthenticated, ProblemError, Unprocessable


@dataclass(slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    session_id: uuid.UUID
    expires_in: int


@dataclass(slots=True)
class LoginResult:
    tokens: IssuedTokens | None = None
    mfa_token: str | None = None
    mfa_methods: list[str] | None = None


class AccountLocked(ProblemError):
    status = 423
    code = "account_locked"
    title = "Account temporarily locked"


def _user_actor(user: User) -> Actor:
    return Actor(user.id, user.org_id, user.email)


def _failure(user: User | None, email: str, reason: str) -> None:
    audit_security_event(
        "auth.login",
        _user_actor(user) if user else Actor(None, None, email),
        outcome="failure",
        target_type="user",
        target_id=user.id if user else None,
        details={"reason": reason},
    )


def _register_failed_attempt(session: Session, user: User) -> None:
    """Count a failure in its own transaction and lock the account with growing backoff."""
    settings = get_settings()
    failures = user.failed_logins + 1
    locked_until = None
    if failures >= settings.lockout_threshold:
        exponent = min(failures - settings.lockout_threshold, 16)
        seconds = min(settings.lockout_base_seconds * 2**exponent, settings.lockout_max_seconds)
        locked_until = utcnow() + timedelta(seconds=seconds)
    from kassa.kit.db import unit_of_work

    with unit_of_work() as own:
        own.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(failed_logins=failures, locked_until=locked_until)
        )
        if locked_until is not None:
            record(
                own,
                "auth.lockout",
                _user_actor(user),
                outcome="failure",
                target_type="user",
                target_id=user.id,
                details={"until": locked_until.isoformat(), "failures": failures},
            )


def _check_lock(user: User) -> None:
    if user.locked_until is not None and user.locked_until > utcnow():
        retry = int((user.locked_until - utcnow()).total_seconds()) + 1
        raise AccountLocked(
            "Too many failed attempts; try again later.",
            headers={"Retry-After": str(retry)},
            retry_after=retry,
        )


def login(session: Session, email: str, password: str, ip: str | None) -> LoginResult:
    settings = get_settings()
    hit("login-ip", ip or "unknown", settings.login_attempts_per_ip_per_minute)
    hit("login-account", email.lower(), settings.login_attempts_per_account_per_minute)
    user = session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is not None:
        _check_lock(user)
    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            _register_failed_attempt(session, user)
        _failure(user, email, "bad_credentials")
        raise NotAuthenticated("Wrong e-mail or password.", code="bad_credentials")
    if user.status != "active":
        _failure(user, email, f"user_{user.status}")
        raise NotAuthenticated("This user cannot sign in.", code="user_inactive")
    if user.mfa_enabled:
        methods = [
            m for m, on in (("totp", user.totp_enabled), ("sms", user.sms_2fa_enabled)) if on
        ]
        record(
            session,
            "auth.password_ok",
            _user_actor(user),
            target_type="user",
            target_id=user.id,
            details={"mfa": methods},
        )
        return LoginResult(mfa_token=issue_mfa_token(user.id), mfa_methods=methods)
    return LoginResult(tokens=_start_session(session, user, ip, None))


def send_login_sms(session: Session, mfa_token: str) -> None:
    user = _mfa_user(session, mfa_token)
    if not user.sms_2fa_enabled or not user.phone:
        raise Unprocessable("SMS codes are not set up for this user.", code="sms_not_enabled")
    hit("sms-send", str(user.id), 3)
    send_otp(session, user, "login", user.phone)


def send_otp(session: Session, user: User, purpose: str, phone: str) -> None:
    settings = get_settings()
    code = new_numeric_code()
    # A newer code replaces older unused ones of the same purpose.
    session.execute(
        sa.update(OtpChallenge)
        .where(
            OtpChallenge.user_id == user.id,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_at.is_(None),
        )
        .values(consumed_at=utcnow())
    )
    session.add(
        OtpChallenge(
            user_id=user.id,
            purpose=purpose,
            phone=phone,
            code_hash=keyed_digest(code),
            expires_at=utcnow() + timedelta(seconds=settings.otp_ttl_seconds),
        )
    )
    sms_sender().send(
        session,
        phone,
        f"Kassa code: {code}. It expires in "
        f"{settings.otp_ttl_seconds // 60} minutes. Never share it.",
    )
    record(
        session,
        "auth.otp_sent",
        _user_actor(user),
        target_type="user",
        target_id=user.id,
        details={"purpose": purpose, "channel": "sms"},
    )


def check_sms_code(session: Session, user: User, purpose: str, code: str) -> bool:
    """Check a code for ``purpose``; a wrong code uses up one attempt, in its own transaction."""
    settings = get_settings()
    # No row lock here: a wrong code is counted in its own transaction (it must survive the
    # request failing), and a row lock held by this session would block that transaction.
    challenge = session.scalar(
        sa.select(OtpChallenge)
        .where(
            OtpChallenge.user_id == user.id,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_at.is_(None),
        )
        .order_by(OtpChallenge.created_at.desc())
        .limit(1)
    )
    if challenge is None or challenge.expires_at <= utcnow():
        return False
    if challenge.attempts >= settings.otp_max_attempts:
        return False
    if secrets.compare_digest(challenge.code_hash, keyed_digest(code)):
        # Single use even under a race: only one request flips consumed_at.
        claimed = session.execute(
            sa.update(OtpChallenge)
            .where(OtpChallenge.id == challenge.id, OtpChallenge.consumed_at.is_(None))
            .values(consumed_at=utcnow())
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]
    from kassa.kit.db import unit_of_work

    with unit_of_work() as own:
        own.execute(
            sa.update(OtpChallenge)
            .where(OtpChallenge.id == challenge.id)
            .values(attempts=OtpChallenge.attempts + 1)
        )
    return False


def check_totp(session: Session, user: User, code: str) -> bool:
    if not user.totp_secret_enc:
        return False
    totp = pyotp.TOTP(decrypt_field(user.totp_secret_enc))
    now = utcnow()
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=30 * drift)
        if secrets.compare_digest(totp.at(at), code):
            step = int(at.timestamp()) // 30
            # A code is good once: replaying the same step is refused.
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def _mfa_user(session: Session, mfa_token: str) -> User:
    user = session.get(User, read_mfa_token(mfa_token))
    if user is None or user.status != "active":
        raise NotAuthenticated("The sign-in attempt is not valid.", code="token_invalid")
    return user


def verify_mfa(
    session: Session, mfa_token: str, method: str, code: str, ip: str | None
) -> IssuedTokens:
    settings = get_settings()
    user = _mfa_user(session, mfa_token)
    _check_lock(user)
    hit("mfa-account", str(user.id), settings.login_attempts_per_account_per_minute)
    if method == "totp":
        ok = user.totp_enabled and check_totp(session, user, code)
    else:
        ok = user.sms_2fa_enabled and check_sms_code(session, user, "login", code)
    if not ok:
        _register_failed_attempt(session, user)
        audit_security_event(
            "auth.mfa",
            _user_actor(user),
            outcome="failure",
            target_type="user",
            target_id=user.id,
            details={"method": method},
        )
        raise NotAuthenticated("The code is wrong or has expired.", code="mfa_code_invalid")
    return _start_session(session, user, ip, method)


def _start_session(
    session: Session, user: User, ip: str | None, mfa_method: str | None
) -> IssuedTokens:
    settings = get_settings()
    now = utcnow()
    login_session = LoginSession(
        user_id=user.id,
        ip=ip,
        mfa_method=mfa_method,
        last_used_at=now,
        expires_at=now + timedelta(days=settings.refresh_token_days),
    )
    session.add(login_session)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    record(
        session,
        "auth.login",
        _user_actor(user),
        target_type="user",
        target_id=user.id,
        details={"session": str(login_session.id), "mfa": mfa_method},
    )
    return _issue(session, user.id, login_session.id)


def _issue(session: Session, user_id: uuid.UUID, session_id: uuid.UUID) -> IssuedTokens:
    secret = new_secret()
    session.add(RefreshToken(session_id=session_id, token_hash=digest(secret), issued_at=utcnow()))
    return IssuedTokens(
        access_token=issue_access_token(user_id, session_id),
        refresh_token=f"rt_{secret}",
        session_id=session_id,
        expires_in=get_settings().access_token_minutes * 60,
    )


def refresh(session: Session, refresh_token: str) -> IssuedTokens:
    """Rotate: the presented token is spent and a new one issued. Presenting a spent token
    again means it was stolen or replayed, so the whole family (the session) is revoked."""
    token = session.scalar(
        sa.select(RefreshToken)
        .where(RefreshToken.token_hash == digest(refresh_token.removeprefix("rt_")))
        .with_for_update()
    )
    if token is None:
        raise NotAuthenticated("The refresh token is not valid.", code="refresh_invalid")
    login_session = session.get(LoginSession, token.session_id, with_for_update=True)
    assert login_session is not None
    user = session.get(User, login_session.user_id)
    assert user is not None
    if token.used_at is not None:
        from kassa.kit.db import unit_of_work

        # Release this request's row locks first: the revocation must commit on its own,
        # although the request itself fails.
        session.rollback()
        with unit_of_work() as own:
            own.execute(
                sa.update(LoginSession)
                .where(LoginSession.id == login_session.id)
                .values(revoked_at=utcnow(), revoked_reason="refresh_reuse")
            )
            record(
                own,
                "auth.refresh_reuse",
                _user_actor(user),
                outcome="denied",
                target_type="session",
                target_id=login_session.id,
            )
        raise NotAuthenticated(
            "The refresh token was already used; the session is closed.", code="refresh_reused"
        )
    if login_session.revoked_at is not None or login_session.expires_at <= utcnow():
        raise NotAuthenticated("The session has ended.", code="session_revoked")
    if user.status != "active":
        raise NotAuthenticated("The user is disabled.", code="user_disabled")
    token.used_at = utcnow()
    login_session.last_used_at = utcnow()
    record(
        session,
        "auth.refresh",
        _user_actor(user),
        target_type="session",
        target_id=login_session.id,
    )
    return _issue(session, user.id, login_session.id)


def revoke_session(session: Session, actor: Actor, session_id: uuid.UUID, reason: str) -> None:
    row = session.get(LoginSession, session_id)
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    row.revoked_reason = reason
    record(
        session,
        "auth.session_revoked",
        actor,
        target_type="session",
        target_id=session_id,
        details={"reason": reason},
    )


def create_password_token(session: Session, user: User) -> str:
    token = new_secret()
    session.add(
        PasswordToken(
            user_id=user.id,
            token_hash=digest(token),
            expires_at=utcnow() + timedelta(hours=get_settings().password_setup_hours),
        )
    )
    return token


def set_password_with_token(session: Session, token: str, password: str) -> User:
    row = session.scalar(
        sa.select(PasswordToken).where(PasswordToken.token_hash == digest(token)).with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        audit_security_event(
            "auth.password_setup",
            SYSTEM,
            outcome="failure",
            details={"reason": "invalid_or_used_link"},
        )
        raise Unprocessable(
            "This link is not valid any more; ask the bank for a new one.",
            code="password_link_invalid",
        )
    user = session.get(User, row.user_id)
    assert user is not None
    if user.status == "disabled":
        raise Unprocessable("This user is disabled.", code="user_disabled")
    row.used_at = utcnow()
    user.password_hash = hash_password(password)
    user.status = "active"
    record(session, "auth.password_set", _user_actor(user), target_type="user", target_id=user.id)
    return user


def change_password(session: Session, user_id: uuid.UUID, current: str, new: str) -> None:
    user = session.get(User, user_id)
    assert user is not None
    if not verify_password(user.password_hash, current):
        audit_security_event(
            "auth.password_change",
            _user_actor(user),
            outcome="failure",
            target_type="user",
            target_id=user.id,
        )
        raise Unprocessable("The current password is wrong.", code="password_wrong")
    user.password_hash = hash_password(new)
    record(
        session, "auth.password_change", _user_actor(user), target_type="user", target_id=user.id
    )
