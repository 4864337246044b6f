"""support: customer feedback threads and their messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_threads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_user_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("related_account_id", sa.Uuid(), nullable=True),
        sa.Column("related_transfer_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open','answered','closed')", name=op.f("ck_support_threads_status")
        ),
        sa.ForeignKeyConstraint(
            ["customer_user_id"],
            ["users.id"],
            name=op.f("fk_support_threads_customer_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_support_threads_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["related_account_id"],
            ["accounts.id"],
            name=op.f("fk_support_threads_related_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["related_transfer_id"],
            ["account_transfers.id"],
            name=op.f("fk_support_threads_related_transfer_id_account_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_threads")),
    )
    op.create_index(
        "ix_support_threads_customer", "support_threads", ["customer_user_id", "id"], unique=False
    )
    op.create_index("ix_support_threads_status", "support_threads", ["status", "id"], unique=False)
    op.create_table(
        "support_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("author_kind", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "author_kind IN ('customer','staff')", name=op.f("ck_support_messages_author_kind")
        ),
        sa.CheckConstraint(
            "char_length(body) BETWEEN 1 AND 4000", name=op.f("ck_support_messages_body")
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_support_messages_author_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["support_threads.id"],
            name=op.f("fk_support_messages_thread_id_support_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
    )
    op.create_index(
        "ix_support_messages_thread", "support_messages", ["thread_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_support_messages_thread", table_name="support_messages")
    op.drop_table("support_messages")
    op.drop_index("ix_support_threads_status", table_name="support_threads")
    op.drop_index("ix_support_threads_customer", table_name="support_threads")
    op.drop_table("support_threads")
