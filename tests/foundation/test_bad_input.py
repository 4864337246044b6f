"""Bad input gets a clear 4xx problem+json and changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import login


def _problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


def test_malformed_json(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    _problem(response, 400, "malformed_json")


def test_every_failing_field_is_listed(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    response = admin.post(
        "/api/v1/admin/users",
        json={
            "email": "not-an-email",
            "full_name": "",
            "kind": "alien",
            "phone": "123",
            "extra": 1,
        },
    )
    body = _problem(response, 422, "validation_error")
    fields = {e["field"] for e in body["errors"]}
    assert {"email", "full_name", "kind", "phone", "extra"} <= fields
    assert len(admin.get("/api/v1/admin/users", params={"search": "not-an-email"}).json()) == 0


def test_wrong_types_and_unknown_fields(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/auth/login", json={"email": 5, "password": ["x"], "admin": True}
    )
    body = _problem(response, 422, "validation_error")
    assert {e["field"] for e in body["errors"]} == {"email", "password", "admin"}


def test_oversized_body(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/auth/login", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
    )
    _problem(response, 413, "payload_too_large")


def test_unknown_route_and_method(app_client: TestClient) -> None:
    _problem(app_client.get("/api/v1/nothing-here"), 404, "not_found")
    _problem(app_client.delete("/healthz"), 405, "method_not_allowed")


def test_bad_path_parameter(app_client: TestClient) -> None:
    admin = login(app_client, "admin@kassa.example")
    _problem(admin.get("/api/v1/admin/users/not-a-uuid"), 422, "validation_error")


def test_openapi_documents_errors(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/admin/users"]["post"]
    assert {"201", "401", "403", "422"} <= set(operation["responses"])
    assert "Problem" in spec["components"]["schemas"]


def test_nul_characters_are_refused_wherever_they_are(app_client: TestClient) -> None:
    """PostgreSQL cannot store U+0000 in text: a 400, not a 500, and nothing written."""
    admin = login(app_client, "admin@kassa.example")
    body = _problem(
        admin.post(
            "/api/v1/admin/organisations", json={"name": "Nul\u0000 Ltd", "kind": "company"}
        ),
        400,
        "invalid_character",
    )
    assert "NUL" in body["detail"]
    names = [o["name"] for o in admin.get("/api/v1/admin/organisations").json()]
    assert not any(name.startswith("Nul") for name in names)
    _problem(
        admin.get("/api/v1/admin/users", params={"search": "a\u0000b"}), 400, "invalid_character"
    )
