"""audit: append a transaction's records in one round trip

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 18:30:00

Writing a request's audit records took four statements at commit: try the chain locks,
read the chain head ``FOR UPDATE``, insert the records, update the head. On a simple API
call (one ledger transfer) that was more database and driver work than the call itself.
``audit_append`` does the same in one call: it claims a free chain (advisory transaction
lock, trying every chain from a random start before waiting for one), then numbers and
links the records and moves the head.

Each record's hash is still SHA-256 over the previous hash and the record's canonical JSON
(sorted keys, no spaces), exactly what ``kassa audit verify`` recomputes in Python. The
caller sends that JSON in three parts around the two values only the database knows, the
chain and the sequence number, which fall between them in key order.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Must match kassa.audit: CHAIN_COUNT (8, also the table's CHECK) and GENESIS (64 zeros).
# 1262572868 = 0x4B415544, "KAUD": the advisory-lock key space of the audit chains.
APPEND_SQL = """
CREATE FUNCTION audit_append(p_start integer, p_events jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    chains constant integer := 8;
    c integer;
    k integer;
    got boolean := false;
    v_seq bigint;
    v_hash text;
    h text;
    ev record;
BEGIN
    FOR k IN 0 .. chains - 1 LOOP
        c := (p_start + k) % chains;
        got := pg_try_advisory_xact_lock(1262572868, c);
        EXIT WHEN got;
    END LOOP;
    IF NOT got THEN
        c := p_start % chains;
        PERFORM pg_advisory_xact_lock(1262572868, c);
    END IF;
    SELECT hd.last_seq, hd.last_hash INTO v_seq, v_hash
      FROM audit_chain_heads hd WHERE hd.chain = c FOR UPDATE;
    IF NOT FOUND THEN
        v_seq := 0;
        v_hash := repeat('0', 64);
        INSERT INTO audit_chain_heads (chain, last_seq, last_hash) VALUES (c, 0, v_hash);
    END IF;
    FOR ev IN
        SELECT * FROM jsonb_to_recordset(p_events) AS x(
            occurred_at timestamptz, actor_id uuid, actor_label text, org_id uuid,
            action text, outcome text, target_type text, target_id text, ip text,
            request_id text, before jsonb, after jsonb, details jsonb,
            head text, middle text, tail text)
    LOOP
        v_seq := v_seq + 1;
        h := encode(sha256(convert_to(
                 v_hash || ev.head || '"chain":' || c || ',' || ev.middle
                 || ',"seq":' || v_seq || ev.tail, 'UTF8')), 'hex');
        INSERT INTO audit_log (chain, seq, occurred_at, actor_id, actor_label, org_id, action,
                               outcome, target_type, target_id, ip, request_id, before, after,
                               details, prev_hash, hash)
        VALUES (c, v_seq, ev.occurred_at, ev.actor_id, ev.actor_label, ev.org_id, ev.action,
                ev.outcome, ev.target_type, ev.target_id, ev.ip, ev.request_id, ev.before,
                ev.after, ev.details, v_hash, h);
        v_hash := h;
    END LOOP;
    UPDATE audit_chain_heads hd SET last_seq = v_seq, last_hash = v_hash WHERE hd.chain = c;
    RETURN c;
END $$;
"""


def upgrade() -> None:
    op.execute(APPEND_SQL)


def downgrade() -> None:
    op.execute("DROP FUNCTION audit_append(integer, jsonb)")
