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


def upgrade() -> None:
    for table in ("interview_questions", "lessons"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("source", _SOURCE, server_default="bank", nullable=False))
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.alter_column("source", existing_type=_SOURCE, server_default="bank")


def downgrade() -> None:
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.alter_column("source", existing_type=_SOURCE, server_default=None)
    for table in ("lessons", "interview_questions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("source")
