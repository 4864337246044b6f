"""Property-based: for any sequence of operations, every balance equals the sum of its
postings, every currency sums to zero, no limit is broken, and a simple model agrees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kassa.kit.db import unit_of_work
from kassa.kit.money import Money
from kassa.ledger import errors as E
from kassa.ledger import service as L
from kassa.ledger.models import normal_sign
from tests.ledger.conftest import make_accounts

NAMES = ["bank", "alice", "bob", "carol"]
LIMITS = {"bank": None, "alice": 0, "bob": 0, "carol": 500}
TYPES = {"bank": "asset", "alice": "liability", "bob": "liability", "carol": "liability"}

amounts = st.integers(min_value=1, max_value=2_000)
pair = st.lists(st.sampled_from(NAMES), min_size=2, max_size=2, unique=True)
op = st.one_of(
    st.tuples(st.just("transfer"), pair, amounts, st.sampled_from([None, "k1", "k2", "k3"])),
    st.tuples(st.just("hold"), pair, amounts),
    st.tuples(st.just("post"), st.integers(0, 9), st.integers(1, 100)),
    st.tuples(st.just("void"), st.integers(0, 9)),
    st.tuples(st.just("reverse"), st.integers(0, 9)),
    st.tuples(
        st.just("batch"), st.lists(st.tuples(pair, amounts), min_size=1, max_size=6), st.booleans()
    ),
)


@dataclass
class Model:
    posted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NAMES, 0))
    out: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NAMES, 0))
    keys: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    def effect(self, debit: str, credit: str, amount: int) -> dict[str, int]:
        sign = {n: normal_sign(TYPES[n]) for n in NAMES}
        return {debit: sign[debit] * amount, credit: -sign[credit] * amount}

    def fits(self, changes: dict[str, int], extra_out: bool = False) -> bool:
        for name, delta in changes.items():
            limit = LIMITS[name]
            if (
                delta < 0
                and limit is not None
                and self.posted[name] - self.out[name] + delta < -limit
            ):
                return False
        return True


def run(ops: list[tuple]) -> None:  # type: ignore[type-arg]
    prefix = uuid.uuid4().hex[:8]
    ids = make_accounts(prefix)
    with unit_of_work() as s:
        bank = L.create_account(
            s,
            code=f"{prefix}.bank",
            name="Bank",
            type="asset",
            currency="USD",
            limited=False,
            shards=4,
        ).id
    ids = {**ids, "bank": bank}
    acct = {n: ids[n] for n in NAMES}
    model = Model()
    holds: list[tuple[uuid.UUID, str, str, int]] = []
    entries: list[tuple[uuid.UUID, dict[str, int]]] = []

    for item in ops:
        kind = item[0]
        if kind == "transfer":
            (debit, credit), amount, key = item[1], item[2], item[3]
            full_key = f"{prefix}-{key}" if key else None
            changes = model.effect(debit, credit, amount)
            spec = L.transfer(acct[debit], acct[credit], Money(amount, "USD"), key=full_key)
            with unit_of_work() as s:
                result = L.post_entries(s, [spec])[0]
            if key and key in model.keys:
                if model.keys[key] == (debit, credit, amount):
                    assert result.replayed
                else:
                    assert isinstance(result.error, E.IdempotencyKeyReused)
                continue
            assert result.ok == model.fits(changes), (item, model)
            if result.ok:
                assert result.entry_id
                for name, delta in changes.items():
                    model.posted[name] += delta
                entries.append((result.entry_id, changes))
                if key:
                    model.keys[key] = (debit, credit, amount)
        elif kind == "hold":
            (debit, credit), amount = item[1], item[2]
            changes = model.effect(debit, credit, amount)
            try:
                with unit_of_work() as s:
                    hold = L.create_hold(s, acct[debit], acct[credit], Money(amount, "USD"))
            except E.InsufficientFunds:
                assert not model.fits(changes)
                continue
            assert model.fits(changes)
            for name, delta in changes.items():
                if delta < 0:
                    model.out[name] += -delta
            holds.append((hold.hold_id, debit, credit, amount))
        elif kind in ("post", "void") and holds:
            hold_id, debit, credit, amount = holds.pop(item[1] % len(holds))
            for name, delta in model.effect(debit, credit, amount).items():
                if delta < 0:
                    model.out[name] -= -delta
            with unit_of_work() as s:
                if kind == "post":
                    part = max(1, amount * item[2] // 100)
                    res = L.post_hold(s, hold_id, Money(part, "USD"))
                    changes = model.effect(debit, credit, part)
                    for name, delta in changes.items():
                        model.posted[name] += delta
                    assert res.entry_id
                    entries.append((res.entry_id, changes))
                else:
                    L.void_hold(s, hold_id)
        elif kind == "reverse" and entries:
            entry_id, changes = entries.pop(item[1] % len(entries))
            undo = {name: -delta for name, delta in changes.items()}
            try:
                with unit_of_work() as s:
                    L.reverse_entry(s, entry_id)
            except E.InsufficientFunds:
                assert not model.fits(undo)
                entries.append((entry_id, changes))
                continue
            assert model.fits(undo)
            for name, delta in undo.items():
                model.posted[name] += delta
        elif kind == "batch":
            specs, expected = [], []
            trial = Model(dict(model.posted), dict(model.out))
            for (debit, credit), amount in item[1]:
                changes = trial.effect(debit, credit, amount)
                specs.append(L.transfer(acct[debit], acct[credit], Money(amount, "USD")))
                ok = trial.fits(changes)
                expected.append((ok, changes))
                if ok:
                    for name, delta in changes.items():
                        trial.posted[name] += delta
            atomic = item[2]
            all_ok = all(ok for ok, _ in expected)
            try:
                with unit_of_work() as s:
                    results = L.post_entries(s, specs, atomic=atomic)
            except E.InsufficientFunds:
                assert atomic and not all_ok
                continue
            assert [r.ok for r in results] == [ok for ok, _ in expected]
            model.posted = trial.posted
            for r, (ok, changes) in zip(results, expected, strict=True):
                if ok and r.entry_id:
                    entries.append((r.entry_id, changes))

    with unit_of_work() as s:
        report = L.verify(s)
        assert report.ok, report.problems
        for name in NAMES:
            balance = L.get_balance(s, acct[name])
            assert balance.posted == model.posted[name], name
            assert balance.pending_out == model.out[name], name
            if LIMITS[name] is not None:
                assert balance.posted - balance.pending_out >= -(LIMITS[name] or 0)
        totals = s.execute(
            sa.text("SELECT currency, sum(amount) FROM ledger_postings GROUP BY currency")
        ).all()
        assert all(total == 0 for _, total in totals)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(op, max_size=25))
def test_any_sequence_keeps_the_books_exact(db_url: str, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    run(ops)
