"""Customers (individuals and businesses) and who may act for them."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kassa.kit.db import Base
from kassa.kit.ids import uuid7


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('individual','business')", name="kind"),
        sa.CheckConstraint("kyc_status IN ('pending','verified','rejected')", name="kyc_status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    # A business customer is the company organisation: every user of it may act for it
    # (within the sections granted to them).
    org_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organisations.id"), unique=True)
    kyc_status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="pending")
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


class CustomerUser(Base):
    """An identity user who may act for a customer (the person, or a named representative)."""

    __tablename__ = "customer_users"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
