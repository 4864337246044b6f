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


@app.periodic(cron="* * * * *", periodic_id="ledger.expire_holds")
@app.task(name="ledger.expire_holds", queueing_lock="ledger.expire_holds")
def ledger_expire_holds(timestamp: int) -> int:
    """Every minute: release holds whose time is up, in batches, each its own transaction."""
    from kassa.kit.db import unit_of_work
    from kassa.ledger.service import expire_holds

    total = 0
    while True:
        with unit_of_work() as session:
            done = expire_holds(session)
        total += done
        if done == 0:
            return total
