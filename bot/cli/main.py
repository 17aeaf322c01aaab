"""`quizbot`: set up, run the bot, manage the database and the content bank.

Terminal output is English: terminals do not shape right-to-left text, so Persian there is
unreadable; Persian content is shown as it is written in the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.groups import LazyCommands

# Each group and the demo commands are imported when used (bot/cli/groups.py); plain click
# help (no rich formatting) keeps `quizbot --help` instant.
app = typer.Typer(
    cls=LazyCommands,
    help="quizbot: Persian quiz and tutoring bot for ML learners.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.command()
def setup(env_file: Annotated[Path, typer.Option(help="File to write.")] = Path(".env")) -> None:
    """Create .env with a freshly generated ANSWER_HASH_KEY (an existing key is kept)."""
    from bot.cli.common import console
    from bot.envfile import ensure_env_file

    console.print(ensure_env_file(env_file), markup=False)


@app.command()
def run(
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook",
            help="Take updates as Telegram's POSTs to WEBHOOK_URL (several processes behind "
            "one proxy) instead of long polling.",
        ),
    ] = False,
) -> None:
    """Migrate the database, sync the content bank, then run the bot (long polling or webhook)."""
    from bot.cli.common import cli_settings, err_console, sync_command
    from bot.config import SettingsError

    settings = cli_settings()
    try:
        hash_key = settings.require_hash_key()
        hook = settings.require_webhook() if webhook else None
        sync_command(settings, show_progress=False)
        token = settings.require_token()
    except SettingsError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    from bot.app import run_polling  # PTB's application stack is needed only here

    try:
        run_polling(settings, token, hash_key, hook)
    except SettingsError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
