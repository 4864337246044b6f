"""ledger: post one journal entry in one server-side call (ledger_post_entry)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:15:00

The function does what ``kassa.ledger.service.post_entries`` does for a batch of one, in the
same order and under the same locks: claim the idempotency key (``INSERT ... ON CONFLICT DO
NOTHING``), lock the balance rows ordered by (account, shard), check status, currency,
overdraft floor and 64-bit range, then write the entry, its postings (one statement, so the
balance trigger sees them together) and the balance deltas. A refusal frees the key and
returns its code; the Python side raises the matching LedgerError. The deferred, immutability
and CHECK triggers of 0002 still apply unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = (
    "ledger_post_entry(text, text, uuid, text, text, jsonb, uuid, uuid, timestamptz,"
    " uuid[], text[], bigint[], integer)"
)


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION ledger_post_entry(
            p_key text, p_hash text, p_entry uuid, p_kind text, p_desc text, p_meta jsonb,
            p_rev uuid, p_hold uuid, p_at timestamptz,
            p_acc uuid[], p_cur text[], p_amt bigint[], p_r integer,
            OUT status text, OUT ref uuid, OUT info text)
        LANGUAGE plpgsql AS $$
        DECLARE
            v_hash text;
            l_id uuid[]; l_type text[]; l_cur text[]; l_shard smallint[]; l_posted bigint[];
            l_out bigint[]; l_floor bigint[]; l_status text[];
            a_id uuid[] := '{}'; a_delta numeric[] := '{}';
            i int; j int; k int; sgn int;
        BEGIN
            IF p_key IS NOT NULL THEN
                INSERT INTO ledger_idempotency (key, request_hash, kind, ref_id)
                VALUES (p_key, p_hash, 'entry', p_entry) ON CONFLICT (key) DO NOTHING;
                IF NOT FOUND THEN
                    SELECT t.request_hash, t.ref_id INTO v_hash, ref
                      FROM ledger_idempotency t WHERE t.key = p_key;
                    status := CASE WHEN v_hash = p_hash THEN 'replayed'
                                   ELSE 'idempotency_key_reused' END;
                    RETURN;
                END IF;
            END IF;

            -- Lock the balance rows in the global order (account, shard).
            SELECT array_agg(x.id), array_agg(x.type), array_agg(x.currency),
                   array_agg(x.shard), array_agg(x.posted), array_agg(x.pending_out),
                   array_agg(x.floor), array_agg(x.account_status)
              INTO l_id, l_type, l_cur, l_shard, l_posted, l_out, l_floor, l_status
              FROM (SELECT a.id, a.type::text AS type, a.currency::text AS currency, b.shard,
                           b.posted, b.pending_out, b.floor, b.account_status::text
                           AS account_status
                      FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
                     WHERE a.id = ANY(p_acc)
                       AND b.shard = CASE WHEN a.limited THEN 0 ELSE p_r % a.shards END
                     ORDER BY b.account_id, b.shard FOR UPDATE OF b) x;

            -- Per leg, in order: the account exists, is open, holds this currency.
            FOR i IN 1 .. array_length(p_acc, 1) LOOP
                k := array_position(l_id, p_acc[i]);
                IF k IS NULL THEN
                    status := 'account_not_found';
                ELSIF l_status[k] = 'frozen' THEN
                    status := 'account_frozen';
                ELSIF l_status[k] = 'closed' THEN
                    status := 'account_closed';
                ELSIF l_cur[k] <> p_cur[i] THEN
                    status := 'currency_mismatch'; info := l_cur[k] || '/' || p_cur[i];
                END IF;
                IF status IS NOT NULL THEN
                    IF p_key IS NOT NULL THEN
                        DELETE FROM ledger_idempotency t WHERE t.key = p_key;
                    END IF;
                    RETURN;
                END IF;
                sgn := CASE WHEN l_type[k] IN ('asset', 'expense') THEN 1 ELSE -1 END;
                j := array_position(a_id, p_acc[i]);
                IF j IS NULL THEN
                    a_id := a_id || p_acc[i];
                    a_delta := a_delta || (sgn * p_amt[i])::numeric;
                ELSE
                    a_delta[j] := a_delta[j] + sgn * p_amt[i];
                END IF;
            END LOOP;

            -- Overdraft floors first, then the 64-bit range, account by account.
            FOR j IN 1 .. array_length(a_id, 1) LOOP
                k := array_position(l_id, a_id[j]);
                IF a_delta[j] < 0 AND l_floor[k] IS NOT NULL
                   AND l_posted[k]::numeric - l_out[k] + a_delta[j] < l_floor[k] THEN
                    status := 'insufficient_funds'; info := a_id[j]::text;
                    EXIT;
                END IF;
            END LOOP;
            IF status IS NULL THEN
                FOR j IN 1 .. array_length(a_id, 1) LOOP
                    k := array_position(l_id, a_id[j]);
                    IF l_posted[k]::numeric + a_delta[j] NOT BETWEEN -9223372036854775807
                                                               AND 9223372036854775807 THEN
                        status := 'amount_too_large';
                        EXIT;
                    END IF;
                END LOOP;
            END IF;
            IF status IS NOT NULL THEN
                IF p_key IS NOT NULL THEN
                    DELETE FROM ledger_idempotency t WHERE t.key = p_key;
                END IF;
                RETURN;
            END IF;

            INSERT INTO ledger_entries (id, kind, description, meta, reverses_id, hold_id,
                                        booked_at)
            VALUES (p_entry, p_kind, p_desc, p_meta, p_rev, p_hold, coalesce(p_at, now()));
            INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)
            SELECT p_entry, t.aid, t.cur, t.amt, coalesce(p_at, now())
              FROM unnest(p_acc, p_cur, p_amt) AS t(aid, cur, amt);
            UPDATE ledger_balances b SET posted = b.posted + v.d::bigint
              FROM unnest(a_id, a_delta) AS v(a, d), unnest(l_id, l_shard) AS s(a, sh)
             WHERE v.a = s.a AND b.account_id = v.a AND b.shard = s.sh AND v.d <> 0;
            status := 'posted';
            ref := p_entry;
        END $$;
        """
    )


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
