"""RFC 9457 problem details with stable codes.

Every error leaves Kassa as ``application/problem+json`` with a machine-readable ``code``;
validation errors list every field that failed.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from kassa.kit.requestctx import current_request_id

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class Problem(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raise from anywhere to answer with a problem+json response."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title or self.title)
        self.detail = detail
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        if title is not None:
            self.title = title
        self.headers = headers
        self.extra = extra


class NotAuthenticated(ProblemError):
    status = 401
    code = "not_authenticated"
    title = "Authentication required"


class Forbidden(ProblemError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(ProblemError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(ProblemError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unprocessable(ProblemError):
    status = 422
    code = "unprocessable"
    title = "Request cannot be processed"


class TooManyRequests(ProblemError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    request: Request | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = Problem(
        type=f"https://kassa.dev/problems/{code}",
        title=title,
        status=status,
        code=code,
        detail=detail,
        instance=str(request.url.path) if request is not None else None,
        request_id=current_request_id(),
        errors=errors,
        **extra,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True, mode="json"),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return error_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in raw):
            return problem_response(
                400,
                "malformed_json",
                "Malformed JSON",
                "The request body is not valid JSON.",
                request=request,
            )
        errors = [
            FieldError(
                field=_field_path(e.get("loc", ())),
                message=str(e.get("msg", "")),
                type=str(e.get("type", "")),
            )
            for e in raw
        ]
        return problem_response(
            422,
            "validation_error",
            "Validation failed",
            f"{len(errors)} field(s) failed validation.",
            request=request,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            401: "not_authenticated",
            403: "forbidden",
            413: "payload_too_large",
        }
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        return problem_response(
            exc.status_code,
            code,
            str(exc.detail) if exc.detail else code.replace("_", " "),
            request=request,
            headers=getattr(exc, "headers", None),
        )

    async def _data(request: Request, exc: Exception) -> JSONResponse:
        refused = unstorable_value(exc)
        if refused is None:
            return await _unexpected(request, exc)
        status, code, title, detail = refused
        return problem_response(status, code, title, detail, request=request)

    # Values PostgreSQL cannot store are bad input wherever they hide (a body, a query
    # parameter): the unit of work has rolled back, so nothing changed.
    app.add_exception_handler(sa_exc.DataError, _data)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unhandled error", extra={"path": request.url.path})
        return internal_error_response(request)


def error_response(exc: ProblemError, request: Request) -> JSONResponse:
    """The answer to a raised ProblemError."""
    return problem_response(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        request=request,
        headers=exc.headers,
        **exc.extra,
    )


def internal_error_response(request: Request) -> JSONResponse:
    """The answer to a fault of ours (the log has the details, the caller the request id)."""
    return problem_response(
        500,
        "internal_error",
        "Internal error",
        "Something went wrong on our side; the request id identifies it.",
        request=request,
    )


def unstorable_value(exc: BaseException) -> tuple[int, str, str, str] | None:
    """(status, code, title, detail) when a database error says the request carried a value
    PostgreSQL cannot store; None for any other error (a fault of ours, not the caller's)."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == "22P05" or "NUL (0x00)" in str(orig):
        return (
            400,
            "invalid_character",
            "Invalid character",
            "Text may not contain the NUL character (U+0000).",
        )
    return None


# OpenAPI: the error responses every route may give, so the contract names them.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": {PROBLEM_JSON: {}}}
    for status, text in (
        (400, "Malformed request"),
        (401, "Authentication required"),
        (403, "Not allowed"),
        (404, "Not found"),
        (409, "Conflict"),
        (413, "Body too large"),
        (422, "Validation failed"),
        (429, "Too many requests"),
    )
}
