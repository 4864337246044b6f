"""``ledger_post_group`` (0008): independent entries posted in one call and one transaction,
each answered as ``ledger_post_entry`` would answer it alone; and ``post_entry_now``, which
group-commits concurrent callers through it."""

from __future__ import annotations

import logging
import random
import threading
import uuid

import psycopg
import pytest
import sqlalchemy as sa

from kassa.audit import service as audit
from kassa.kit.db import autocommit_cursor, unit_of_work
from kassa.kit.money import Money
from kassa.kit.pgarray import plain_array
from kassa.ledger import errors as E
from kassa.ledger import service as L
from kassa.ledger import single

A = dict[str, uuid.UUID]


def _fund(accts: A) -> None:
    with unit_of_work() as s:
        L.post_entry(s, L.transfer(accts["bank"], accts["alice"], Money(100, "USD")))
        L.set_status(s, accts["bob"], "frozen")


def _refusal_cases(accts: A) -> list[L.EntrySpec]:
    legs_eur = [L.Leg(accts["alice"], 1, "EUR"), L.Leg(accts["eve_eur"], -1, "EUR")]
    return [
        L.transfer(accts["alice"], accts["eve_eur"], Money(1, "USD"), key="k1"),  # currency
        L.EntrySpec(legs=legs_eur, key="k2"),  # currency (the account holds USD)
        L.transfer(accts["alice"], uuid.uuid4(), Money(1, "USD"), key="k3"),  # no account
        L.transfer(accts["alice"], accts["bob"], Money(1, "USD"), key="k4"),  # frozen
        L.transfer(accts["carol"], accts["alice"], Money(501, "USD"), key="k5"),  # limit
        L.transfer(accts["alice"], accts["carol"], Money(101, "USD"), key="k6"),  # funds
        L.transfer(accts["bank"], accts["alice"], Money(2**63 - 1, "USD"), key="k7"),  # 64 bit
    ]


def _keys_stored(keys: list[str]) -> set[str]:
    with unit_of_work() as s:
        return set(
            s.scalars(
                sa.text("SELECT key FROM ledger_idempotency WHERE key = ANY(:k)"), {"k": keys}
            )
        )


def test_a_group_refuses_each_entry_as_a_single_post_would_and_posts_the_rest(
    accts: A,
) -> None:
    _fund(accts)
    refused = _refusal_cases(accts)
    # The posted ones touch neither alice nor carol, so each refusal is the same before
    # and after the group.
    good = [
        L.transfer(accts["bank"], accts["fees"], Money(40, "USD"), key="g1"),
        L.transfer(accts["bank"], accts["fees"], Money(7, "USD"), key="g2"),
    ]
    specs = [good[0], *refused, good[1]]
    outcomes = L.post_group(specs)

    assert isinstance(outcomes[0], L.PostResult) and outcomes[0].ok
    assert isinstance(outcomes[-1], L.PostResult) and outcomes[-1].ok
    with unit_of_work() as s:
        assert L.get_balance(s, accts["fees"]).posted == 47
        assert L.get_balance(s, accts["alice"]).posted == 100
        assert L.verify(s).ok
    # The refusals, one by one, are those of the single-entry path.
    for spec, outcome in zip(refused, outcomes[1:-1], strict=True):
        assert isinstance(outcome, E.LedgerError), spec
        with pytest.raises(E.LedgerError) as alone:
            L.post_entry_now(spec)
        assert type(outcome) is type(alone.value)
        assert str(outcome) == str(alone.value)
    # A refused entry does not use up its key; a posted one does.
    assert _keys_stored([f"k{i}" for i in range(1, 8)] + ["g1", "g2"]) == {"g1", "g2"}


def test_entries_of_a_group_are_checked_in_order(accts: A) -> None:
    alice, carol = accts["alice"], accts["carol"]  # carol may go 500 below zero
    outcomes = L.post_group(
        [
            L.transfer(carol, alice, Money(300, "USD"), key="o1"),
            L.transfer(carol, alice, Money(300, "USD"), key="o2"),  # 600 > 500: refused
            L.transfer(alice, carol, Money(250, "USD"), key="o3"),  # pays carol back
            L.transfer(carol, alice, Money(300, "USD"), key="o4"),  # fits again
        ]
    )
    assert [type(o).__name__ for o in outcomes] == [
        "PostResult",
        "InsufficientFunds",
        "PostResult",
        "PostResult",
    ]
    with unit_of_work() as s:
        assert L.get_balance(s, carol).posted == -350
        assert L.get_balance(s, alice).posted == 350


