"""audit: records are appended from the three parts of their canonical JSON

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 05:10:00

``audit_append`` (0006, 0011) took a JSON array of events, each with every column of its
record and, besides, the record's canonical JSON in three parts (``head``, ``middle``,
``tail``: the text around the chain and the sequence number, which only the database
assigns). So each record travelled twice, and was parsed as JSON three times: when the
parameter was read, in the loop that chains the hashes and in the insert.

Now the function takes the three parts as text arrays. The record's canonical JSON is
assembled once (it is what the hash covers) and its columns are read back from that JSON in
the insert. What is stored is therefore exactly what was hashed, and ``kassa audit verify``
recomputes the same hashes. The chain lock, the chain heads and the hash formula are those
of 0006.

``ledger_post_group_audited`` (0010) takes the same three arrays instead of its JSON array;
when every entry of the group posted (the common case), they are passed on as they are.

Measured in the bench database (one client, groups of four transfers, alternating rounds;
PostgreSQL CPU per group), the gain is small against this host's noise: a prototype gave
2.11-2.39 ms before and 1.79-2.20 ms after (five rounds of 800 groups); the migrated
functions side by side 1.80-2.29 against 1.98-2.15 ms (five of 800) and 2.01-2.26 against
1.71-2.22 ms (five of 1,500). What it surely saves is sending each record twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from kassa.kit.migrate import revision_module

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_APPEND = "audit_append(integer, jsonb)"
_NEW_APPEND = "audit_append(integer, text[], text[], text[])"
_OLD_GROUP = (
    "ledger_post_group_audited(text[], text[], uuid[], text[], text[], text[], timestamptz[],"
    " integer[], uuid[], text[], bigint[], integer, jsonb, integer)"
)
_NEW_GROUP = (
    "ledger_post_group_audited(text[], text[], uuid[], text[], text[], text[], timestamptz[],"
    " integer[], uuid[], text[], bigint[], integer, text[], text[], text[], integer)"
)

# 0006's claim of a chain: a free one if there is one (trying each from p_start on), else
# wait for p_start's; then its head, locked (or a new head at the genesis hash).
_SOURCE_0006 = str(revision_module("0006_audit_append_function.py").APPEND_SQL)
_CLAIM_CHAIN = _SOURCE_0006[
    _SOURCE_0006.index("    FOR k IN 0 .. chains - 1 LOOP") : _SOURCE_0006.index("    FOR ev IN")
]
assert _CLAIM_CHAIN.count("FOR UPDATE") == 1, "0006's audit_append is not as expected"

APPEND_SQL = (
    """
