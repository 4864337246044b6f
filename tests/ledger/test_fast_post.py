"""``post_entry`` (in a unit of work) and ``post_entry_now`` (a transaction of its own) run
the server-side function ``ledger_post_entry`` (migrations 0004, 0005); ``post_entries`` runs
the same steps from Python. All must refuse alike and free the key."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import psycopg
import sqlalchemy as sa

from kassa.kit.db import unit_of_work
from kassa.kit.money import Money
from kassa.ledger import errors as E
from kassa.ledger import service as L
from kassa.ledger import single

A = dict[str, uuid.UUID]


def _both(spec: L.EntrySpec) -> tuple[E.LedgerError | None, E.LedgerError | None]:
    """The refusal of the single-entry paths (which must agree) and of a batch of one."""
    with unit_of_work() as s:
        try:
            L.post_entry(s, spec)
            one = None
        except E.LedgerError as exc:
            one = exc
    try:
        L.post_entry_now(spec)
        now = None
    except E.LedgerError as exc:
        now = exc
    assert type(now) is type(one) and str(now) == str(one)
    with unit_of_work() as s:
        many = L.post_entries(s, [spec])[0].error
    return one, many


def test_single_and_batch_refuse_alike_and_free_the_key(accts: A) -> None:
    with unit_of_work() as s:
        L.post_entry(s, L.transfer(accts["bank"], accts["alice"], Money(100, "USD")))
        L.set_status(s, accts["bob"], "frozen")
    legs_eur = [L.Leg(accts["alice"], 1, "EUR"), L.Leg(accts["eve_eur"], -1, "EUR")]
    cases = [
        L.transfer(accts["alice"], accts["eve_eur"], Money(1, "USD"), key="k1"),
        L.EntrySpec(legs=legs_eur, key="k2"),
        L.transfer(accts["alice"], uuid.uuid4(), Money(1, "USD"), key="k3"),
        L.transfer(accts["alice"], accts["bob"], Money(1, "USD"), key="k4"),
        L.transfer(accts["carol"], accts["alice"], Money(501, "USD"), key="k5"),
        L.transfer(accts["alice"], accts["carol"], Money(101, "USD"), key="k6"),
        L.transfer(accts["bank"], accts["alice"], Money(2**63 - 1, "USD"), key="k7"),
    ]
    for spec in cases:
        one, many = _both(spec)
        assert one is not None and many is not None, spec
        assert type(one) is type(many)
        assert str(one) == str(many)
        assert one.extra == many.extra
    with unit_of_work() as s:
        assert s.scalar(sa.text("SELECT count(*) FROM ledger_idempotency")) == 0
        assert s.scalar(sa.text("SELECT count(*) FROM ledger_entries")) == 1
    # A freed key serves another request; a repeat replays, a different request is refused.
    spec = L.transfer(accts["alice"], accts["carol"], Money(7, "USD"), key="k1", meta={"x": 1})
    with unit_of_work() as s:
        first = L.post_entry(s, spec)
    with unit_of_work() as s:
        again = L.post_entry(s, spec)
    assert again.replayed and again.entry_id == first.entry_id
    other = L.transfer(accts["alice"], accts["carol"], Money(8, "USD"), key="k1")
    one, many = _both(other)
    assert isinstance(one, E.IdempotencyKeyReused) and isinstance(many, E.IdempotencyKeyReused)
    with unit_of_work() as s:
        assert L.get_balance(s, accts["carol"]).posted == 7
        meta = s.scalar(
            sa.text("SELECT meta FROM ledger_entries WHERE id = :e"), {"e": first.entry_id}
        )
    assert meta == {"x": 1}


def test_post_entry_now_commits_on_its_own_and_replays(accts: A) -> None:
    spec = L.transfer(accts["bank"], accts["alice"], Money(250, "USD"), key="now-1")
    first = L.post_entry_now(spec)
    assert first.ok and not first.replayed
    again = L.post_entry_now(spec)
    assert again.replayed and again.entry_id == first.entry_id
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 250
        assert s.scalar(sa.text("SELECT count(*) FROM ledger_postings")) == 2
    report = None
    with unit_of_work() as s:
        report = L.verify(s)
    assert report.ok
    # The pooled connection went back transactional: a unit of work still rolls back.
    try:
        with unit_of_work() as s:
            L.post_entry(s, L.transfer(accts["bank"], accts["alice"], Money(1, "USD")))
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 250


# A test-only trigger: after an UPDATE of balances that changed no row, a session that asked
# for it waits at a gate (an advisory lock the test holds) - between ledger_post_entry's
# refused UPDATE and its second look at the row, where the race of migration 0007 was.
_PAUSE_AFTER_REFUSED_UPDATE = """
CREATE FUNCTION test_pause_after_refused_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kassa.test_pause', true) = 'on' AND NOT EXISTS (SELECT 1 FROM changed)
    THEN
        PERFORM pg_advisory_lock_shared(4242);
        PERFORM pg_advisory_unlock_shared(4242);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER test_pause AFTER UPDATE ON ledger_balances REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION test_pause_after_refused_update();
"""


def _wait_for(raw: psycopg.Connection[Any], pid: int, event_type: str, event: str) -> None:
    for _ in range(500):
        row = raw.execute(
            "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
        if row == (event_type, event):
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited on {event_type}/{event}")


def test_refusal_is_decided_on_the_locked_row(db_url: str, accts: A) -> None:
    """Alice has 20; a debit of 50 does not fit, so its UPDATE changes no row (and locks
    none). Before the function looks at the row again, 100 is paid in and committed. The 50
    must then post against the row it locks (120) - not be refused with a wrong reason, as
    the unlocked second look of migration 0005 did (``amount_too_large``)."""
    alice, bob = accts["alice"], accts["bob"]
    L.post_entry_now(L.transfer(accts["bank"], alice, Money(20, "USD")))
    with psycopg.connect(db_url, autocommit=True) as raw:
        raw.execute(_PAUSE_AFTER_REFUSED_UPDATE)
        raw.execute("SELECT pg_advisory_lock(4242)")  # the gate is closed
        late = psycopg.connect(db_url, autocommit=True)
        late.execute("SET kassa.test_pause = 'on'")
        outcome: list[Any] = []
        spec = L.transfer(alice, bob, Money(50, "USD"), key="late-50")
        worker = threading.Thread(
            target=lambda: outcome.append(
                late.execute(single._POST_ONE, single._post_one_params(spec)).fetchone()
            )
        )
        worker.start()
        _wait_for(raw, late.info.backend_pid, "Lock", "advisory")  # refused, at the gate
        L.post_entry_now(L.transfer(accts["bank"], alice, Money(100, "USD")))
        raw.execute("SELECT pg_advisory_unlock(4242)")
        worker.join(timeout=10)
        late.close()
    assert outcome and outcome[0][0] == "posted", outcome
    with unit_of_work() as s:
        assert L.get_balance(s, alice).posted == 20 + 100 - 50
        assert L.verify(s).ok
