"""A local SMTP server for the demo: mail is written to var/mail/ instead of leaving the machine."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from kassa.config import get_settings
from kassa.kit.ids import uuid7

_log = logging.getLogger(__name__)


class _Maildir:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        (self.folder / f"{uuid7()}.eml").write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def start_mail_catcher() -> Controller | None:
    settings = get_settings()
    with socket.socket() as probe:
        if probe.connect_ex((settings.smtp_host, settings.smtp_port)) == 0:
            _log.info("an SMTP server already listens; using it")
            return None
    folder = settings.data_dir / "mail"
    controller = Controller(_Maildir(folder), hostname=settings.smtp_host, port=settings.smtp_port)
    controller.start()
    print(
        f"Demo mail catcher on {settings.smtp_host}:{settings.smtp_port}; mail lands in {folder}/"
    )
    return controller
