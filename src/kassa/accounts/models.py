"""Customer accounts (each is a ledger account) and customer transfers."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kassa.kit.db import Base
from kassa.kit.ids import uuid7


class Account(Base):
    """A customer's account. Its id is its ledger account's id; status lives in the ledger."""

    __tablename__ = "accounts"
    __table_args__ = (
        sa.CheckConstraint("product IN ('current','savings')", name="product"),
        sa.CheckConstraint("number ~ '^[0-9]{12}$'", name="number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("ledger_accounts.id"), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id"), nullable=False, index=True
    )
    number: Mapped[str] = mapped_column(sa.String(12), nullable=False, unique=True)
    product: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Transfer(Base):
    """A customer's transfer request; completed ones point at their journal entry."""

    __tablename__ = "account_transfers"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('awaiting_confirmation','completed','cancelled')", name="status"
        ),
        sa.CheckConstraint("amount > 0 AND fee >= 0", name="amounts"),
        sa.UniqueConstraint(
            "requested_by", "idempotency_key", name="uq_account_transfers_requested_by_key"
        ),
        sa.Index("ix_account_transfers_from", "from_account_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7)
    requested_by: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    request_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    from_account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("accounts.id"), nullable=False)
    to_account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("accounts.id"), nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    fee: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    description: Mapped[str] = mapped_column(sa.String(140), nullable=False, default="")
    status: Mapped[str] = mapped_column(sa.String(24), nullable=False)
    entry_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    challenge_method: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
