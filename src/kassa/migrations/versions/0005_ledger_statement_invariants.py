"""ledger: the same invariants for less work per posting

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:10:00

Measured on the posting path (``bench/ledger.py``), the checks of 0002 cost more than the
writes they guard. This migration keeps every invariant and changes how it is enforced:

* Foreign keys from ``ledger_postings`` to ``ledger_accounts`` and ``ledger_entries`` took a
  ``FOR KEY SHARE`` row lock per posting, which writes WAL and, on the hot settlement
  account, makes every concurrent transfer share one multixact. One statement-level check
  over the inserted rows (a transition table) now refuses a posting whose account does not
  exist in that currency or whose entry does not exist. What the foreign keys also stopped -
  deleting an account, or changing its id or currency - is refused by triggers instead;
  entries were already append-only.
* The deferred per-entry trigger ran one query per entry at commit, under the balance locks.
  It is replaced by a statement-level check on ``ledger_entries``: an entry's postings must
  be inserted in the same SQL statement as the entry (one ``WITH ... INSERT`` as the ledger
  code does), so each new entry must already have postings when its statement ends. An
  entry inserted on its own is refused at once instead of at commit.
* ``ledger_post_entry`` always uses generic plans: with ``= ANY(array)`` conditions
  PostgreSQL otherwise re-plans every statement of the function on every call. It no
  longer locks the balance rows with ``SELECT ... FOR UPDATE`` and then updates them (two
  row locks, two WAL records per row): it reads the accounts, then updates each balance row
  in the global (account, shard) order with the checks in the ``WHERE`` clause - the update
  is the lock. When a row refuses (frozen, closed, not enough funds, 64-bit overflow), the
  rows already changed are changed back and the key is freed, as before. Entry and postings
  are then written in one statement, as the check above requires.
* The uniqueness of ``reverses_id`` becomes a partial index: almost no entry is a reversal,
  and the full index stored a NULL for each one.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from kassa.kit.migrate import revision_module

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POST_ENTRY = (
    "ledger_post_entry(text, text, uuid, text, text, jsonb, uuid, uuid, timestamptz,"
    " uuid[], text[], bigint[], integer)"
)

# The statement check over inserted postings (0009 replaces it with a one-query version).
POSTINGS_VALID_SQL = """
        CREATE FUNCTION ledger_postings_valid() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE bad record;
        BEGIN
            SELECT entry_id, currency, sum(amount) AS total INTO bad
              FROM new_postings GROUP BY entry_id, currency HAVING sum(amount) <> 0 LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'kassa: journal entry % does not balance in % (off by %)',
                    bad.entry_id, bad.currency, bad.total
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entry_balanced';
            END IF;
            SELECT p.account_id, p.currency INTO bad FROM new_postings p
             WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a
                                WHERE a.id = p.account_id AND a.currency = p.currency)
             LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'kassa: no ledger account % in %', bad.account_id, bad.currency
                    USING ERRCODE = 'foreign_key_violation',
                          CONSTRAINT = 'ledger_posting_account';
            END IF;
            SELECT p.entry_id INTO bad FROM new_postings p
             WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.id = p.entry_id) LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'kassa: no journal entry %', bad.entry_id
                    USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_posting_entry';
            END IF;
            RETURN NULL;
        END $$;
        """


def upgrade() -> None:
    op.execute("ALTER TABLE ledger_postings DROP CONSTRAINT fk_ledger_postings_account_currency")
    op.execute(
        "ALTER TABLE ledger_postings DROP CONSTRAINT fk_ledger_postings_entry_id_ledger_entries"
    )
    op.execute("DROP TRIGGER ledger_entry_complete ON ledger_entries")
    op.execute("DROP FUNCTION ledger_entry_complete()")
    op.execute("DROP TRIGGER ledger_postings_balanced ON ledger_postings")
    op.execute("DROP FUNCTION ledger_postings_balanced()")
    op.execute("ALTER TABLE ledger_entries DROP CONSTRAINT uq_ledger_entries_reverses_id")
    op.execute(
        "CREATE UNIQUE INDEX uq_ledger_entries_reverses_id ON ledger_entries (reverses_id)"
        " WHERE reverses_id IS NOT NULL"
    )
    op.execute(POSTINGS_VALID_SQL)
    op.execute(
        "CREATE TRIGGER ledger_postings_valid AFTER INSERT ON ledger_postings "
        "REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT "
        "EXECUTE FUNCTION ledger_postings_valid()"
    )
    op.execute(
        """
        CREATE FUNCTION ledger_entries_have_postings() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE bad uuid;
        BEGIN
            SELECT e.id INTO bad FROM new_entries e
             WHERE NOT EXISTS (SELECT 1 FROM ledger_postings p WHERE p.entry_id = e.id)
             LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'kassa: journal entry % needs two or more balanced postings,'
                    ' inserted in the same statement', bad
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entry_complete';
            END IF;
            RETURN NULL;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER ledger_entries_have_postings AFTER INSERT ON ledger_entries "
        "REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT "
        "EXECUTE FUNCTION ledger_entries_have_postings()"
    )
    # What the dropped foreign keys also guaranteed: a posted-to account keeps its id and
    # currency and is never deleted (accounts are closed instead).
    op.execute(
        "CREATE TRIGGER ledger_accounts_keep_identity BEFORE UPDATE ON ledger_accounts "
        "FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id "
        "OR OLD.currency IS DISTINCT FROM NEW.currency) EXECUTE FUNCTION kassa_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts "
        "FOR EACH ROW EXECUTE FUNCTION kassa_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts "
        "FOR EACH STATEMENT EXECUTE FUNCTION kassa_refuse_change()"
    )
    op.execute(f"DROP FUNCTION {POST_ENTRY}")
    op.execute(_POST_ENTRY_SQL)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {POST_ENTRY}")
    revision_module("0004_ledger_fast_post.py").upgrade()
    for trigger in ("no_truncate", "no_delete", "keep_identity"):
        op.execute(f"DROP TRIGGER ledger_accounts_{trigger} ON ledger_accounts")
    op.execute("DROP TRIGGER ledger_entries_have_postings ON ledger_entries")
    op.execute("DROP FUNCTION ledger_entries_have_postings()")
    op.execute("DROP TRIGGER ledger_postings_valid ON ledger_postings")
    op.execute("DROP FUNCTION ledger_postings_valid()")
    op.execute("DROP INDEX uq_ledger_entries_reverses_id")
    op.execute(
        "ALTER TABLE ledger_entries ADD CONSTRAINT uq_ledger_entries_reverses_id"
        " UNIQUE (reverses_id)"
    )
    op.execute(
        "ALTER TABLE ledger_postings ADD CONSTRAINT fk_ledger_postings_entry_id_ledger_entries"
        " FOREIGN KEY (entry_id) REFERENCES ledger_entries (id)"
    )
    op.execute(
        "ALTER TABLE ledger_postings ADD CONSTRAINT fk_ledger_postings_account_currency"
        " FOREIGN KEY (account_id, currency) REFERENCES ledger_accounts (id, currency)"
    )
    invariants = revision_module("0002_ledger_accounts.py")
    op.execute(invariants.POSTINGS_BALANCED_SQL)
    op.execute(invariants.POSTINGS_BALANCED_TRIGGER)
    op.execute(invariants.ENTRY_COMPLETE_SQL)
    op.execute(invariants.ENTRY_COMPLETE_TRIGGER)


