"""A concurrent bank on the real database: 50 clients, random transfers among a few accounts
and one hot bank account, each retried with the same key after a timeout."""

from __future__ import annotations

import random
import threading
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from kassa.kit.db import unit_of_work
from kassa.kit.money import Money
from kassa.ledger import errors as E
from kassa.ledger import service as L

CLIENTS = 50
TRANSFERS_EACH = 16
CUSTOMERS = 6
FUNDING = 5_000


def test_fifty_concurrent_clients_keep_the_books_exact(db_url: str) -> None:
    with unit_of_work() as s:
        hot = L.bank_account(s, "settlement", "USD")
        customers = [
            L.create_account(
                s,
                code=f"c{i}",
                name=f"C{i}",
                type="liability",
                currency="USD",
                overdraft_limit=100 * (i % 2),
            ).id
            for i in range(CUSTOMERS)
        ]
        for account in customers:
            L.post_entry(s, L.transfer(hot, account, Money(FUNDING, "USD")))
    accounts = [hot, *customers]
    acknowledged: dict[str, uuid.UUID] = {}
    moves: dict[str, tuple[uuid.UUID, uuid.UUID, int]] = {}
    deadlocks: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def attempt(spec: L.EntrySpec, timeout_ms: int) -> L.PostResult:
        with unit_of_work() as s:
            s.execute(sa.text(f"SET LOCAL statement_timeout = {timeout_ms}"))
            return L.post_entry(s, spec)

    def client(n: int) -> None:
        rnd = random.Random(n)
        start.wait()
        for t in range(TRANSFERS_EACH):
            debit, credit = rnd.sample(accounts, 2)
            key = f"client-{n}-{t}"
            amount = rnd.randint(1, 900)
            spec = L.transfer(debit, credit, Money(amount, "USD"), key=key, meta={"key": key})
            timeout = rnd.choice([5, 50, 2000])  # a short one times out under load
            for _retry in range(50):
                try:
                    result = attempt(spec, timeout)
                except E.InsufficientFunds:
                    break
                except DBAPIError as exc:
                    code = getattr(exc.orig, "sqlstate", None)
                    if code == "40P01":
                        with lock:
                            deadlocks.append(key)
                    elif code != "57014":  # statement timeout: retry with the same key
                        with lock:
                            unexpected.append(exc)
                        return
                    timeout = 5000
                    continue
                except BaseException as exc:
                    with lock:
                        unexpected.append(exc)
                    return
                # Sometimes the acknowledgement is "lost": the client retries anyway.
                if rnd.random() < 0.2:
                    again = attempt(spec, 5000)
                    assert again.replayed and again.entry_id == result.entry_id
                assert result.entry_id is not None
                with lock:
                    acknowledged[key] = result.entry_id
                    moves[key] = (debit, credit, amount)
                break

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not unexpected, unexpected[:3]
    assert not deadlocks
    assert len(acknowledged) > CLIENTS * TRANSFERS_EACH // 3
    with unit_of_work() as s:
        report = L.verify(s)
        assert report.ok, report.problems
        balances = {a: L.get_balance(s, a) for a in accounts}
        # Money is conserved: customers hold exactly what the bank's cash account shows.
        assert sum(balances[c].posted for c in customers) == balances[hot].posted
        expected = dict.fromkeys(customers, FUNDING) | {hot: FUNDING * CUSTOMERS}
        for debit, credit, amount in moves.values():
            expected[debit] += amount if debit == hot else -amount
            expected[credit] += -amount if credit == hot else amount
        assert {a: b.posted for a, b in balances.items()} == expected
        for c in customers:
            assert balances[c].available >= 0
        # Each acknowledged transfer exists exactly once.
        rows = dict(
            s.execute(
                sa.text(
                    "SELECT meta->>'key', count(*) FROM ledger_entries WHERE meta ? 'key'"
                    " GROUP BY 1"
                )
            ).all()
        )
        assert set(rows) == set(acknowledged)
        assert all(count == 1 for count in rows.values())
        ids = {str(v) for v in acknowledged.values()}
        found = {
            str(i) for i in s.scalars(sa.text("SELECT id FROM ledger_entries WHERE meta ? 'key'"))
        }
        assert ids == found
