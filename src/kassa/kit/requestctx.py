"""Per-request context (request id, client IP, actor) carried in context variables."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

_request_id: ContextVar[str | None] = ContextVar("kassa_request_id", default=None)
_client_ip: ContextVar[str | None] = ContextVar("kassa_client_ip", default=None)


@dataclass(frozen=True, slots=True)
class RequestMeta:
    request_id: str | None
    ip: str | None


def set_request(request_id: str | None, ip: str | None) -> None:
    _request_id.set(request_id)
    _client_ip.set(ip)


def current_request_id() -> str | None:
    return _request_id.get()


def current_ip() -> str | None:
    return _client_ip.get()


def current_meta() -> RequestMeta:
    return RequestMeta(_request_id.get(), _client_ip.get())
