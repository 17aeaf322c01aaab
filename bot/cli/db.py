"""`quizbot db`: migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import (
    cli_settings,
    console,
)
from bot.cli.groups import group_app
from bot.db import migrate

db_app = group_app("db")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(cli_settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")]) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(cli_settings().database_url, revision)


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrated schema differ."""
    migrate.check(cli_settings().database_url)
    console.print("schema matches the models")
