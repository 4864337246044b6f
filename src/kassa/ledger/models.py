"""Tables of the ledger: accounts, balance rows, journal entries, postings, holds, keys.

Postings store ``amount`` signed from the debit side: a debit is positive, a credit negative,
so every journal entry sums to zero per currency. Balances are kept in the account's *normal*
direction (assets and expenses grow with debits; liabilities, income and equity with credits).
The database refuses unbalanced entries, changes to posted entries and postings, and (through
``floor``) a limited account going below its overdraft limit; see migration 0002.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kassa.kit.db import Base
from kassa.kit.ids import uuid7

ACCOUNT_TYPES = ("asset", "liability", "income", "expense", "equity")
DEBIT_NORMAL = frozenset({"asset", "expense"})


def normal_sign(account_type: str) -> int:
    """+1 when debits increase the account's balance, -1 when credits do."""
    return 1 if account_type in DEBIT_NORMAL else -1


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        sa.CheckConstraint(
            "type IN ('asset','liability','income','expense','equity')", name="type"
        ),
        sa.CheckConstraint("status IN ('open','frozen','closed')", name="status"),
        sa.CheckConstraint("overdraft_limit >= 0", name="overdraft_limit"),
        sa.CheckConstraint(
            "shards BETWEEN 1 AND 64 AND (shards = 1 OR NOT limited)", name="shards"
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency"),
        sa.UniqueConstraint("id", "currency", name="uq_ledger_accounts_id_currency"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    # A limited account may not go below -overdraft_limit (available balance); bank-side
    # accounts are unlimited and may spread their balance over several shard rows.
    limited: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    overdraft_limit: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    shards: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=1)
    status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


class LedgerBalance(Base):
    """One (or, for a hot unlimited account, several) running-balance rows per account."""

    __tablename__ = "ledger_balances"
    __table_args__ = (
        sa.CheckConstraint("pending_out >= 0 AND pending_in >= 0", name="pending"),
        sa.CheckConstraint("floor IS NULL OR posted - pending_out >= floor", name="floor"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("ledger_accounts.id"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, default=0)
    posted: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    pending_out: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    pending_in: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    # -overdraft_limit for a limited account's single row; NULL where there is no limit.
    floor: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The account's status, copied onto the rows a posting locks: a transfer that waited for
    # the lock then re-reads the newest status (freeze and close update these rows).
    account_status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="open")


class JournalEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('transfer','entry','reversal','hold_post')", name="kind"),
        sa.Index("ix_ledger_entries_booked_at", "booked_at"),
        # An entry is reversed at most once (partial: almost no entry is a reversal).
        sa.Index(
            "uq_ledger_entries_reverses_id",
            "reverses_id",
            unique=True,
            postgresql_where=sa.text("reverses_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    description: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # A correction points at the entry it reverses.
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    hold_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # Value time (when it counts for balances and statements) and system time.
    booked_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


class Posting(Base):
    __tablename__ = "ledger_postings"
    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_nonzero"),
        sa.Index("ix_ledger_postings_account_booked", "account_id", "booked_at", "id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    # Entry and (account, currency) must exist: checked per statement by the trigger
    # ledger_postings_valid (migration 0005) rather than by row-locking foreign keys.
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False, index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)  # debit +, credit -
    booked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)


class Hold(Base):
    """A pending (two-phase) transfer: reserves funds until posted, voided or expired."""

    __tablename__ = "ledger_holds"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount"),
        sa.CheckConstraint("status IN ('pending','posted','voided','expired')", name="status"),
        sa.CheckConstraint(
            "posted_amount IS NULL OR (posted_amount > 0 AND posted_amount <= amount)",
            name="posted_amount",
        ),
        sa.Index(
            "ix_ledger_holds_pending_expiry",
            "expires_at",
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7)
    debit_account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("ledger_accounts.id"), nullable=False
    )
    credit_account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("ledger_accounts.id"), nullable=False
    )
    debit_shard: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    credit_shard: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    posted_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="pending")
    description: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    entry_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class IdempotencyKey(Base):
    """A money-moving request's key, claimed in the same transaction as its postings."""

    __tablename__ = "ledger_idempotency"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    ref_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
