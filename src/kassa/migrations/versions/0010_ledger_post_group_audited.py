"""ledger: post a group and audit what it posted, in one call

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:50:00

The HTTP fast path for single transfers (``kassa.ledger.fastpath``) group-commits the
requests that arrive together. Each posted transfer needs its audit record in the same
transaction, and which entries post is only known once ``ledger_post_group`` has run. A
second statement in an open transaction would keep the group's balance rows (the hot
settlement account among them) locked for another round trip; this function appends the
records of the entries that posted in the same statement, so the whole group is one
statement and one commit.

``p_audit`` is a JSON array with one prepared audit event per entry, in the entries' order
(the form ``audit_append`` (0006) takes). Refused and replayed entries write no record:
nothing changed for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POST_GROUP_AUDITED = (
    "ledger_post_group_audited(text[], text[], uuid[], text[], text[], text[], timestamptz[],"
    " integer[], uuid[], text[], bigint[], integer, jsonb, integer)"
)


def upgrade() -> None:
    op.execute(_SQL)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {POST_GROUP_AUDITED}")


_SQL = """CREATE FUNCTION ledger_post_group_audited(
    p_keys text[], p_hashes text[], p_entries uuid[], p_kinds text[], p_descs text[],
    p_metas text[], p_ats timestamptz[],
    p_leg_of integer[], p_acc uuid[], p_cur text[], p_amt bigint[], p_r integer,
    p_audit jsonb, p_chain integer)
RETURNS TABLE (item integer, status text, ref uuid, info text)
LANGUAGE plpgsql AS $$
DECLARE
    posted jsonb := '[]';
    g record;
BEGIN
    IF jsonb_array_length(p_audit) <> cardinality(p_entries) THEN
        RAISE EXCEPTION 'ledger_post_group_audited: % audit events for % entries',
            jsonb_array_length(p_audit), cardinality(p_entries)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR g IN
        SELECT * FROM ledger_post_group(p_keys, p_hashes, p_entries, p_kinds, p_descs, p_metas,
                                        p_ats, p_leg_of, p_acc, p_cur, p_amt, p_r)
    LOOP
        item := g.item; status := g.status; ref := g.ref; info := g.info;
        IF g.status = 'posted' THEN
            posted := posted || jsonb_build_array(p_audit -> (g.item - 1));
        END IF;
        RETURN NEXT;
    END LOOP;
    IF jsonb_array_length(posted) > 0 THEN
        PERFORM audit_append(p_chain, posted);
    END IF;
    RETURN;
END $$;
"""
