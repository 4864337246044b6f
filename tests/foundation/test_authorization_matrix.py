"""Every API route, called as every kind of user and with no login, allows or denies exactly
as its declared access says. New routes join automatically; a route that declares no access
fails the test."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from kassa.identity.models import LoginSession, User, UserGrant
from kassa.identity.principal import effective_permissions
from kassa.identity.sections import Level, Section, UserKind
from kassa.identity.tokens import issue_access_token
from kassa.kit.clock import utcnow
from kassa.kit.db import unit_of_work

USERS = [
    "admin@kassa.example",
    "auditor@kassa.example",
    "operator@kassa.example",  # gets admin denied per user below
    "anna@example.com",
    "ben@example.com",
    "owner@northwind.example",
    "manager@partner.example",
]


def _access(route: APIRoute) -> tuple[str, Section | None, Level | None] | None:
    stack = list(route.dependant.dependencies)
    found = []
    while stack:
        dep = stack.pop()
        marker = getattr(dep.call, "kassa_access", None)
        if marker is not None:
            found.append(marker)
        stack.extend(dep.dependencies)
    sections = [m for m in found if m[0] == "section"]
    if sections:
        return max(sections, key=lambda m: m[2])
    if any(m[0] == "authenticated" for m in found):
        return ("authenticated", None, None)
    if any(m[0] == "public" for m in found):
        return ("public", None, None)
    return None


def _api_routes(app: Any) -> list[APIRoute]:
    # Every router the app includes is in API_ROUTERS; their routes carry the full path.
    from kassa.app import API_ROUTERS

    return [r for router in API_ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def _url(path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name == "section":
            return "accounts"
        if name == "action":
            return "user.set_grant"
        return str(uuid.uuid4())

    return re.sub(r"\{([^}]+)\}", fill, path)


def _mint_token(email: str) -> tuple[str, dict[Section, Level]]:
    with unit_of_work() as session:
        user = session.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        login_session = LoginSession(user_id=user.id, expires_at=utcnow() + timedelta(hours=1))
        session.add(login_session)
        session.flush()
        token = issue_access_token(user.id, login_session.id)
        return token, effective_permissions(session, user.id, UserKind(user.kind))


def test_every_route_declares_its_access(app_client: TestClient) -> None:
    routes = _api_routes(app_client.app)
    assert len(routes) > 30
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if _access(r) is None]
    assert not missing, f"routes without declared access: {missing}"


def test_authorization_matrix(app_client: TestClient) -> None:
    with unit_of_work() as session:
        operator = session.scalar(sa.select(User.id).where(User.email == "operator@kassa.example"))
        session.add(UserGrant(user_id=operator, section="admin", level="none"))
    routes = _api_routes(app_client.app)
    assert len(routes) > 30
    checked = 0
    failures: list[str] = []
    for route in routes:
        kind, section, level = _access(route)  # type: ignore[misc]
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            url = _url(route.path)
            for email in [None, *USERS]:
                headers = {}
                permissions: dict[Section, Level] = {}
                if email:
                    token, permissions = _mint_token(email)
                    headers["Authorization"] = f"Bearer {token}"
                response = app_client.request(method, url, headers=headers, json={})
                status = response.status_code
                code = (
                    response.json().get("code")
                    if response.headers.get("content-type", "").startswith(
                        "application/problem+json"
                    )
                    else None
                )
                checked += 1
                who = email or "anonymous"
                assert status != 500, f"{method} {url} as {who}: 500 {response.text}"
                if kind == "public":
                    if status in (401, 403) and code in ("not_authenticated", "section_denied"):
                        failures.append(f"{method} {route.path} public but {status} for {who}")
                    continue
                if email is None:
                    if status != 401:
                        failures.append(f"{method} {route.path} anonymous got {status}")
                    continue
                if kind == "authenticated":
                    if status == 401 or code == "section_denied":
                        failures.append(f"{method} {route.path} {who} got {status}")
                    continue
                assert section is not None and level is not None
                allowed = permissions.get(section, Level.NONE) >= level
                denied = status == 403 and code == "section_denied"
                if allowed and (denied or status == 401):
                    failures.append(f"{method} {route.path} {who} should pass, got {status}")
                if not allowed and not denied:
                    failures.append(
                        f"{method} {route.path} {who} should be denied, got {status} {code}"
                    )
    assert not failures, "\n".join(failures)
    assert checked > 200


@pytest.mark.parametrize("email", ["anna@example.com", "owner@northwind.example"])
def test_customers_never_reach_staff_sections(app_client: TestClient, email: str) -> None:
    token, permissions = _mint_token(email)
    assert Section.AUDIT not in permissions and Section.MONITORING not in permissions
    response = app_client.get("/api/v1/audit/records", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json()["code"] == "section_denied"