# The steps of 0004 in the same lock order, with one lock per balance row instead of two
# (see the module docstring): the refusals are the same; when an entry has several problems,
# unknown accounts and currency mismatches are reported before status and funds.
_POST_ENTRY_SQL = """CREATE FUNCTION ledger_post_entry(
    p_key text, p_hash text, p_entry uuid, p_kind text, p_desc text, p_meta jsonb,
    p_rev uuid, p_hold uuid, p_at timestamptz,
    p_acc uuid[], p_cur text[], p_amt bigint[], p_r integer,
    OUT status text, OUT ref uuid, OUT info text)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_hash text;
    l_id uuid[]; l_type text[]; l_cur text[]; l_shard smallint[];
    a_id uuid[] := '{}'; a_delta numeric[] := '{}'; a_shard smallint[] := '{}';
    i int; j int; k int; n int; sgn int;
    r_posted bigint; r_out bigint; r_floor bigint; r_status text;
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

    SELECT array_agg(a.id ORDER BY a.id), array_agg(a.type::text ORDER BY a.id),
           array_agg(a.currency::text ORDER BY a.id),
           array_agg((CASE WHEN a.limited THEN 0 ELSE p_r % a.shards END)::smallint ORDER BY a.id)
      INTO l_id, l_type, l_cur, l_shard
      FROM ledger_accounts a WHERE a.id = ANY(p_acc);

    FOR i IN 1 .. array_length(p_acc, 1) LOOP
        k := array_position(l_id, p_acc[i]);
        IF k IS NULL THEN
            status := 'account_not_found';
        ELSIF l_cur[k] <> p_cur[i] THEN
            status := 'currency_mismatch'; info := l_cur[k] || '/' || p_cur[i];
        END IF;
        IF status IS NOT NULL THEN
            IF p_key IS NOT NULL THEN DELETE FROM ledger_idempotency t WHERE t.key = p_key; END IF;
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

    -- Apply the deltas row by row in the global lock order (account, shard): each UPDATE
    -- locks its row, and applies only if the row is open and stays above its floor.
    n := 0;
    FOR k IN 1 .. array_length(l_id, 1) LOOP
        j := array_position(a_id, l_id[k]);
        CONTINUE WHEN j IS NULL;  -- a zero net change still checks the status
        UPDATE ledger_balances b SET posted = b.posted + a_delta[j]::bigint
         WHERE b.account_id = l_id[k] AND b.shard = l_shard[k] AND b.account_status = 'open'
           AND (a_delta[j] >= 0 OR b.floor IS NULL
                OR b.posted::numeric - b.pending_out + a_delta[j] >= b.floor)
           AND b.posted::numeric + a_delta[j] BETWEEN -9223372036854775807 AND 9223372036854775807;
        IF NOT FOUND THEN
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
        n := k;
    END LOOP;
    IF status IS NOT NULL THEN
        -- Undo the rows already changed (they stay locked until the transaction ends).
        FOR k IN 1 .. n LOOP
            j := array_position(a_id, l_id[k]);
            CONTINUE WHEN j IS NULL OR a_delta[j] = 0;
            UPDATE ledger_balances b SET posted = b.posted - a_delta[j]::bigint
             WHERE b.account_id = l_id[k] AND b.shard = l_shard[k];
        END LOOP;
        IF p_key IS NOT NULL THEN DELETE FROM ledger_idempotency t WHERE t.key = p_key; END IF;
        RETURN;
    END IF;

    WITH e AS (
        INSERT INTO ledger_entries (id, kind, description, meta, reverses_id, hold_id, booked_at)
        VALUES (p_entry, p_kind, p_desc, p_meta, p_rev, p_hold, coalesce(p_at, now()))
    )
    INSERT INTO ledger_postings (entry_id, account_id, currency, amount, booked_at)
    SELECT p_entry, t.aid, t.cur, t.amt, coalesce(p_at, now())
      FROM unnest(p_acc, p_cur, p_amt) AS t(aid, cur, amt);
    status := 'posted';
    ref := p_entry;
END $$;
"""
