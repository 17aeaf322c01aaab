"""`quizbot`: set up, run the bot, manage the database and the content bank.

Terminal output is English: terminals do not shape right-to-left text, so Persian there is
unreadable; Persian content is shown as it is written in the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_settings, console, err_console, sync_command
from bot.cli.content import content_app
from bot.cli.db import db_app
from bot.cli.demos import demo, worker
from bot.cli.schedule import schedule_app
from bot.cli.stats import stats_app
from bot.config import SettingsError
from bot.envfile import ensure_env_file

app = typer.Typer(
    help="quizbot: Persian quiz and tutoring bot for ML learners.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(content_app, name="content")
app.add_typer(schedule_app, name="schedule")
app.add_typer(stats_app, name="stats")
app.command()(demo)
app.command()(worker)


@app.command()
def setup(env_file: Annotated[Path, typer.Option(help="File to write.")] = Path(".env")) -> None:
    """Create .env with a freshly generated ANSWER_HASH_KEY (an existing key is kept)."""
    console.print(ensure_env_file(env_file), markup=False)


@app.command()
def run() -> None:
    """Migrate the database, sync the content bank, then run the bot (long polling)."""
    settings = cli_settings()
    try:
        hash_key = settings.require_hash_key()
        sync_command(settings, show_progress=False)
        token = settings.require_token()
    except SettingsError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    from bot.app import run_polling  # PTB's application stack is needed only here

    try:
        run_polling(settings, token, hash_key)
    except SettingsError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