def test_a_group_replays_a_known_key_and_refuses_a_reused_one(accts: A) -> None:
    _fund(accts)
    first = L.transfer(accts["alice"], accts["carol"], Money(5, "USD"), key="r1")
    posted = L.post_entry_now(first)
    other = L.transfer(accts["alice"], accts["carol"], Money(6, "USD"), key="r1")
    fresh = L.transfer(accts["alice"], accts["carol"], Money(1, "USD"), key="r2")
    replay, reused, new = L.post_group([first, other, fresh])
    assert isinstance(replay, L.PostResult)
    assert replay.replayed and replay.entry_id == posted.entry_id
    assert isinstance(reused, E.IdempotencyKeyReused)
    assert isinstance(new, L.PostResult) and new.ok and not new.replayed
    with unit_of_work() as s:
        assert L.get_balance(s, accts["carol"]).posted == 6


def test_the_database_refuses_a_key_twice_in_one_group(accts: A) -> None:
    """A key claimed once would post twice; ``GroupCommit`` never groups such entries, and
    the function refuses them too."""
    spec = L.transfer(accts["bank"], accts["alice"], Money(3, "USD"), key="dup")
    with (
        pytest.raises(psycopg.errors.UniqueViolation, match="twice in one group"),
        autocommit_cursor() as cursor,
    ):
        cursor.execute(
            single._POST_GROUP,
            (
                ["dup", "dup"],
                ["h", "h"],
                plain_array([uuid.uuid4(), uuid.uuid4()]),
                ["transfer", "transfer"],
                ["", ""],
                [None, None],
                [None, None],
                "{1,1,2,2}",
                plain_array([g.account_id for g in spec.legs] * 2),
                "{USD,USD,USD,USD}",
                plain_array([g.amount for g in spec.legs] * 2),
                0,
            ),
        )
    # post_group falls back to posting one by one: the first posts, the second replays.
    first, second = L.post_group([spec, spec])
    assert isinstance(first, L.PostResult) and isinstance(second, L.PostResult)
    assert second.replayed and second.entry_id == first.entry_id
    with unit_of_work() as s:
        assert L.get_balance(s, accts["alice"]).posted == 3


