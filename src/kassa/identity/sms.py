"""Sending SMS through a small interface.

``DevSmsSender`` records messages in the database so the demo works offline and staff can
read them (``kassa sms list``, the admin page); ``HttpSmsSender`` posts to a provider.
"""

from __future__ import annotations

from typing import Protocol

import httpx
from sqlalchemy.orm import Session

from kassa.config import Settings, get_settings
from kassa.identity.models import SmsMessage


class SmsSender(Protocol):
    def send(self, session: Session, to: str, text: str) -> None: ...


class DevSmsSender:
    def send(self, session: Session, to: str, text: str) -> None:
        session.add(SmsMessage(recipient=to, body=text, backend="dev"))
        session.flush()


class HttpSmsSender:
    """A generic JSON-over-HTTPS provider: POST {to, from, text} with a bearer token."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.sms_http_url
        self.token = settings.sms_http_token.get_secret_value()
        self.sender = settings.sms_http_sender

    def send(self, session: Session, to: str, text: str) -> None:
        response = httpx.post(
            self.url,
            json={"to": to, "from": self.sender, "text": text},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        response.raise_for_status()
        # Keep a trace without the text: it holds a one-time code.
        session.add(SmsMessage(recipient=to, body="(sent via provider)", backend="http"))
        session.flush()


def sms_sender(settings: Settings | None = None) -> SmsSender:
    settings = settings or get_settings()
    if settings.sms_backend == "http":
        return HttpSmsSender(settings)
    return DevSmsSender()
