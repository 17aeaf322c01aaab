"""content source on interview questions and lessons: chat-authored items are not retired

Revision ID: 5c1d0a7e3b21
Revises: 442e677b9f50
Create Date: 2026-12-02 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1d0a7e3b21"
down_revision: str | None = "442e677b9f50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SOURCE = sa.Enum(
    "bank", "telegram_export", "chat", name="contentsource", native_enum=False, length=16
)


def _copies_tables() -> bool:
    # SQLite alters a column by copying the table and dropping the old one, and the drop
    # cascades: it deleted every quiz's options (quiz_options → quizzes ON DELETE CASCADE).
    # The quizzes' server default only serves raw inserts; the models set the source.
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    for table in ("interview_questions", "lessons"):
        # ALTER TABLE … ADD COLUMN on every backend: the table is not copied.
        op.add_column(table, sa.Column("source", _SOURCE, server_default="bank", nullable=False))
    if not _copies_tables():
        op.alter_column("quizzes", "source", existing_type=_SOURCE, server_default="bank")


def downgrade() -> None:
    if not _copies_tables():
        op.alter_column("quizzes", "source", existing_type=_SOURCE, server_default=None)
    for table in ("lessons", "interview_questions"):
        # SQLite ≥ 3.35 drops a column in place (no copy, so nothing cascades).
        op.drop_column(table, "source")
