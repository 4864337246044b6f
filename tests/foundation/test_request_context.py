"""The request context middleware: each request's id, its metrics and its access-log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY


def _count(method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("kassa_http_requests_total", labels) or 0.0


def _oversized_chunks() -> Iterator[bytes]:
    """2.5 MiB without a Content-Length: sent chunked, so only counting it as it arrives
    finds it over the limit."""
    for _ in range(40):
        yield b"x" * 65_536


def test_a_callers_request_id_is_kept_and_a_bad_one_replaced(app_client: TestClient) -> None:
    kept = app_client.get("/healthz", headers={"X-Request-Id": "trace-42"})
    assert kept.headers["x-request-id"] == "trace-42"
    for bad in ("x" * 65, "tab\tinside", ""):
        replaced = app_client.get("/healthz", headers={"X-Request-Id": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"]), bad
    fresh = {app_client.get("/healthz").headers["x-request-id"] for _ in range(3)}
    assert len(fresh) == 3  # a new one for each request


def test_the_request_id_is_on_problems_too(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/nothing-here", headers={"X-Request-Id": "trace-404"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "trace-404"
    assert response.json()["request_id"] == "trace-404"


def test_requests_are_counted_by_route_template_and_status(app_client: TestClient) -> None:
    health = _count("GET", "/healthz", "200")
    user = _count("GET", "/api/v1/admin/users/{user_id}", "401")
    # Outside /api/ and /healthz every path is the web app's (its index.html), so an unknown
    # API path is answered by that route's 404.
    unknown = _count("GET", "/{path:path}", "404")
    app_client.get("/healthz")
    app_client.get("/healthz")
    app_client.get("/api/v1/admin/users/00000000-0000-0000-0000-000000000000")
    app_client.get("/api/v1/nothing-here")
    assert _count("GET", "/healthz", "200") == health + 2
    assert _count("GET", "/api/v1/admin/users/{user_id}", "401") == user + 1
    assert _count("GET", "/{path:path}", "404") == unknown + 1


def test_a_body_over_the_limit_without_a_length_is_refused(app_client: TestClient) -> None:
    refused = _count("POST", "/api/v1/auth/login", "413")

    response = app_client.post(
        "/api/v1/auth/login",
        content=_oversized_chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert response.headers["x-request-id"] == response.json()["request_id"]
    assert _count("POST", "/api/v1/auth/login", "413") == refused + 1


def test_the_transfer_fast_path_refuses_a_body_over_the_limit_too(
    app_client: TestClient,
) -> None:
    """The fast path reads the body itself, before anything else (kassa.ledger.fastpath)."""

    response = app_client.post(
        "/api/v1/ledger/transfers",
        content=_oversized_chunks(),
        headers={
            "content-type": "application/json",
            "authorization": "Bearer not-checked-before-the-body",
            "idempotency-key": "k-413",
        },
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_each_request_writes_one_access_log_line(
    app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kassa.access"):
        response = app_client.get("/healthz", headers={"X-Request-Id": "trace-log"})
    lines = [r for r in caplog.records if r.name == "kassa.access"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status) == ("GET", "/healthz", 200)  # type: ignore[attr-defined]
    assert line.ms >= 0  # type: ignore[attr-defined]
    assert response.status_code == 200
