"""A batch writes its entries before it locks the balance rows, then re-checks them locked.

These tests make the race real: between the batch's unlocked read and its lock, another
connection commits a transfer that moves the same account's balance.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import sqlalchemy as sa

from kassa.kit.db import unit_of_work
from kassa.kit.money import Money
from kassa.ledger import engine
from kassa.ledger import errors as E
from kassa.ledger import service as L

A = dict[str, uuid.UUID]


def _fund(accts: A, name: str, amount: int) -> None:
    with unit_of_work() as s:
        L.post_entry(s, L.transfer(accts["bank"], accts[name], Money(amount, "USD")))


@pytest.fixture
def race(monkeypatch: pytest.MonkeyPatch) -> Callable[[L.EntrySpec], list[bool]]:
    """Arrange for ``spec`` to be posted by another connection right after the batch reads;
    returns a list that records whether the batch's optimistic write went through."""

    def arrange(spec: L.EntrySpec) -> list[bool]:
        real_read, real_optimistic = engine.read_rows, engine._post_optimistically
        outcomes: list[bool] = []

        def read_then_race(session: Any, account_ids: Iterable[uuid.UUID]) -> Any:
            rows = real_read(session, account_ids)
            L.post_entry_now(spec)  # its own connection and transaction, committed
            return rows

        def recording(*args: Any) -> bool:
            outcomes.append(real_optimistic(*args))
            return outcomes[-1]

        # The engine's own names: ``post_entries`` looks them up in its module at call time.
        monkeypatch.setattr(engine, "read_rows", read_then_race)
        monkeypatch.setattr(engine, "_post_optimistically", recording)
        return outcomes

    return arrange


def test_balance_drained_after_the_read_is_caught_when_locked(accts: A, race: Any) -> None:
    _fund(accts, "alice", 500)
    outcomes = race(L.transfer(accts["alice"], accts["bob"], Money(400, "USD")))
    with unit_of_work() as s:
        results = L.post_entries(
            s,
            [
                L.transfer(accts["alice"], accts["carol"], Money(300, "USD"), key="b1"),
                L.transfer(accts["bank"], accts["carol"], Money(5, "USD"), key="b2"),
            ],
        )
    assert outcomes == [False]  # the locked re-check refused the optimistic write
    assert isinstance(results[0].error, E.InsufficientFunds)
    assert results[1].ok
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 100
        assert L.get_balance(s, accts["carol"]).posted == 5
        assert s.scalar(sa.text("SELECT count(*) FROM ledger_idempotency")) == 1  # b2 only
        assert L.verify(s).ok


def test_balance_moved_but_still_enough_keeps_the_optimistic_write(accts: A, race: Any) -> None:
    _fund(accts, "alice", 1000)
    outcomes = race(L.transfer(accts["alice"], accts["bob"], Money(100, "USD")))
    with unit_of_work() as s:
        results = L.post_entries(
            s, [L.transfer(accts["alice"], accts["carol"], Money(300, "USD"), key="b1")]
        )
    assert outcomes == [True]
    assert results[0].ok
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 600
        assert L.get_balance(s, accts["bob"]).posted == 100
        assert L.verify(s).ok


def test_account_frozen_after_the_read_refuses_under_the_lock(accts: A, race: Any) -> None:
    _fund(accts, "alice", 1000)
    outcomes = race(L.transfer(accts["alice"], accts["bob"], Money(1, "USD")))
    with unit_of_work() as s:
        L.set_status(s, accts["carol"], "frozen")
    # carol was frozen before the batch read: refused without an optimistic attempt.
    with unit_of_work() as s:
        results = L.post_entries(
            s, [L.transfer(accts["alice"], accts["carol"], Money(5, "USD"), key="f1")]
        )
    assert outcomes == [] and isinstance(results[0].error, E.AccountFrozen)


def test_atomic_batch_falls_back_and_refuses_as_a_whole(accts: A, race: Any) -> None:
    _fund(accts, "alice", 500)
    race(L.transfer(accts["alice"], accts["bob"], Money(400, "USD")))
    with pytest.raises(E.InsufficientFunds), unit_of_work() as s:
        L.post_entries(
            s,
            [
                L.transfer(accts["bank"], accts["carol"], Money(5, "USD"), key="a1"),
                L.transfer(accts["alice"], accts["carol"], Money(300, "USD"), key="a2"),
            ],
            atomic=True,
        )
    with unit_of_work() as s:
        assert L.get_balance(s, accts["carol"]).posted == 0
        assert L.get_balance(s, accts["alice"]).posted == 100
        assert s.scalar(sa.text("SELECT count(*) FROM ledger_entries")) == 2  # fund and race
        assert L.verify(s).ok
