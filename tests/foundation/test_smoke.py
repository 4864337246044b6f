from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import login


def test_health(app_client: TestClient) -> None:
    response = app_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-request-id"]


def test_admin_login_and_me(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    me = admin.get("/api/v1/me").json()
    assert me["kind"] == "staff"
    assert me["permissions"]["admin"] == "approve"
