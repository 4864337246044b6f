"""Reversals: the mirror image of a posted entry, linked to it."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kassa.ledger import errors as E
from kassa.ledger.models import IdempotencyKey, JournalEntry
from kassa.ledger.single import post_entry
from kassa.ledger.specs import EntrySpec, Leg, PostResult


def reverse_entry(
    session: Session, entry_id: uuid.UUID, *, key: str | None = None, description: str | None = None
) -> PostResult:
    """Post the mirror image of an entry, linked to it; an entry is reversed at most once."""
    original = session.execute(
        sa.select(JournalEntry).where(JournalEntry.id == entry_id).with_for_update()
    ).scalar_one_or_none()
    if original is None:
        raise E.EntryNotFound("No such journal entry.")
    spec_key = key
    if spec_key is None or session.get(IdempotencyKey, spec_key) is None:
        done = session.scalar(
            sa.select(JournalEntry.id).where(JournalEntry.reverses_id == entry_id)
        )
        if done is not None:
            raise E.AlreadyReversed("The entry was already reversed.", reversal_id=str(done))
    legs = [
        Leg(a, -amt, cur)
        for a, amt, cur in session.execute(
            sa.text(
                "SELECT account_id, amount, currency FROM ledger_postings WHERE entry_id = :e"
                " ORDER BY id"
            ),
            {"e": entry_id},
        )
    ]
    return post_entry(
        session,
        EntrySpec(
            legs=legs,
            kind="reversal",
            key=spec_key,
            reverses_id=entry_id,
            description=description or f"Reversal: {original.description}"[:500],
            meta={"reverses": str(entry_id)},
        ),
    )
