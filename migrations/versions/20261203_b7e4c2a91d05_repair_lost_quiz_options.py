"""repair quizzes whose options an earlier migration deleted on SQLite

Revision 5c1d0a7e3b21, as first written, copied the quizzes table on SQLite and the drop of
the old copy cascaded into quiz_options: every quiz kept its row and lost its options. A quiz
of the content files gets them back from the next `content sync` (`quizbot run` syncs at
start) once its content hash no longer matches; a quiz that lives only in the database
(imported, or written in chat) cannot be rebuilt and is retired, so it is never sent
without options. On a database that never lost them this changes nothing.

Revision ID: b7e4c2a91d05
Revises: 8d2ed070f5b9
Create Date: 2026-12-03 04:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "b7e4c2a91d05"
down_revision: str | None = "8d2ed070f5b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUIZZES = sa.table(
    "quizzes",
    sa.column("id", sa.String),
    sa.column("source", sa.String),
    sa.column("content_hash", sa.String),
    sa.column("retired_at", sa.DateTime(timezone=True)),
)
_OPTIONS = sa.table("quiz_options", sa.column("quiz_id", sa.String))


def upgrade() -> None:
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":  # stored as naive UTC there (bot.db.base)
        now = now.replace(tzinfo=None)
    without_options = ~sa.exists().where(_OPTIONS.c.quiz_id == _QUIZZES.c.id)
    op.execute(
        _QUIZZES.update()
        .where(without_options, _QUIZZES.c.source == "bank")
        .values(content_hash="")
    )
    op.execute(
        _QUIZZES.update()
        .where(without_options, _QUIZZES.c.source != "bank", _QUIZZES.c.retired_at.is_(None))
        .values(retired_at=now)
    )


def downgrade() -> None:
    """Nothing to undo: the repair only let the files restore what was lost."""
