"""Run Alembic migrations from code (`quizbot db …`, `quizbot run`, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.config import PROJECT_ROOT

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
# A PostgreSQL advisory lock taken by the migration's and the bank sync's transactions: bot
# processes started together (several behind a proxy) then migrate and sync one at a time,
# and the later ones find nothing left to do instead of colliding on the same rows.
STARTUP_LOCK = 7_170_111_985


def alembic_config(database_url: str) -> Config:
    """An Alembic config for the project's migrations, pointed at `database_url`."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    # Keep the caller's logging setup (tests, CLI) instead of alembic.ini's.
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database down to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models differ from the migrated schema."""
    command.check(alembic_config(database_url))
