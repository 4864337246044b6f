"""Short-lived JWTs: access tokens and the intermediate token of a two-factor login."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from kassa.config import get_settings
from kassa.kit.bounded import keep_newest
from kassa.kit.clock import utcnow
from kassa.kit.errors import NotAuthenticated

_ALGORITHM = "HS256"
_ISSUER = "kassa"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


def _encode(claims: dict[str, Any], minutes: int) -> str:
    now = utcnow()
    payload = {
        **claims,
        "iss": _ISSUER,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, get_settings().signing_key(), algorithm=_ALGORITHM)


def _decode(token: str, expected_type: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            get_settings().signing_key(),
            algorithms=[_ALGORITHM],
            issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("The token has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("The token is not valid.", code="token_invalid") from exc
    if claims.get("typ") != expected_type:
        raise NotAuthenticated("The token is not valid here.", code="token_invalid")
    return claims


def issue_access_token(user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    return _encode(
        {"sub": str(user_id), "sid": str(session_id), "typ": "access"},
        get_settings().access_token_minutes,
    )


# Checking an access token (signature, issuer, type, claims) gives the same answer for the same
# token and key every time, and a client sends one access token with every call until it
# expires: checked once, its claims are kept with its expiry, which is the only part that
# moves with the clock and is compared on every use. Decoding it again cost about 150 us per
# request. Nothing about the session is kept here: whether it was signed out, has expired or
# its user was disabled is read from the database on every request, as before.
_CHECKED_TOKENS_MAX = 4096
_checked_tokens: dict[tuple[str, str], tuple[AccessClaims, int]] = {}
_checked_tokens_lock = threading.Lock()


def read_access_token(token: str) -> AccessClaims:
    signing_key = get_settings().signing_key()
    checked = _checked_tokens.get((signing_key, token))
    if checked is not None:
        access, expires = checked
        # PyJWT's rule for "exp": expired when exp <= now (no leeway).
        if expires > time.time():
            return access
        raise NotAuthenticated("The token has expired.", code="token_expired")
    claims = _decode(token, "access")
    try:
        access = AccessClaims(uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"]))
    except (KeyError, ValueError) as exc:
        raise NotAuthenticated("The token is not valid.", code="token_invalid") from exc
    with _checked_tokens_lock:
        # Oldest dropped first: a short-lived token is soon useless.
        keep_newest(
            _checked_tokens, (signing_key, token), (access, int(claims["exp"])), _CHECKED_TOKENS_MAX
        )
    return access


def issue_mfa_token(user_id: uuid.UUID) -> str:
    return _encode({"sub": str(user_id), "typ": "mfa"}, get_settings().mfa_token_minutes)


def read_mfa_token(token: str) -> uuid.UUID:
    claims = _decode(token, "mfa")
    try:
        return uuid.UUID(claims["sub"])
    except ValueError as exc:
        raise NotAuthenticated("The token is not valid.", code="token_invalid") from exc
