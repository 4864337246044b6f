"""ledger: post a group of independent entries in one call (group commit)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 20:30:00

``ledger_post_entry`` (0005, 0007) posts one entry per call, and each call is a transaction:
its commit, its key claim, its balance updates and its statement triggers over the new
entry and postings are paid once per transfer. ``ledger_post_group`` posts several entries
that arrived at the same time from different callers (``kassa.ledger.group``) in one call and
one transaction, and paying those costs once per group is what makes single transfers
cheap under load. The entries stay independent: each gets its own answer, and a refused
entry posts nothing and frees its key, exactly as ``ledger_post_entry`` would.

The steps and the lock order are those of every other posting path: keys are claimed
sorted; then the balance rows of the whole group are locked in one statement in the global
(account, shard) order, so a group never deadlocks with another group, a single entry or a
batch. Each entry is then checked in order against the locked values as changed by the
entries before it (status, floor, 64-bit range - the refusals and their precedence of
``ledger_post_entry``), and at the end every changed balance row is updated once and all
accepted entries with their postings are inserted by one statement, so the statement
triggers of 0005 check the whole group at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POST_GROUP = (
    "ledger_post_group(text[], text[], uuid[], text[], text[], text[], timestamptz[],"
    " integer[], uuid[], text[], bigint[], integer)"
)


def upgrade() -> None:
    op.execute(_POST_GROUP_SQL)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {POST_GROUP}")


# Entries are given as parallel arrays (p_keys .. p_ats, one element per entry) and their
# legs as parallel arrays too (p_leg_of .. p_amt, one element per leg; p_leg_of is the
# 1-based entry each leg belongs to, legs of one entry consecutive, entries in order).
_POST_GROUP_SQL = """CREATE FUNCTION ledger_post_group(
    p_keys text[], p_hashes text[], p_entries uuid[], p_kinds text[], p_descs text[],
    p_metas text[], p_ats timestamptz[],
    p_leg_of integer[], p_acc uuid[], p_cur text[], p_amt bigint[], p_r integer)
RETURNS TABLE (item integer, status text, ref uuid, info text)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    n int := cardinality(p_entries);
    legs int := cardinality(p_leg_of);
    r_status text[] := array_fill(NULL::text, ARRAY[n]);
    r_ref uuid[] := array_fill(NULL::uuid, ARRAY[n]);
    r_info text[] := array_fill(NULL::text, ARRAY[n]);
    refused boolean := false;
    v_hash text; v_ref uuid;
    l_id uuid[] := '{}'; l_type text[] := '{}'; l_cur text[] := '{}'; l_shard smallint[] := '{}';
    b_posted numeric[] := '{}'; b_out bigint[] := '{}'; b_floor bigint[] := '{}';
    b_status text[] := '{}'; b_delta numeric[] := '{}';
    t_k int[]; t_delta numeric[];
    i int; j int; k int; m int := 1; sgn int; s text; inf text; d numeric; rec record;
