"""ASGI middleware: request ids, body-size limit, access log and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kassa.kit.errors import PROBLEM_JSON
from kassa.kit.requestctx import set_request

_log = logging.getLogger("kassa.access")

REQUESTS = Counter("kassa_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "kassa_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class BodyTooLarge(Exception):
    pass


class RequestContextMiddleware:
    """Gives each request an id, caps its body, logs it and counts it."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # The metrics' children per label set: looking them up by labels takes a lock and
        # builds a key on every call. As many as the metrics' own label sets (routes,
        # methods, statuses), so no more memory than the metrics themselves.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Only two headers matter here; the last of a repeated one counts.
        incoming, declared = b"", b""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value
            elif name == b"content-length":
                declared = value
        request_id = incoming.decode("latin-1")
        if not (0 < len(request_id) <= 64 and request_id.isprintable()):
            request_id = secrets.token_hex(16)
        id_header = (b"x-request-id", request_id.encode("latin-1"))
        client = scope.get("client")
        set_request(request_id, client[0] if client else None)
        started = time.perf_counter()
        status = 500

        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send, request_id)
            self._observe(scope, 413, started)
            return

        received = 0
        answered = refused = False

        async def refuse() -> None:
            """Answer 413, unless an answer has started already."""
            nonlocal refused
            if not answered and not refused:
                refused = True
                await self._too_large(send, request_id)

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # Answered here: the framework turns any error raised while it reads a
                    # body into its own 400, which send_with_id then drops.
                    await refuse()
                    raise BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if refused:
                return
            if message["type"] == "http.response.start":
                answered = True
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except BodyTooLarge:
            await refuse()
        self._observe(scope, 413 if refused else status, started)

    async def _too_large(self, send: Send, request_id: str) -> None:
        body = json.dumps(
            {
                "type": "https://kassa.dev/problems/payload_too_large",
                "title": "Body too large",
                "status": 413,
                "code": "payload_too_large",
                "detail": f"The request body exceeds {self.max_body_bytes} bytes.",
                "request_id": request_id,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", request_id.encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _observe(self, scope: Scope, status: int, started: float) -> None:
        route: Any = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        elapsed = time.perf_counter() - started
        method = scope.get("method", "")
        labels = (method, template, status)
        children = self._children.get(labels)
        if children is None:
            children = (
                REQUESTS.labels(method, template, str(status)),
                LATENCY.labels(method, template),
            )
            self._children[labels] = children
        children[0].inc()
        children[1].observe(elapsed)
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "request",
                extra={
                    "method": method,
                    "path": scope.get("path"),
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                },
            )
