"""timed and shared tests, review reminders

Revision ID: 2c39fd947d74
Revises: 5c1d0a7e3b21
Create Date: 2026-12-02 03:55:22.136920
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "2c39fd947d74"
down_revision: str | None = "5c1d0a7e3b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("learner_hash", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("sealed_chat", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("created_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hour BETWEEN 0 AND 23", name=op.f("ck_reminders_hour_range")),
        sa.PrimaryKeyConstraint("learner_hash", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_hour"), ["hour"], unique=False)

    op.create_table(
        "shared_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("quiz_ids", sa.JSON(), nullable=False),
        sa.Column("topic_id", sa.String(length=40), nullable=True),
        sa.Column("seconds_per_question", sa.SmallInteger(), nullable=True),
        sa.Column("owner_hash", sa.String(length=64), nullable=False),
        sa.Column("owner_correct", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_shared_tests_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_tests")),
        sa.UniqueConstraint("code", name=op.f("uq_shared_tests_code")),
    )
    with op.batch_alter_table("shared_tests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shared_tests_owner_hash"), ["owner_hash"], unique=False
        )

    with op.batch_alter_table("test_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seconds_per_question", sa.SmallInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("deadline", bot.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("timed_out", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("sealed_chat", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("shared_test_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_test_sessions_deadline"), ["deadline"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_test_sessions_shared_test_id"), ["shared_test_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_test_sessions_shared_test_id_shared_tests"),
            "shared_tests",
            ["shared_test_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("test_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_test_sessions_shared_test_id_shared_tests"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_test_sessions_shared_test_id"))
        batch_op.drop_index(batch_op.f("ix_test_sessions_deadline"))
        batch_op.drop_column("shared_test_id")
        batch_op.drop_column("sealed_chat")
        batch_op.drop_column("timed_out")
        batch_op.drop_column("deadline")
        batch_op.drop_column("seconds_per_question")

    with op.batch_alter_table("shared_tests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shared_tests_owner_hash"))

    op.drop_table("shared_tests")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_hour"))

    op.drop_table("reminders")
