"""Conversation states, channel admins, admin choices, the notice outbox, demo cooldowns

Revision ID: c0f1a3382996
Revises: ae8a71759eb8
Create Date: 2026-12-01 21:31:29.411569
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "c0f1a3382996"
down_revision: str | None = "ae8a71759eb8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_states",
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("expires_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("flow", "key_hash", name=op.f("pk_conversation_states")),
    )
    op.create_table(
        "demo_cooldowns",
        sa.Column("learner_hash", sa.String(length=64), nullable=False),
        sa.Column("last_run_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("learner_hash", name=op.f("pk_demo_cooldowns")),
    )
    op.create_table(
        "admin_choices",
        sa.Column("admin_hash", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_admin_choices_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("admin_hash", name=op.f("pk_admin_choices")),
    )
    op.create_table(
        "channel_admins",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("admin_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_channel_admins_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_id", "admin_hash", name=op.f("pk_channel_admins")),
    )
    with op.batch_alter_table("channel_admins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_admins_admin_hash"), ["admin_hash"], unique=False
        )

    op.create_table(
        "admin_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "missed",
                "uncertain",
                "failed",
                "shortage",
                name="noticekind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column(
            "item_kind",
            sa.Enum("quiz", "interview", "lesson", name="itemkind", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("due_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_admin_notices_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["scheduled_posts.id"],
            name=op.f("fk_admin_notices_post_id_scheduled_posts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_notices")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_admin_notices_dedupe_key")),
    )
    with op.batch_alter_table("admin_notices", schema=None) as batch_op:
        batch_op.create_index("ix_admin_notices_pending", ["delivered_at", "id"], unique=False)

    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("admins_checked_at", bot.db.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("admins_checked_at")

    with op.batch_alter_table("admin_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_notices_pending")

    op.drop_table("admin_notices")
    with op.batch_alter_table("channel_admins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_admins_admin_hash"))

    op.drop_table("channel_admins")
    op.drop_table("admin_choices")
    op.drop_table("demo_cooldowns")
    op.drop_table("conversation_states")
