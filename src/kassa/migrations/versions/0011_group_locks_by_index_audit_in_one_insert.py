"""ledger, audit: a group locks its balance rows by index; a batch of audit records is one insert

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 23:00:00

Two costs paid on every group of single transfers (``kassa.ledger.fastpath``,
``kassa.ledger.group``), measured in the bench database:

* ``ledger_post_group`` (0008) read the group's accounts and locked their balance rows in one
  join. Its plan is generic (the number of accounts is not known when it is planned), and for
  a table of a few hundred balance rows the planner hashed the accounts and scanned every
  balance row, dead versions included, about 0.1-0.2 ms per group. Now each account, in
  account order, fetches and locks its one balance row through the primary key (a LATERAL
  subquery with FOR UPDATE, which the planner cannot turn into a join). The lock order is
  unchanged: by account, one shard each, as every other posting path.
* ``audit_append`` (0006) inserted each record by its own statement, so a group of n
  transfers paid n statement start-ups (and n checks of the table's constraints). The hashes
  still chain one after the other in a loop (each needs the one before); the records are
  then inserted by one statement, in sequence order. Hash, chain and sequence numbers are the
  same as before, so ``kassa audit verify`` is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from kassa.kit.migrate import revision_module

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JOINED_LOCK = """        SELECT a.id, a.type::text AS type, a.currency::text AS currency, b.shard, b.posted,
               b.pending_out, b.floor, b.account_status
          FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
           AND b.shard = (CASE WHEN a.limited THEN 0 ELSE p_r % a.shards END)
         WHERE a.id = ANY(p_acc)
         ORDER BY b.account_id, b.shard FOR UPDATE OF b"""

# The outer query is sorted by account before the nested loop runs the subquery, so the
# rows are locked in account order; the final ORDER BY keeps the result in that order too.
_LOCK_BY_INDEX = """        SELECT a.id, a.type, a.currency, b.shard, b.posted, b.pending_out, b.floor,
               b.account_status
          FROM (SELECT a.id, a.type::text AS type, a.currency::text AS currency, a.limited,
                       a.shards
                  FROM ledger_accounts a WHERE a.id = ANY(p_acc) ORDER BY a.id) AS a
         CROSS JOIN LATERAL (
                SELECT b.shard, b.posted, b.pending_out, b.floor, b.account_status
                  FROM ledger_balances b
                 WHERE b.account_id = a.id
                   AND b.shard = (CASE WHEN a.limited THEN 0 ELSE p_r % a.shards END)
                   FOR UPDATE) AS b
         ORDER BY a.id"""

# 0006's audit_append claims a chain and reads its head as before; from there the hashes are
# chained in a loop and the records inserted by one statement.
_ROW_AT_A_TIME_DECLARE = """    h text;
    ev record;
"""
_ONE_INSERT_DECLARE = """    first_seq bigint;
    hashes text[];  -- hashes[n]: record n's previous hash; hashes[n + 1]: its own
    ev record;
"""
_ROW_AT_A_TIME_LOOP_START = """    FOR ev IN
        SELECT * FROM jsonb_to_recordset(p_events) AS x("""
_ROW_AT_A_TIME_LOOP_END = """        v_hash := h;
    END LOOP;
"""
_ONE_INSERT_LOOP = """    first_seq := v_seq + 1;
    hashes := ARRAY[v_hash];
    FOR ev IN
        SELECT x.head, x.middle, x.tail
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(item, n),
               jsonb_to_record(e.item) AS x(head text, middle text, tail text)
         ORDER BY e.n
    LOOP
        v_seq := v_seq + 1;
        v_hash := encode(sha256(convert_to(
                      v_hash || ev.head || '"chain":' || c || ',' || ev.middle
                      || ',"seq":' || v_seq || ev.tail, 'UTF8')), 'hex');
        hashes := hashes || v_hash;
    END LOOP;
    INSERT INTO audit_log (chain, seq, occurred_at, actor_id, actor_label, org_id, action,
                           outcome, target_type, target_id, ip, request_id, before, after,
                           details, prev_hash, hash)
    SELECT c, first_seq + e.n - 1, x.occurred_at, x.actor_id, x.actor_label, x.org_id,
           x.action, x.outcome, x.target_type, x.target_id, x.ip, x.request_id, x.before,
           x.after, x.details, hashes[e.n], hashes[e.n + 1]
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(item, n),
           jsonb_to_record(e.item) AS x(
               occurred_at timestamptz, actor_id uuid, actor_label text, org_id uuid,
               action text, outcome text, target_type text, target_id text, ip text,
               request_id text, before jsonb, after jsonb, details jsonb)
     ORDER BY e.n;
"""


def _append_sql(one_insert: bool) -> str:
    source = str(revision_module("0006_audit_append_function.py").APPEND_SQL)
    source = source.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    if not one_insert:
        return source
    start = source.index(_ROW_AT_A_TIME_LOOP_START)
    end = source.index(_ROW_AT_A_TIME_LOOP_END) + len(_ROW_AT_A_TIME_LOOP_END)
    assert source.count(_ROW_AT_A_TIME_DECLARE) == 1, "0006's audit_append is not as expected"
    return (source[:start] + _ONE_INSERT_LOOP + source[end:]).replace(
        _ROW_AT_A_TIME_DECLARE, _ONE_INSERT_DECLARE
    )


def _post_group_sql(lock_query: str) -> str:
    source = str(revision_module("0008_ledger_post_group.py")._POST_GROUP_SQL)
    assert source.count(_JOINED_LOCK) == 1, "0008's ledger_post_group is not as expected"
    return source.replace(_JOINED_LOCK, lock_query).replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
    )


def upgrade() -> None:
    op.execute(_post_group_sql(_LOCK_BY_INDEX))
    op.execute(_append_sql(one_insert=True))


def downgrade() -> None:
    op.execute(_post_group_sql(_JOINED_LOCK))
    op.execute(_append_sql(one_insert=False))
