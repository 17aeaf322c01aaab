"""group games: their settings, the games, their questions and the players' answers

Four new tables and nothing altered: on SQLite an existing table referenced by foreign keys
(publications) cannot be rebuilt inside the migration's transaction once it holds rows.

Revision ID: 8d2ed070f5b9
Revises: 2c39fd947d74
Create Date: 2026-12-03 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "8d2ed070f5b9"
down_revision: str | None = "2c39fd947d74"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_games",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_hash", sa.String(length=64), nullable=False),
        sa.Column("running_in", sa.String(length=64), nullable=True),
        sa.Column("sealed_chat", sa.Text(), nullable=False),
        sa.Column("topic_id", sa.String(length=40), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("timer_seconds", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "running",
                "finished",
                "cut_short",
                "abandoned",
                name="gamestate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("next_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_group_games_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_games")),
        sa.UniqueConstraint("running_in", name=op.f("uq_group_games_running_in")),
    )
    with op.batch_alter_table("group_games", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_games_group_hash"), ["group_hash"], unique=False)
        batch_op.create_index("ix_group_games_state_next_at", ["state", "next_at"], unique=False)

    op.create_table(
        "group_settings",
        sa.Column("group_hash", sa.String(length=64), nullable=False),
        sa.Column("timer_seconds", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(length=40), nullable=True),
        sa.Column("updated_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "questions BETWEEN 1 AND 50", name=op.f("ck_group_settings_questions_range")
        ),
        sa.CheckConstraint(
            "timer_seconds BETWEEN 5 AND 600", name=op.f("ck_group_settings_timer_range")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_group_settings_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("group_hash", name=op.f("pk_group_settings")),
    )
    op.create_table(
        "game_questions",
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(length=40), nullable=False),
        sa.Column("poll_id", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["group_games.id"],
            name=op.f("fk_game_questions_game_id_group_games"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quizzes.id"], name=op.f("fk_game_questions_quiz_id_quizzes")
        ),
        sa.PrimaryKeyConstraint("game_id", "position", name=op.f("pk_game_questions")),
        sa.UniqueConstraint("poll_id", name=op.f("uq_game_questions_poll_id")),
    )
    op.create_table(
        "game_answers",
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("player_hash", sa.String(length=64), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
        sa.Column("answer_ms", sa.Integer(), nullable=False),
        sa.Column("answered_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["game_id", "position"],
            ["game_questions.game_id", "game_questions.position"],
            name=op.f("fk_game_answers_game_id_game_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("game_id", "position", "player_hash", name=op.f("pk_game_answers")),
    )
    with op.batch_alter_table("game_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_game_answers_player_hash"), ["player_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("game_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_game_answers_player_hash"))

    op.drop_table("game_answers")
    op.drop_table("game_questions")
    op.drop_table("group_settings")
    with op.batch_alter_table("group_games", schema=None) as batch_op:
        batch_op.drop_index("ix_group_games_state_next_at")
        batch_op.drop_index(batch_op.f("ix_group_games_group_hash"))

    op.drop_table("group_games")
