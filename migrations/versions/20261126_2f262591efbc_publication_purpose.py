"""publication purpose

Revision ID: 2f262591efbc
Revises: 72b7f2216770
Create Date: 2026-11-26 04:37:28.440806
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2f262591efbc"
down_revision: str | None = "72b7f2216770"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose",
                sa.Enum(
                    "single",
                    "test",
                    "review",
                    "channel",
                    name="purpose",
                    native_enum=False,
                    length=16,
                ),
                nullable=False,
                # Rows sent before this revision were all single quizzes or channel posts.
                server_default="single",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("purpose")