def test_many_threads_posting_at_once_keep_the_books_exact(
    accts: A, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 threads post through ``post_entry_now`` (group-committed, two groups at a time)
    while 4 post through units of work, among a few accounts and the hot bank account; some
    resend a transfer whose answer they "lost". No group fails (a deadlock would show as a
    fall-back), every acknowledged transfer exists once, and the money adds up."""
    accounts = [accts["bank"], accts["alice"], accts["bob"], accts["carol"]]
    with unit_of_work() as s:
        for a in accounts[1:]:
            L.post_entry(s, L.transfer(accts["bank"], a, Money(1_000, "USD")))
    sizes: list[int] = []
    run = single._GROUP._run

    def recorded(specs: list[L.EntrySpec]) -> list[L.PostResult | E.LedgerError]:
        sizes.append(len(specs))
        return run(specs)

    monkeypatch.setattr(single._GROUP, "_run", recorded)
    acknowledged: dict[str, tuple[uuid.UUID, uuid.UUID, uuid.UUID, int]] = {}
    problems: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(44)

    def client(n: int, grouped: bool) -> None:
        rnd = random.Random(n)
        start.wait()
        for t in range(25):
            debit, credit = rnd.sample(accounts, 2)
            amount = rnd.randint(1, 400)
            key = f"c{n}-{t}"
            spec = L.transfer(debit, credit, Money(amount, "USD"), key=key, meta={"key": key})
            try:
                if grouped:
                    result = L.post_entry_now(spec)
                    if rnd.random() < 0.2:  # the answer was "lost": send it again
                        again = L.post_entry_now(spec)
                        assert again.replayed and again.entry_id == result.entry_id
                else:
                    with unit_of_work() as s:
                        result = L.post_entry(s, spec)
            except E.InsufficientFunds:
                continue
            except BaseException as exc:
                with lock:
                    problems.append(exc)
                return
            assert result.entry_id is not None
            with lock:
                acknowledged[key] = (result.entry_id, debit, credit, amount)

    with caplog.at_level(logging.WARNING, logger="kassa.ledger.single"):
        threads = [threading.Thread(target=client, args=(n, n >= 4)) for n in range(44)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert not problems, problems[:3]
    assert not [r for r in caplog.records if "group failed" in r.getMessage()]
    assert len(acknowledged) > 300
    assert max(sizes) > 1, "no two transfers ever shared a group"

    expected = dict.fromkeys(accounts[1:], 1000) | {accts["bank"]: 3_000}
    for _entry, debit, credit, amount in acknowledged.values():
        expected[debit] += amount if debit == accts["bank"] else -amount
        expected[credit] += -amount if credit == accts["bank"] else amount
    with unit_of_work() as s:
        assert L.verify(s).ok
        assert {a: L.get_balance(s, a).posted for a in accounts} == expected
        assert L.get_balance(s, accts["alice"]).available >= 0
        assert L.get_balance(s, accts["carol"]).available >= -500
        rows = dict(
            s.execute(
                sa.text("SELECT meta->>'key', id FROM ledger_entries WHERE meta ? 'key'")
            ).all()
        )
    assert rows == {key: entry for key, (entry, *_rest) in acknowledged.items()}


_AUDITED = (
    f"SELECT status, ref, info FROM ledger_post_group_audited({L.GROUP_ARGS},"
    " %s::text[], %s::text[], %s::text[], %s::integer)"
)


def test_an_audited_group_records_exactly_what_it_posted(accts: A) -> None:
    """``ledger_post_group_audited`` (migration 0013) writes one record per posted entry, in
    the entries' order, with the columns of the JSON it hashed; a refused entry (no funds)
    writes none. The chain verifies."""
    _fund(accts)
    who = audit.Actor(uuid.uuid4(), uuid.uuid4(), 'Zoë "Z" Ørsted')
    specs = [
        L.transfer(accts["bank"], accts["alice"], Money(5, "USD"), key="aud-1"),
        L.transfer(accts["carol"], accts["bank"], Money(10_000, "USD"), key="aud-2"),  # funds
        L.transfer(accts["alice"], accts["bank"], Money(3, "USD"), key="aud-3"),
    ]
    entry_ids = [uuid.uuid4() for _ in specs]
    details = [
        {"n": n, "note": 'back\\slash "q" ☃', "nested": {"big": 2**63 - 1}} for n in range(3)
    ]
    records = [
        audit.prepare("test.group", who, target_type="t", target_id=e, details=d)
        for e, d in zip(entry_ids, details, strict=True)
    ]
    with autocommit_cursor() as cursor:
        cursor.execute(
            _AUDITED,
            (*L.group_params(specs, entry_ids), *audit.append_arrays(records), 3),
        )
        statuses = [row[0] for row in cursor.fetchall()]
    assert statuses == ["posted", "insufficient_funds", "posted"]
    with unit_of_work() as s:
        rows = (
            s.execute(sa.text("SELECT * FROM audit_log WHERE action = 'test.group' ORDER BY seq"))
            .mappings()
            .all()
        )
        assert [r["target_id"] for r in rows] == [str(entry_ids[0]), str(entry_ids[2])]
        assert [r["details"] for r in rows] == [details[0], details[2]]
        assert {r["actor_label"] for r in rows} == {who.label}
        assert {r["actor_id"] for r in rows} == {who.user_id}
        assert {r["org_id"] for r in rows} == {who.org_id}
        assert rows[1]["prev_hash"] == rows[0]["hash"] and rows[1]["seq"] == rows[0]["seq"] + 1
        assert audit.verify(s).ok


def test_audit_append_refuses_parts_that_do_not_line_up(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        before = conn.execute("SELECT count(*), max(last_seq) FROM audit_chain_heads").fetchone()
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="2 heads, 1 middles"):
            conn.execute("SELECT audit_append(0, '{a,b}', '{c}', '{d,e}')")
        after = conn.execute("SELECT count(*), max(last_seq) FROM audit_chain_heads").fetchone()
    assert after == before
