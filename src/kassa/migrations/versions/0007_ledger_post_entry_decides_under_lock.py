"""ledger: a single transfer decides a refusal on the locked balance row

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 19:20:00

In ``ledger_post_entry`` (0005) each balance row is changed by an UPDATE whose WHERE clause
holds the checks (open, above the floor, inside 64 bits). When that UPDATE matched no row,
the function read the row again to name the refusal - without locking it: an UPDATE that
matches nothing locks nothing. Under load this happened: a debit did not fit the balance, so
its UPDATE matched nothing; another transfer paid money in and committed before the re-read;
the re-read saw enough money, and the function named the refusal ``amount_too_large`` for a
transfer of a few cents. (The concurrent bank test caught it; ``tests/ledger/test_fast_post.py``
now provokes it on purpose.)

Now the re-read locks the row (``FOR UPDATE``, the same row, so the lock order is unchanged)
and decides on what it holds: frozen, closed, not enough money or out of 64-bit range refuse
as before; if the change fits now, it is applied, as it would have been had the transfer come
a moment later.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from kassa.kit.migrate import revision_module

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNLOCKED_DIAGNOSIS = """        IF NOT FOUND THEN
            SELECT b.posted, b.pending_out, b.floor, b.account_status
              INTO r_posted, r_out, r_floor, r_status
              FROM ledger_balances b WHERE b.account_id = l_id[k] AND b.shard = l_shard[k];
            status := CASE WHEN r_status = 'frozen' THEN 'account_frozen'
                           WHEN r_status = 'closed' THEN 'account_closed'
                           WHEN a_delta[j] < 0 AND r_floor IS NOT NULL
                                AND r_posted::numeric - r_out + a_delta[j] < r_floor
                                THEN 'insufficient_funds'
                           ELSE 'amount_too_large' END;
            IF status = 'insufficient_funds' THEN info := l_id[k]::text; END IF;
            EXIT;
        END IF;
"""

_LOCKED_DECISION = """        IF NOT FOUND THEN
            -- Refused, or changed while the UPDATE waited for it: lock the row and decide
            -- on what it holds now.
            SELECT b.posted, b.pending_out, b.floor, b.account_status
              INTO r_posted, r_out, r_floor, r_status
              FROM ledger_balances b WHERE b.account_id = l_id[k] AND b.shard = l_shard[k]
               FOR UPDATE;
            status := CASE WHEN r_status = 'frozen' THEN 'account_frozen'
                           WHEN r_status = 'closed' THEN 'account_closed'
                           WHEN a_delta[j] < 0 AND r_floor IS NOT NULL
                                AND r_posted::numeric - r_out + a_delta[j] < r_floor
                                THEN 'insufficient_funds'
                           WHEN r_posted::numeric + a_delta[j]
                                NOT BETWEEN -9223372036854775807 AND 9223372036854775807
                                THEN 'amount_too_large'
                           END;
            IF status IS NOT NULL THEN
                IF status = 'insufficient_funds' THEN info := l_id[k]::text; END IF;
                EXIT;
            END IF;
            UPDATE ledger_balances b SET posted = b.posted + a_delta[j]::bigint
             WHERE b.account_id = l_id[k] AND b.shard = l_shard[k];
        END IF;
"""


def upgrade() -> None:
    earlier = revision_module("0005_ledger_statement_invariants.py")
    source = str(earlier._POST_ENTRY_SQL)
    assert source.count(_UNLOCKED_DIAGNOSIS) == 1, "0005's ledger_post_entry is not as expected"
    op.execute(f"DROP FUNCTION {earlier.POST_ENTRY}")
    op.execute(source.replace(_UNLOCKED_DIAGNOSIS, _LOCKED_DECISION))


def downgrade() -> None:
    earlier = revision_module("0005_ledger_statement_invariants.py")
    op.execute(f"DROP FUNCTION {earlier.POST_ENTRY}")
    op.execute(earlier._POST_ENTRY_SQL)
