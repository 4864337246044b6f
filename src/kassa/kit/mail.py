"""E-mail over SMTP. Sending happens in a job, so a slow or absent server never blocks a request."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from kassa.config import get_settings


def send_email(to: str, subject: str, text: str) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        password = settings.smtp_password.get_secret_value()
        if settings.smtp_username and password:
            smtp.login(settings.smtp_username, password)
        smtp.send_message(message)
