"""admin contacts: channel admins told of failures, their chat sealed

Revision ID: 442e677b9f50
Revises: c0f1a3382996
Create Date: 2026-12-02 01:48:34.055550
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "442e677b9f50"
down_revision: str | None = "c0f1a3382996"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_contacts",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("admin_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_chat", sa.Text(), nullable=False),
        sa.Column("since", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_admin_contacts_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_id", "admin_hash", name=op.f("pk_admin_contacts")),
    )
    with op.batch_alter_table("admin_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_contacts_admin_hash"), ["admin_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_contacts_admin_hash"))

    op.drop_table("admin_contacts")
