"""Durable background jobs on PostgreSQL (procrastinate).

``defer`` enqueues a job on the caller's session, in the same transaction as the change that
causes it: if the transaction rolls back, the job was never there; if it commits, the job is.
``kassa worker`` runs them; failed jobs stay in ``procrastinate_jobs`` with status 'failed'.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import procrastinate
import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.kit.db import database_url

_app: procrastinate.App | None = None


def job_app() -> procrastinate.App:
    """The procrastinate app with every domain's tasks registered."""
    global _app
    if _app is None:
        connector = procrastinate.PsycopgConnector(conninfo=database_url())
        _app = procrastinate.App(connector=connector)
        from kassa.tasks import register

        register(_app)
    return _app


def reset_job_app() -> None:
    global _app
    _app = None


def defer(
    session: Session,
    task_name: str,
    *,
    queue: str = "default",
    scheduled_at: datetime | None = None,
    lock: str | None = None,
    queueing_lock: str | None = None,
    priority: int = 0,
    **kwargs: Any,
) -> int:
    """Enqueue ``task_name`` with ``kwargs`` inside the session's transaction; returns the job id."""
    # procrastinate's versioned SQL API (procrastinate_defer_jobs_v1) is what its own
    # manager calls; calling it here puts the job in our transaction.
    job_id = session.execute(
        sa.text(
            "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, :priority, "
            ":lock, :qlock, CAST(:args AS jsonb), :scheduled_at)"
            "::procrastinate_job_to_defer_v1]))"
        ),
        {
            "queue": queue,
            "task": task_name,
            "priority": priority,
            "lock": lock,
            "qlock": queueing_lock,
            "args": json.dumps(kwargs, default=str),
            "scheduled_at": scheduled_at,
        },
    ).scalar_one()
    return int(job_id)


def run_pending_jobs(queues: list[str] | None = None) -> None:
    """Run every job that is due now, then return (tests, `kassa worker --once`)."""
    asyncio.run(_run_until_empty(queues))


async def _run_until_empty(queues: list[str] | None) -> None:
    app = job_app()
    async with app.open_async():
        await app.run_worker_async(
            queues=queues,  # type: ignore[arg-type]  # None means every queue
            wait=False,
            install_signal_handlers=False,
            listen_notify=False,
        )


def job_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        sa.text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
    ).all()
    return {str(status): int(count) for status, count in rows}