CREATE FUNCTION audit_append(p_start integer, p_heads text[], p_middles text[],
                             p_tails text[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    chains constant integer := 8;
    c integer;
    k integer;
    n integer := cardinality(p_heads);
    got boolean := false;
    v_seq bigint;
    v_hash text;
    first_seq bigint;
    hashes text[];  -- hashes[k]: record k's previous hash; hashes[k + 1]: its own
    records text[] := '{}';  -- records[k]: record k's canonical JSON, as hashed
    body text;
BEGIN
    IF cardinality(p_middles) <> n OR cardinality(p_tails) <> n THEN
        RAISE EXCEPTION 'audit_append: % heads, % middles, % tails',
            n, cardinality(p_middles), cardinality(p_tails)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
"""
    + _CLAIM_CHAIN
    + """    first_seq := v_seq + 1;
    hashes := ARRAY[v_hash];
    FOR k IN 1 .. n LOOP
        v_seq := v_seq + 1;
        body := p_heads[k] || '"chain":' || c || ',' || p_middles[k]
                || ',"seq":' || v_seq || p_tails[k];
        v_hash := encode(sha256(convert_to(v_hash || body, 'UTF8')), 'hex');
        hashes := hashes || v_hash;
        records := records || body;
    END LOOP;
    INSERT INTO audit_log (chain, seq, occurred_at, actor_id, actor_label, org_id, action,
                           outcome, target_type, target_id, ip, request_id, before, after,
                           details, prev_hash, hash)
    SELECT c, first_seq + r.k - 1, x.occurred_at, x.actor_id, x.actor_label, x.org_id,
           x.action, x.outcome, x.target_type, x.target_id, x.ip, x.request_id, x.before,
           x.after, x.details, hashes[r.k], hashes[r.k + 1]
      FROM unnest(records) WITH ORDINALITY AS r(body, k),
           jsonb_to_record(r.body::jsonb) AS x(
               occurred_at timestamptz, actor_id uuid, actor_label text, org_id uuid,
               action text, outcome text, target_type text, target_id text, ip text,
               request_id text, before jsonb, after jsonb, details jsonb)
     ORDER BY r.k;
    UPDATE audit_chain_heads hd SET last_seq = v_seq, last_hash = v_hash WHERE hd.chain = c;
    RETURN c;
END $$;
"""
)

# 0010's loop over ledger_post_group's outcomes, which now notes the posted items.
_SOURCE_0010 = str(revision_module("0010_ledger_post_group_audited.py")._SQL)
_OLD_NOTE = "            posted := posted || jsonb_build_array(p_audit -> (g.item - 1));\n"
_POST_LOOP = _SOURCE_0010[
    _SOURCE_0010.index("    FOR g IN") : _SOURCE_0010.index("    END LOOP;")
    + len("    END LOOP;\n")
]
assert _POST_LOOP.count(_OLD_NOTE) == 1, "0010's ledger_post_group_audited is not as expected"
_POST_LOOP = _POST_LOOP.replace(_OLD_NOTE, "            posted := posted || g.item;\n")

GROUP_SQL = (
    """
CREATE FUNCTION ledger_post_group_audited(
    p_keys text[], p_hashes text[], p_entries uuid[], p_kinds text[], p_descs text[],
    p_metas text[], p_ats timestamptz[],
    p_leg_of integer[], p_acc uuid[], p_cur text[], p_amt bigint[], p_r integer,
    p_heads text[], p_middles text[], p_tails text[], p_chain integer)
RETURNS TABLE (item integer, status text, ref uuid, info text)
LANGUAGE plpgsql AS $$
DECLARE
    posted integer[] := '{}';
    g record;
BEGIN
    IF cardinality(p_heads) <> cardinality(p_entries) THEN
        RAISE EXCEPTION 'ledger_post_group_audited: % audit events for % entries',
            cardinality(p_heads), cardinality(p_entries)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
"""
    + _POST_LOOP
    + """    -- Refused and replayed entries write no record: nothing changed for them.
    IF cardinality(posted) = cardinality(p_entries) THEN
        PERFORM audit_append(p_chain, p_heads, p_middles, p_tails);
    ELSIF cardinality(posted) > 0 THEN
        PERFORM audit_append(p_chain,
                             ARRAY(SELECT p_heads[i] FROM unnest(posted) AS i ORDER BY i),
                             ARRAY(SELECT p_middles[i] FROM unnest(posted) AS i ORDER BY i),
                             ARRAY(SELECT p_tails[i] FROM unnest(posted) AS i ORDER BY i));
    END IF;
    RETURN;
END $$;
"""
)


def upgrade() -> None:
    op.execute(f"DROP FUNCTION {_OLD_GROUP}")
    op.execute(f"DROP FUNCTION {_OLD_APPEND}")
    op.execute(APPEND_SQL)
    op.execute(GROUP_SQL)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {_NEW_GROUP}")
    op.execute(f"DROP FUNCTION {_NEW_APPEND}")
    # 0011's audit_append (one insert per batch) and 0010's wrapper, as they were.
    op.execute(
        str(revision_module("0011_group_locks_by_index_audit_in_one_insert.py")._append_sql(True))
    )
    op.execute(str(revision_module("0010_ledger_post_group_audited.py")._SQL))
