"""Every background task of the platform.

The functions are plain; ``register`` puts them on a procrastinate app. ``kit.jobs.job_app``
calls it for each app it builds, so a new app (another database, a test) has every task.
"""

from __future__ import annotations

import procrastinate

from kassa.kit.mail import send_email

# Outside systems fail for a while: retry with exponential backoff, then land in 'failed'.
RETRY = procrastinate.RetryStrategy(max_attempts=6, exponential_wait=5)


def mail_send(to: str, subject: str, text: str) -> None:
    send_email(to, subject, text)


def ledger_expire_holds(timestamp: int) -> int:
    """Every minute: release holds whose time is up, in batches, each its own transaction."""
    from kassa.ledger.service import expire_all_holds

    return expire_all_holds()


def register(app: procrastinate.App) -> None:
    app.task(name="mail.send", retry=RETRY)(mail_send)
    app.periodic(cron="* * * * *", periodic_id="ledger.expire_holds")(
        app.task(name="ledger.expire_holds", queueing_lock="ledger.expire_holds")(
            ledger_expire_holds
        )
    )
