"""`quizbot stats`: exports and charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
from bot.services.channel import registry as channel_service

stats_app = group_app("stats")


@stats_app.command("export")
def stats_export(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or json")],
    out: Annotated[Path, typer.Option(dir_okay=False, help="File to write")],
    channel: Annotated[int | None, typer.Option(help="Only this channel (chat id)")] = None,
    since: Annotated[str | None, typer.Option(help="ISO date: only data from then on")] = None,
) -> None:
    """Channel and learner statistics as CSV (one file per view), XLSX or JSON."""
    from bot.services.reporting import export

    settings = cli_settings()
    if fmt not in export.FORMATS:
        err_console.print("--format is csv, xlsx or json", markup=False)
        raise typer.Exit(2)
    start = None
    if since is not None:
        try:
            start = parse_at(since, settings)
        except ValueError as exc:
            err_console.print(f"--since is not an ISO date: {since}", markup=False)
            raise typer.Exit(2) from exc

    from rich.progress import Progress

    migrate.upgrade(settings.database_url)
    try:
        # The queries take seconds at a million answers: a bar counts them.
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("statistics", total=export.QUERY_STEPS)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done)

            async def views(sessions: Sessions) -> list[export.View]:
                async with sessions() as session:
                    return await export.build_views(session, settings.tz, channel, start, progress)

            tables = run_with_sessions(settings, views)
    except LookupError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    if fmt == "csv":
        for name, data in export.to_csv_files(tables).items():
            target = out.with_name(f"{out.stem}-{name}")
            target.write_bytes(data)
            console.print(f"wrote {target}", markup=False)
        return
    data, _ = export.render(tables, fmt, utcnow())
    out.write_bytes(data)
    console.print(f"wrote {out}", markup=False)


@stats_app.command("charts")
def stats_charts(
    out: Annotated[Path, typer.Option(file_okay=False, help="Folder for the PNG files")],
    channel: Annotated[int | None, typer.Option(help="Only this channel (chat id)")] = None,
    quizzes: Annotated[int, typer.Option(min=0, max=50, help="Recent channel quizzes")] = 10,
) -> None:
    """PNG charts with Persian labels: quiz options, accuracy per topic, participation."""
    from bot.services.reporting import charts, statistics

    settings = cli_settings()

    async def collect(sessions: Sessions) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        async with sessions() as session:
            channel_id = None
            if channel is not None:
                row = await channel_service.channel_by_chat(session, channel)
                if row is None:
                    raise LookupError(f"unknown channel {channel}")
                channel_id = row.id
            recent = await statistics.channel_quiz_statistics(session, channel_id)
            for quiz in recent[:quizzes]:
                question, options = await statistics.quiz_text(session, quiz.quiz_id)
                files[f"quiz-{quiz.publication_id}.png"] = charts.quiz_options_chart(
                    quiz, question, options
                )
            topics = await statistics.topic_statistics(session)
            if topics:
                files["topics.png"] = charts.topic_accuracy_chart(topics)
            days = await statistics.answers_per_day(session, settings.timezone)
            if days:
                files["participation.png"] = charts.participation_chart(days)
        return files

    migrate.upgrade(settings.database_url)
    try:
        files = run_with_sessions(settings, collect)
    except LookupError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    console.print(f"wrote {len(files)} charts to {out}", markup=False)
