"""scheduled post quiz number

Revision ID: ae8a71759eb8
Revises: 2f262591efbc
Create Date: 2026-11-26 05:24:50.412453
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ae8a71759eb8"
down_revision: str | None = "2f262591efbc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiz_number", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.drop_column("quiz_number")
