"""The ledger service: transfers, idempotency, limits, holds, reversals, batches, reading."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kassa.kit.db import unit_of_work
from kassa.kit.money import Money
from kassa.ledger import errors as E
from kassa.ledger import service as L

A = dict[str, uuid.UUID]


def usd(n: int) -> Money:
    return Money(n, "USD")


def fund(accts: A, name: str, amount: int) -> uuid.UUID:
    with unit_of_work() as s:
        entry = L.post_entry(s, L.transfer(accts["bank"], accts[name], usd(amount)))
    assert entry.entry_id
    return entry.entry_id


def bal(account_id: uuid.UUID) -> L.Balance:
    with unit_of_work() as s:
        return L.get_balance(s, account_id)


def test_transfer_moves_money_and_balances(accts: A) -> None:
    fund(accts, "alice", 10_000)
    with unit_of_work() as s:
        L.post_entry(s, L.transfer(accts["alice"], accts["bob"], usd(2_500), description="rent"))
    assert bal(accts["alice"]).posted == 7_500
    assert bal(accts["bob"]).posted == 2_500
    assert bal(accts["bank"]).posted == 10_000  # an asset: the bank holds the cash
    with unit_of_work() as s:
        assert L.verify(s).ok


def test_idempotent_retry_returns_original_and_other_payload_conflicts(accts: A) -> None:
    fund(accts, "alice", 1_000)
    with unit_of_work() as s:
        first = L.post_entry(s, L.transfer(accts["alice"], accts["bob"], usd(100), key="k-1"))
    with unit_of_work() as s:
        again = L.post_entry(s, L.transfer(accts["alice"], accts["bob"], usd(100), key="k-1"))
    assert again.replayed and again.entry_id == first.entry_id
    with unit_of_work() as s, pytest.raises(E.IdempotencyKeyReused):
        L.post_entry(s, L.transfer(accts["alice"], accts["bob"], usd(101), key="k-1"))
    assert bal(accts["alice"]).posted == 900


def test_refused_request_does_not_use_up_its_key(accts: A) -> None:
    with unit_of_work() as s, pytest.raises(E.InsufficientFunds):
        L.post_entry(s, L.transfer(accts["alice"], accts["bob"], usd(100), key="k-2"))
    fund(accts, "alice", 100)
    with unit_of_work() as s:
        assert not L.post_entry(
            s, L.transfer(accts["alice"], accts["bob"], usd(100), key="k-2")
        ).replayed


@pytest.mark.parametrize(
    ("name", "amount", "error"),
    [
        ("alice", 1, E.InsufficientFunds),
        ("carol", 500, None),  # within the overdraft limit
        ("carol", 501, E.InsufficientFunds),
    ],
)
def test_balance_limits(accts: A, name: str, amount: int, error: type[Exception] | None) -> None:
    spec = L.transfer(accts[name], accts["bob"], usd(amount))
    with unit_of_work() as s:
        if error is None:
            L.post_entry(s, spec)
        else:
            with pytest.raises(error):
                L.post_entry(s, spec)
    with unit_of_work() as s:
        assert L.verify(s).ok


def test_bad_input_is_refused_with_its_own_error(accts: A) -> None:
    fund(accts, "alice", 1_000)
    for amount, currency, error in [
        (0, "USD", E.AmountNotPositive),
        (-5, "USD", E.AmountNotPositive),
        (1.5, "USD", E.AmountNotInteger),
        (True, "USD", E.AmountNotInteger),
        (2**63, "USD", E.AmountTooLarge),
        (2**64 + 1, "USD", E.AmountTooLarge),
        (-(2**63), "USD", E.AmountNotPositive),
        (-(10**30), "USD", E.AmountNotPositive),
        (10, "XXX", E.UnknownCurrency),
        (10, "usd", E.UnknownCurrency),
    ]:
        with pytest.raises(error):
            L.to_money(amount, currency)
    cases: list[tuple[L.EntrySpec, type[Exception]]] = [
        (L.transfer(accts["alice"], accts["eve_eur"], usd(1)), E.CurrencyMismatch),
        (L.transfer(accts["alice"], uuid.uuid4(), usd(1)), E.AccountNotFound),
        (L.transfer(accts["alice"], accts["alice"], usd(1)), E.SameAccount),
        (
            L.EntrySpec(legs=[L.Leg(accts["alice"], 5, "USD"), L.Leg(accts["bob"], -4, "USD")]),
            E.Unbalanced,
        ),
        (L.EntrySpec(legs=[L.Leg(accts["alice"], 5, "USD")]), E.Unbalanced),
    ]
    for spec, error in cases:
        with unit_of_work() as s, pytest.raises(error):
            L.post_entry(s, spec)
    with unit_of_work() as s:
        L.set_status(s, accts["bob"], "frozen")
    with unit_of_work() as s, pytest.raises(E.AccountFrozen):
        L.post_entry(s, L.transfer(accts["alice"], accts["bob"], usd(1)))
    with unit_of_work() as s:
        L.set_status(s, accts["bob"], "closed")
    with unit_of_work() as s, pytest.raises(E.AccountClosed):
        L.post_entry(s, L.transfer(accts["alice"], accts["bob"], usd(1)))
    with unit_of_work() as s:
        assert s.scalar(sa.text("SELECT count(*) FROM ledger_entries")) == 1
    with pytest.raises(ValueError, match="integers"):
        Money(1.0, "USD")  # type: ignore[arg-type]


def test_close_needs_zero_balance(accts: A) -> None:
    fund(accts, "alice", 10)
    with unit_of_work() as s, pytest.raises(E.BalanceNotZero):
        L.set_status(s, accts["alice"], "closed")
    with unit_of_work() as s:
        L.post_entry(s, L.transfer(accts["alice"], accts["bank"], usd(10)))
        L.set_status(s, accts["alice"], "closed")


def test_two_phase_hold_post_partial_void_expire(accts: A) -> None:
    fund(accts, "alice", 1_000)
    with unit_of_work() as s:
        h1 = L.create_hold(s, accts["alice"], accts["bob"], usd(600), key="h1").hold_id
    b = bal(accts["alice"])
    assert (b.posted, b.pending_out, b.available) == (1_000, 600, 400)
    assert bal(accts["bob"]).pending_in == 600
    with unit_of_work() as s, pytest.raises(E.InsufficientFunds):
        L.create_hold(s, accts["alice"], accts["bob"], usd(401))
    with unit_of_work() as s:
        assert L.create_hold(s, accts["alice"], accts["bob"], usd(600), key="h1").replayed
        posted = L.post_hold(s, h1, usd(250))
    assert bal(accts["alice"]).posted == 750 and bal(accts["alice"]).pending_out == 0
    with unit_of_work() as s:
        assert L.post_hold(s, h1, usd(250)).entry_id == posted.entry_id  # retry
        with pytest.raises(E.HoldNotPending):
            L.void_hold(s, h1)
    with unit_of_work() as s:
        h2 = L.create_hold(s, accts["alice"], accts["bob"], usd(100)).hold_id
        L.void_hold(s, h2)
        h3 = L.create_hold(
            s,
            accts["alice"],
            accts["bob"],
            usd(100),
            expires_at=datetime.now(UTC) - timedelta(seconds=1),
        ).hold_id
    with unit_of_work() as s, pytest.raises(E.HoldExpired):
        L.post_hold(s, h3)
    with unit_of_work() as s:
        assert L.expire_holds(s) == 1
    b = bal(accts["alice"])
    assert (b.posted, b.pending_out) == (750, 0)
    with unit_of_work() as s:
        assert L.verify(s).ok


def test_reversal_is_linked_and_happens_once(accts: A) -> None:
    entry = fund(accts, "alice", 300)
    with unit_of_work() as s:
        rev = L.reverse_entry(s, entry, key="rev-1")
    assert bal(accts["alice"]).posted == 0
    with unit_of_work() as s:
        assert L.reverse_entry(s, entry, key="rev-1").entry_id == rev.entry_id
        with pytest.raises(E.AlreadyReversed):
            L.reverse_entry(s, entry)
        linked = s.scalar(
            sa.text("SELECT reverses_id FROM ledger_entries WHERE id = :i"), {"i": rev.entry_id}
        )
    assert linked == entry


def test_batch_reports_per_item_and_atomic_is_all_or_nothing(accts: A) -> None:
    fund(accts, "alice", 100)
    specs = [L.transfer(accts["alice"], accts["bob"], usd(40), key=f"b-{i}") for i in range(3)]
    specs.append(L.transfer(accts["alice"], accts["eve_eur"], usd(1)))
    with unit_of_work() as s:
        results = L.post_entries(s, specs)
    assert [r.ok for r in results] == [True, True, False, False]
    assert isinstance(results[2].error, E.InsufficientFunds)
    assert isinstance(results[3].error, E.CurrencyMismatch)
    assert bal(accts["alice"]).posted == 20
    with unit_of_work() as s:  # the refused item's key is free again; the others replay
        again = L.post_entries(s, specs[:3])
    assert [r.replayed for r in again] == [True, True, False]
    with unit_of_work() as s, pytest.raises(E.InsufficientFunds):
        L.post_entries(
            s,
            [
                L.transfer(accts["bank"], accts["bob"], usd(5)),
                L.transfer(accts["alice"], accts["bob"], usd(500)),
            ],
            atomic=True,
        )
    assert bal(accts["bob"]).posted == 80
    with unit_of_work() as s, pytest.raises(E.BatchTooLarge):
        L.post_entries(s, [L.transfer(accts["bank"], accts["bob"], usd(1))] * 1001)


def test_same_key_twice_in_one_batch(accts: A) -> None:
    spec = L.transfer(accts["bank"], accts["bob"], usd(5), key="dup")
    other = L.transfer(accts["bank"], accts["bob"], usd(6), key="dup")
    with unit_of_work() as s:
        results = L.post_entries(s, [spec, spec, other])
    assert results[0].ok and results[1].replayed and results[1].entry_id == results[0].entry_id
    assert isinstance(results[2].error, E.IdempotencyKeyReused)
    assert bal(accts["bob"]).posted == 5


def test_statement_and_point_in_time_balance(accts: A) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with unit_of_work() as s:
        for day, amount in [(1, 1000), (5, 250), (10, 40)]:
            L.post_entry(
                s,
                L.transfer(
                    accts["bank"], accts["alice"], usd(amount), booked_at=t0 + timedelta(days=day)
                ),
            )
        L.post_entry(
            s, L.transfer(accts["alice"], accts["bob"], usd(300), booked_at=t0 + timedelta(days=7))
        )
    with unit_of_work() as s:
        st = L.statement(s, accts["alice"], t0 + timedelta(days=2), t0 + timedelta(days=9))
        assert L.balance_at(s, accts["alice"], t0 + timedelta(days=6)) == usd(1250)
    assert st.opening == 1000
    assert [(line.amount, line.balance) for line in st.lines] == [(250, 1250), (-300, 950)]
    assert st.closing == 950 and st.total_in == 250 and st.total_out == 300


def test_verify_cli_finds_a_tampered_balance(accts: A) -> None:
    from kassa.cli import app

    fund(accts, "alice", 100)
    runner = CliRunner()
    ok = runner.invoke(app, ["ledger", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "ledger consistent" in ok.output
    with unit_of_work() as s:
        s.execute(
            sa.text("UPDATE ledger_balances SET posted = posted + 1 WHERE account_id = :a"),
            {"a": accts["alice"]},
        )
    bad = runner.invoke(app, ["ledger", "verify"])
    assert bad.exit_code == 1
    assert "t.alice" in bad.output and "INCONSISTENT" in bad.output


AWKWARD_TEXT = ["NULL", '{"a", b}', 'back\\slash "quoted"', "", "ключ ☃\nline"]


def _stored_entries(ids: list[uuid.UUID]) -> list[tuple[str, object, datetime]]:
    with unit_of_work() as s:
        rows = s.execute(
            sa.text(
                "SELECT description, meta, booked_at FROM ledger_entries WHERE id = ANY(:ids)"
                " ORDER BY array_position(CAST(:ids AS uuid[]), id)"
            ),
            {"ids": ids},
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


@pytest.mark.parametrize("path", ["batch", "group"])
def test_text_meta_and_times_are_stored_as_given(
    accts: A, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Batches and groups pass their columns as array literals (``kassa.kit.pgarray``):
    whatever the text, the entry keeps it, and its booking time is the one given."""
    fund(accts, "alice", 1_000)
    when = datetime(2026, 6, 1, 9, 30, 15, 123456, tzinfo=UTC)
    specs = [
        L.transfer(
            accts["alice"],
            accts["bob"],
            usd(1),
            key=f"awkward-{path}-{n}",
            description=text,
            meta={"note": text, "n": n},
            booked_at=when if n % 2 == 0 else None,
        )
        for n, text in enumerate(AWKWARD_TEXT)
    ]
    if path == "batch":
        with unit_of_work() as s:
            results = L.post_entries(s, specs)
    else:
        with caplog.at_level(logging.WARNING, logger="kassa.ledger.single"):
            results = L.post_group(specs)
        # Posted by the group's one statement, not by its fallback of one entry at a time.
        assert "a ledger group failed" not in caplog.text
    ids = [r.entry_id for r in results]
    assert all(isinstance(i, uuid.UUID) for i in ids)
    stored = _stored_entries([i for i in ids if i is not None])
    assert [d for d, _, _ in stored] == AWKWARD_TEXT
    assert [m for _, m, _ in stored] == [{"note": t, "n": n} for n, t in enumerate(AWKWARD_TEXT)]
    assert [b for n, (_, _, b) in enumerate(stored) if n % 2 == 0] == [when] * 3
    assert all(b != when for n, (_, _, b) in enumerate(stored) if n % 2 == 1)
