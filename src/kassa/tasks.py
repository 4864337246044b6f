"""Every background task of the platform, registered on the procrastinate app."""

from __future__ import annotations

import procrastinate

from kassa.kit.jobs import job_app
from kassa.kit.mail import send_email

app = job_app()
# Outside systems fail for a while: retry with exponential backoff, then land in 'failed'.
RETRY = procrastinate.RetryStrategy(max_attempts=6, exponential_wait=5)


@app.task(name="mail.send", retry=RETRY)
def mail_send(to: str, subject: str, text: str) -> None:
    send_email(to, subject, text)
