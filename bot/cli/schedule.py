"""`quizbot schedule`: channel posts from the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import (
    Sessions,
    cli_settings,
    console,
    err_console,
    parse_at,
    run_with_sessions,
)
from bot.cli.groups import group_app
from bot.db import migrate
from bot.db.base import utcnow
from bot.db.models import ItemKind
from bot.services.channel import planning, registry
from bot.services.channel.outcomes import Problem

# The CLI speaks English (terminals do not shape Persian): why a post cannot be scheduled.
PROBLEMS = {
    Problem.PAST: "that time has passed; choose a time in the future",
    Problem.EXHAUSTED: "every item of this kind is already posted or queued in this channel",
    Problem.NOT_FOUND: "item {item} does not exist or is retired",
    Problem.TOO_LONG: "item {item} would exceed a Telegram limit once numbered and signed",
    Problem.UNKNOWN_CHANNEL: "unknown channel {item}",
}

schedule_app = group_app("schedule")


@schedule_app.command("add")
def schedule_add(
    channel: Annotated[int, typer.Option(help="The channel's chat id (e.g. -100…).")],
    kind: Annotated[str, typer.Option(help="quiz, interview or lesson")],
    at: Annotated[str, typer.Option(help="ISO-8601; without an offset, in TIMEZONE")],
    item: Annotated[str | None, typer.Option(help="Item id; default: next from the bank")] = None,
) -> None:
    """Queue a channel post; the running bot sends it on time."""
    settings = cli_settings()
    if kind not in ("quiz", "interview", "lesson"):
        err_console.print("--kind is quiz, interview or lesson", markup=False)
        raise typer.Exit(2)
    try:
        due = parse_at(at, settings)
    except ValueError as exc:
        err_console.print(f"--at is not an ISO-8601 time: {at}", markup=False)
        raise typer.Exit(2) from exc

    async def add(sessions: Sessions) -> int:
        async with sessions.begin() as session:
            row = await registry.channel_by_chat(session, channel)
            if row is None:
                raise planning.ScheduleError(Problem.UNKNOWN_CHANNEL, str(channel))
            return await planning.schedule_post(session, row, ItemKind(kind), item, due, utcnow())

    migrate.upgrade(settings.database_url)
    try:
        post_id = run_with_sessions(settings, add)
    except planning.ScheduleError as exc:
        err_console.print(
            PROBLEMS[exc.refused.problem].format(item=exc.refused.item_id), markup=False
        )
        raise typer.Exit(1) from exc
    console.print(
        f"scheduled post {post_id} for {due.astimezone(settings.tz).isoformat()}", markup=False
    )


@schedule_app.command("list")
def schedule_list() -> None:
    """Pending channel posts, soonest first."""
    settings = cli_settings()

    async def rows(sessions: Sessions) -> list[tuple[int, int, str, str | None, datetime]]:
        async with sessions() as session:
            chats = await registry.chat_ids(session)
            return [
                (p.id, chats[p.channel_id], p.kind.value, p.item_id, p.due_at)
                for p in await planning.pending_posts(session)
            ]

    migrate.upgrade(settings.database_url)
    table = Table("id", "channel", "kind", "item", "due")
    for post_id, chat_id, kind, item, due in run_with_sessions(settings, rows):
        table.add_row(
            str(post_id),
            str(chat_id),
            kind,
            item or "",
            due.astimezone(settings.tz).isoformat(timespec="minutes"),
        )
    console.print(table)


@schedule_app.command("cancel")
def schedule_cancel(post_id: Annotated[int, typer.Argument()]) -> None:
    """Cancel a pending post."""
    settings = cli_settings()

    async def cancel(sessions: Sessions) -> bool:
        async with sessions.begin() as session:
            return await planning.cancel_by_id(session, post_id, utcnow())

    migrate.upgrade(settings.database_url)
    if not run_with_sessions(settings, cancel):
        err_console.print(f"post {post_id} is not pending", markup=False)
        raise typer.Exit(1)
    console.print(f"cancelled post {post_id}", markup=False)
