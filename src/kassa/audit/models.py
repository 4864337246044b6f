"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kassa.kit.db import Base

# Records are spread over a few independent chains so that concurrent transactions do not
# all queue behind one lock; each chain is verified on its own.
CHAIN_COUNT = 8


class AuditRecord(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.UniqueConstraint("chain", "seq", name="uq_audit_log_chain_seq"),
        sa.CheckConstraint(f"chain >= 0 AND chain < {CHAIN_COUNT}", name="chain"),
        sa.CheckConstraint("outcome IN ('success','failure','denied')", name="outcome"),
        sa.Index("ix_audit_log_occurred_at", "occurred_at"),
        sa.Index("ix_audit_log_actor", "actor_id"),
        sa.Index("ix_audit_log_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    chain: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    actor_label: Mapped[str | None] = mapped_column(sa.String(254))
    org_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    action: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    target_type: Mapped[str | None] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class AuditChainHead(Base):
    """Last sequence and hash of each chain, so deleting the newest rows is noticed too."""

    __tablename__ = "audit_chain_heads"

    chain: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    last_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
