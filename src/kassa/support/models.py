"""Tables of customer feedback: a thread per topic, its messages in order."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kassa.kit.db import Base
from kassa.kit.ids import uuid7

THREAD_STATUSES = ("open", "answered", "closed")
AUTHOR_KINDS = ("customer", "staff")
MAX_BODY = 4000


class SupportThread(Base):
    __tablename__ = "support_threads"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open','answered','closed')", name="status"),
        sa.Index("ix_support_threads_customer", "customer_user_id", "id"),
        sa.Index("ix_support_threads_status", "status", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7)
    customer_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    org_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="open")
    related_account_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("accounts.id"))
    related_transfer_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("account_transfers.id")
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


class SupportMessage(Base):
    __tablename__ = "support_messages"
    __table_args__ = (
        sa.CheckConstraint("author_kind IN ('customer','staff')", name="author_kind"),
        sa.CheckConstraint(f"char_length(body) BETWEEN 1 AND {MAX_BODY}", name="body"),
        sa.Index("ix_support_messages_thread", "thread_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7)
    thread_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("support_threads.id"), nullable=False
    )
    author_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    author_kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
