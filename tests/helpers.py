"""Helpers shared by the API tests."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import pyotp
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kassa.demo import DEMO_PASSWORD
from kassa.identity.models import SmsMessage
from kassa.kit.db import unit_of_work


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Login:
    client: TestClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.client.put(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.client.patch(url, headers=self.headers, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers=self.headers, **kw)


def latest_sms_code(phone: str) -> str:
    with unit_of_work() as session:
        body = session.scalar(
            sa.select(SmsMessage.body)
            .where(SmsMessage.recipient == phone)
            .order_by(SmsMessage.created_at.desc())
            .limit(1)
        )
    assert body, f"no SMS to {phone}"
    return body.split("code: ")[1][:6]


def login(
    client: TestClient, email: str, password: str = DEMO_PASSWORD, totp_secret: str | None = None
) -> Login:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    if body["mfa_required"]:
        if totp_secret:
            code, method = pyotp.TOTP(totp_secret).now(), "totp"
        else:
            phone_resp = client.post("/api/v1/auth/mfa/sms", json={"mfa_token": body["mfa_token"]})
            assert phone_resp.status_code == 204, phone_resp.text
            from kassa.identity.models import User

            with unit_of_work() as session:
                phone = session.scalar(sa.select(User.phone).where(User.email == email))
            assert phone
            code, method = latest_sms_code(phone), "sms"
        response = client.post(
            "/api/v1/auth/mfa/verify",
            json={"mfa_token": body["mfa_token"], "method": method, "code": code},
        )
        assert response.status_code == 200, response.text
        body = response.json()
    return Login(client, body["access_token"])
