"""Sign-in endpoints: password, second factor, refresh, sign-out, password set-up."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request, Response, status

from kassa.config import get_settings
from kassa.identity import auth_service
from kassa.identity.deps import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    REFRESH_COOKIE,
    CurrentUser,
    public,
)
from kassa.identity.schemas import (
    LoginIn,
    MfaSmsSendIn,
    MfaVerifyIn,
    PasswordChangeIn,
    PasswordSetupIn,
    RefreshIn,
    TokenOut,
)
from kassa.kit.deps import DbSession
from kassa.kit.errors import PROBLEM_RESPONSES, NotAuthenticated

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=PROBLEM_RESPONSES)
REFRESH_PATH = "/api/v1/auth"


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _set_cookies(response: Response, tokens: auth_service.IssuedTokens) -> None:
    settings = get_settings()
    secure = settings.cookie_secure
    response.set_cookie(
        ACCESS_COOKIE,
        tokens.access_token,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
        max_age=settings.access_token_minutes * 60,
    )
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        httponly=True,
        secure=secure,
        samesite="strict",
        path=REFRESH_PATH,
        max_age=settings.refresh_token_days * 86400,
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        httponly=False,
        secure=secure,
        samesite="strict",
        path="/",
    )


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH)
    response.delete_cookie(CSRF_COOKIE, path="/")


def _token_out(tokens: auth_service.IssuedTokens) -> TokenOut:
    return TokenOut(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


@router.post(
    "/login",
    response_model=TokenOut,
    dependencies=[Depends(public)],
    summary="Sign in with e-mail and password",
)
def login(body: LoginIn, request: Request, response: Response, session: DbSession) -> TokenOut:
    result = auth_service.login(session, body.email, body.password, _client_ip(request))
    if result.tokens is None:
        return TokenOut(
            mfa_required=True, mfa_token=result.mfa_token, mfa_methods=result.mfa_methods or []
        )
    _set_cookies(response, result.tokens)
    return _token_out(result.tokens)


@router.post(
    "/mfa/sms",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(public)],
    summary="Send a one-time sign-in code by SMS",
)
def mfa_send_sms(body: MfaSmsSendIn, session: DbSession) -> None:
    auth_service.send_login_sms(session, body.mfa_token)


@router.post(
    "/mfa/verify",
    response_model=TokenOut,
    dependencies=[Depends(public)],
    summary="Complete sign-in with the second factor",
)
def mfa_verify(
    body: MfaVerifyIn, request: Request, response: Response, session: DbSession
) -> TokenOut:
    tokens = auth_service.verify_mfa(
        session, body.mfa_token, body.method, body.code, _client_ip(request)
    )
    _set_cookies(response, tokens)
    return _token_out(tokens)


@router.post(
    "/refresh",
    response_model=TokenOut,
    dependencies=[Depends(public)],
    summary="Rotate the refresh token and get a new access token",
)
def refresh(
    request: Request, response: Response, session: DbSession, body: RefreshIn | None = None
) -> TokenOut:
    raw = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    if not raw:
        raise NotAuthenticated("No refresh token.", code="refresh_missing")
    tokens = auth_service.refresh(session, raw)
    _set_cookies(response, tokens)
    return _token_out(tokens)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out: revoke this session and its refresh tokens",
)
def logout(principal: CurrentUser, response: Response, session: DbSession) -> None:
    if principal.session_id is not None:
        auth_service.revoke_session(session, principal.actor, principal.session_id, "logout")
    _clear_cookies(response)


@router.post(
    "/password/setup",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(public)],
    summary="Set a password with the e-mailed link",
)
def password_setup(body: PasswordSetupIn, session: DbSession) -> None:
    auth_service.set_password_with_token(session, body.token, body.password)


@router.post(
    "/password/change",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the signed-in user's password",
)
def password_change(body: PasswordChangeIn, principal: CurrentUser, session: DbSession) -> None:
    auth_service.change_password(
        session, principal.user_id, body.current_password, body.new_password
    )
