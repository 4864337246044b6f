"""Verification: recompute every balance from the postings and holds, and check that every
entry balances."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session


@dataclass(slots=True)
class VerifyReport:
    accounts: int = 0
    entries: int = 0
    postings: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> VerifyReport:
    """Recompute every balance from the postings and holds; check every entry balances."""
    accounts, entries, postings = session.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM ledger_accounts), (SELECT count(*) FROM ledger_entries),"
            " (SELECT count(*) FROM ledger_postings)"
        )
    ).one()
    report = VerifyReport(accounts=accounts, entries=entries, postings=postings)
    for code, expected, stored in session.execute(
        sa.text(
            "WITH p AS (SELECT account_id, sum(amount) AS s FROM ledger_postings GROUP BY account_id),"
            " b AS (SELECT account_id, sum(posted) AS posted FROM ledger_balances"
            "       GROUP BY account_id)"
            " SELECT a.code, CASE WHEN a.type IN ('asset','expense') THEN 1 ELSE -1 END"
            "        * coalesce(p.s, 0) AS expected, coalesce(b.posted, 0) AS stored"
            " FROM ledger_accounts a LEFT JOIN p ON p.account_id = a.id"
            " LEFT JOIN b ON b.account_id = a.id"
            " WHERE CASE WHEN a.type IN ('asset','expense') THEN 1 ELSE -1 END * coalesce(p.s, 0)"
            "       <> coalesce(b.posted, 0) ORDER BY a.code"
        )
    ):
        report.problems.append(f"account {code}: posted balance {stored}, postings say {expected}")
    for code, exp_out, out, exp_in, in_ in session.execute(
        sa.text(
            "WITH legs AS (SELECT debit_account_id AS acc, amount, 1 AS dir FROM ledger_holds"
            "   WHERE status = 'pending' UNION ALL SELECT credit_account_id, amount, -1"
            "   FROM ledger_holds WHERE status = 'pending'),"
            " eff AS (SELECT l.acc, CASE WHEN a.type IN ('asset','expense') THEN 1 ELSE -1 END"
            "   * l.dir * l.amount AS e FROM legs l JOIN ledger_accounts a ON a.id = l.acc),"
            " x AS (SELECT acc, sum(CASE WHEN e < 0 THEN -e ELSE 0 END) AS po,"
            "   sum(CASE WHEN e > 0 THEN e ELSE 0 END) AS pi FROM eff GROUP BY acc),"
            " b AS (SELECT account_id, sum(pending_out) AS po, sum(pending_in) AS pi"
            "   FROM ledger_balances GROUP BY account_id)"
            " SELECT a.code, coalesce(x.po, 0), coalesce(b.po, 0), coalesce(x.pi, 0), coalesce(b.pi, 0)"
            " FROM ledger_accounts a LEFT JOIN x ON x.acc = a.id LEFT JOIN b ON b.account_id = a.id"
            " WHERE coalesce(x.po, 0) <> coalesce(b.po, 0) OR coalesce(x.pi, 0) <> coalesce(b.pi, 0)"
            " ORDER BY a.code"
        )
    ):
        report.problems.append(
            f"account {code}: pending out/in {out}/{in_}, holds say {exp_out}/{exp_in}"
        )
    for entry_id, currency, total in session.execute(
        sa.text(
            "SELECT entry_id, currency, sum(amount) FROM ledger_postings GROUP BY entry_id, currency"
            " HAVING sum(amount) <> 0 ORDER BY entry_id"
        )
    ):
        report.problems.append(f"entry {entry_id}: {currency} postings sum to {total}, not 0")
    for (entry_id,) in session.execute(
        sa.text(
            "SELECT e.id FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.id"
            " GROUP BY e.id HAVING count(p.id) < 2 ORDER BY e.id"
        )
    ):
        report.problems.append(f"entry {entry_id}: fewer than two postings")
    for currency, total in session.execute(
        sa.text(
            "SELECT currency, sum(amount) FROM ledger_postings GROUP BY currency"
            " HAVING sum(amount) <> 0"
        )
    ):
        report.problems.append(f"currency {currency}: all postings sum to {total}, not 0")
    return report
