"""Durable jobs: enqueued with the transaction that causes them, run by the real worker."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from kassa.kit.db import unit_of_work
from kassa.kit.jobs import defer, job_counts, run_pending_jobs
from tests.conftest import Mailbox


def test_rolled_back_transaction_leaves_no_job(db_url: str) -> None:
    with pytest.raises(RuntimeError), unit_of_work() as session:
        defer(session, "mail.send", to="a@example.com", subject="s", text="t")
        raise RuntimeError("the change failed")
    with unit_of_work() as session:
        assert job_counts(session) == {}


def test_committed_job_runs_in_worker(db_url: str, smtp_server: Mailbox) -> None:
    with unit_of_work() as session:
        defer(session, "mail.send", to="b@example.com", subject="Hello", text="Body")
        with unit_of_work() as other:
            assert job_counts(other) == {}  # not visible to others before commit
    run_pending_jobs()
    assert smtp_server.last_to("b@example.com")["Subject"] == "Hello"
    with unit_of_work() as session:
        status = session.execute(
            sa.text("SELECT status::text FROM procrastinate_jobs WHERE task_name = 'mail.send'")
        ).scalar_one()
        assert status == "succeeded"


def test_hold_expiry_task_runs(db_url: str) -> None:
    from kassa.tasks import ledger_expire_holds

    assert ledger_expire_holds(0) == 0
    with unit_of_work() as session:
        assert session.execute(sa.text("SELECT count(*) FROM ledger_holds")).scalar() == 0
