"""ledger: the postings check of a statement in one query

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 20:50:00

The statement trigger ``ledger_postings_valid`` (0005) ran three queries over the inserted
postings: that each entry balances per currency, that each account exists in the posting's
currency, that each entry exists. Measured inside ``ledger_post_group``, the triggers were
half the time of writing a group's entries and postings, and each query mostly costs its
start-up. One grouped query now answers all three; the refusals, their SQLSTATEs and their
messages are unchanged. When one statement breaks several rules at once, the error names
one of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from kassa.kit.migrate import revision_module

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(_ONE_QUERY_SQL)


def downgrade() -> None:
    earlier = revision_module("0005_ledger_statement_invariants.py")
    op.execute(
        str(earlier.POSTINGS_VALID_SQL).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    )


_ONE_QUERY_SQL = """
CREATE OR REPLACE FUNCTION ledger_postings_valid() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    -- The lookups are scalar subqueries with LIMIT: one index probe per posting. As joins
    -- or EXISTS, the planner (which knows nothing of a transition table's size) may hash
    -- the whole accounts or entries table instead.
    SELECT s.entry_id, s.currency, sum(s.amount) AS total,
           min(s.account_id::text) FILTER (WHERE s.account_found IS NULL) AS account_id
      INTO bad
      FROM (SELECT p.entry_id, p.currency, p.amount, p.account_id,
                   (SELECT true FROM ledger_accounts a
                     WHERE a.id = p.account_id AND a.currency = p.currency LIMIT 1)
                       AS account_found,
                   (SELECT true FROM ledger_entries e WHERE e.id = p.entry_id LIMIT 1)
                       AS entry_found
              FROM new_postings p) AS s
     GROUP BY s.entry_id, s.currency
    HAVING sum(s.amount) <> 0 OR bool_or(s.account_found IS NULL)
        OR bool_or(s.entry_found IS NULL)
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF bad.total <> 0 THEN
        RAISE EXCEPTION 'kassa: journal entry % does not balance in % (off by %)',
            bad.entry_id, bad.currency, bad.total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entry_balanced';
    END IF;
    IF bad.account_id IS NOT NULL THEN
        RAISE EXCEPTION 'kassa: no ledger account % in %', bad.account_id, bad.currency
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_posting_account';
    END IF;
    RAISE EXCEPTION 'kassa: no journal entry %', bad.entry_id
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_posting_entry';
END $$;
"""