BEGIN
    -- 1. Claim the keys, sorted: the global lock order of keys.
    INSERT INTO ledger_idempotency (key, request_hash, kind, ref_id)
    SELECT u.k, u.h, 'entry', u.e FROM unnest(p_keys, p_hashes, p_entries) AS u(k, h, e)
     WHERE u.k IS NOT NULL ORDER BY u.k
    ON CONFLICT (key) DO NOTHING;
    GET DIAGNOSTICS i = ROW_COUNT;
    IF i < cardinality(array_remove(p_keys, NULL)) THEN
        -- Some keys were there before: each of those entries is a replay, or a refusal.
        FOR i IN 1 .. n LOOP
            CONTINUE WHEN p_keys[i] IS NULL;
            IF array_position(p_keys, p_keys[i]) < i THEN
                -- Claimed once, it would post twice: the caller never sends that
                -- (kassa.kit.groupcommit keeps such an entry for the next group).
                RAISE EXCEPTION 'kassa: idempotency key % twice in one group', p_keys[i]
                    USING ERRCODE = 'unique_violation';
            END IF;
            SELECT t.request_hash, t.ref_id INTO v_hash, v_ref
              FROM ledger_idempotency t WHERE t.key = p_keys[i];
            CONTINUE WHEN v_ref = p_entries[i];  -- claimed just now
            IF v_hash = p_hashes[i] THEN
                r_status[i] := 'replayed'; r_ref[i] := v_ref;
            ELSE
                r_status[i] := 'idempotency_key_reused';
            END IF;
        END LOOP;
    END IF;

    -- 2. The accounts, each with the one balance row the group uses (a random shard of an
    -- unlimited bank account, shard 0 of a limited one), locked in (account, shard) order.
    FOR rec IN
        SELECT a.id, a.type::text AS type, a.currency::text AS currency, b.shard, b.posted,
               b.pending_out, b.floor, b.account_status
          FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
           AND b.shard = (CASE WHEN a.limited THEN 0 ELSE p_r % a.shards END)
         WHERE a.id = ANY(p_acc)
         ORDER BY b.account_id, b.shard FOR UPDATE OF b
    LOOP
        l_id := l_id || rec.id; l_type := l_type || rec.type; l_cur := l_cur || rec.currency;
        l_shard := l_shard || rec.shard;
        b_posted := b_posted || rec.posted::numeric; b_out := b_out || rec.pending_out;
        b_floor := b_floor || rec.floor; b_status := b_status || rec.account_status;
        b_delta := b_delta || 0::numeric;
    END LOOP;

    -- 3. Each entry in order, against the locked rows as the entries before it left them.
    FOR i IN 1 .. n LOOP
        t_k := '{}'; t_delta := '{}'; s := NULL; inf := NULL;
        WHILE m <= legs AND p_leg_of[m] = i LOOP
            IF s IS NULL THEN
                k := array_position(l_id, p_acc[m]);
                IF k IS NULL THEN
                    s := 'account_not_found';
                ELSIF l_cur[k] <> p_cur[m] THEN
                    s := 'currency_mismatch'; inf := l_cur[k] || '/' || p_cur[m];
                ELSE
                    sgn := CASE WHEN l_type[k] IN ('asset', 'expense') THEN 1 ELSE -1 END;
                    j := array_position(t_k, k);
                    IF j IS NOT NULL THEN
                        t_delta[j] := t_delta[j] + sgn * p_amt[m];
                    ELSE  -- keep t_k ascending (account order): insert in place
                        j := 1;
                        WHILE j <= cardinality(t_k) AND t_k[j] < k LOOP j := j + 1; END LOOP;
                        t_k := t_k[1:j - 1] || k || t_k[j:];
                        t_delta := t_delta[1:j - 1] || (sgn * p_amt[m])::numeric || t_delta[j:];
                    END IF;
                END IF;
            END IF;
            m := m + 1;
        END LOOP;
        CONTINUE WHEN r_status[i] IS NOT NULL;  -- replayed, or its key was reused
        IF s IS NULL THEN
            -- The rows in account order, as ledger_post_entry meets them.
            FOR j IN 1 .. cardinality(t_k) LOOP
                k := t_k[j]; d := t_delta[j];
                s := CASE WHEN b_status[k] = 'frozen' THEN 'account_frozen'
                          WHEN b_status[k] = 'closed' THEN 'account_closed'
                          WHEN b_status[k] <> 'open' THEN 'account_closed'
                          WHEN d < 0 AND b_floor[k] IS NOT NULL
                               AND b_posted[k] + b_delta[k] - b_out[k] + d < b_floor[k]
                               THEN 'insufficient_funds'
                          WHEN b_posted[k] + b_delta[k] + d
                               NOT BETWEEN -9223372036854775807 AND 9223372036854775807
                               THEN 'amount_too_large'
                     END;
                IF s = 'insufficient_funds' THEN inf := l_id[k]::text; END IF;
                EXIT WHEN s IS NOT NULL;
            END LOOP;
        END IF;
        IF s IS NULL THEN
            FOR j IN 1 .. cardinality(t_k) LOOP
                b_delta[t_k[j]] := b_delta[t_k[j]] + t_delta[j];
            END LOOP;
            r_status[i] := 'posted'; r_ref[i] := p_entries[i];
        ELSE
            r_status[i] := s; r_info[i] := inf; refused := true;
        END IF;
    END LOOP;

    -- 4. Write, in one statement: each changed balance row once, the accepted entries and
    -- their postings (all rows are locked already, so the order inside does not matter).
    IF 'posted' = ANY(r_status) THEN
        WITH u AS (
            UPDATE ledger_balances b SET posted = b.posted + u.d::bigint
              FROM unnest(l_id, l_shard, b_delta) AS u(a, s, d)
             WHERE u.d <> 0 AND b.account_id = u.a AND b.shard = u.s
        ), e AS (
            INSERT INTO ledger_entries (id, kind, description, meta, booked_at)
            SELECT p_entries[x], p_kinds[x], p_descs[x], p_metas[x]::jsonb,
                   coalesce(p_ats[x], now())
              FROM generate_subscripts(p_entries, 1) AS x WHERE r_status[x] = 'posted'
        )
        INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)
        SELECT p_entries[p_leg_of[x]], p_acc[x], p_cur[x], p_amt[x],
               coalesce(p_ats[p_leg_of[x]], now())
          FROM generate_subscripts(p_leg_of, 1) AS x WHERE r_status[p_leg_of[x]] = 'posted';
    END IF;
    -- The keys of refused entries are freed.
    IF refused THEN
        DELETE FROM ledger_idempotency t
         WHERE t.key = ANY(ARRAY(SELECT p_keys[x] FROM generate_subscripts(p_keys, 1) AS x
                                  WHERE r_status[x] NOT IN ('posted', 'replayed',
                                                            'idempotency_key_reused')));
    END IF;

    RETURN QUERY SELECT x, r_status[x], r_ref[x], r_info[x]
                   FROM generate_subscripts(p_entries, 1) AS x ORDER BY x;
END $$;
"""
