"""`quizbot content`: validate, lint, sync, stats, import, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from bot.bank.interchange import QuizFormat, export_quizzes, import_quizzes, quizzes_yaml
from bot.bank.lint import lint_bank
from bot.bank.loader import ITEMS_DIR
from bot.bank.stats import bank_stats
from bot.cli.common import (
    Sessions,
    cli_bank,
    cli_settings,
    console,
    content_errors,
    err_console,
    run_with_sessions,
    sync_command,
)
from bot.cli.groups import group_app
from bot.config import Settings
from bot.db.base import utcnow

content_app = group_app("content")


@content_app.command("validate")
def content_validate() -> None:
    """Check every content file; list all problems with file, item and field."""
    bank = cli_bank(cli_settings())
    console.print(
        f"ok: {len(bank.topics)} topics, {len(bank.quizzes)} quizzes, "
        f"{len(bank.interview_questions)} interview questions, {len(bank.lessons)} lessons"
    )


@content_app.command("lint")
def content_lint() -> None:
    """Item-writing checks: answer positions, longest answers, catch-all options, repeats."""
    settings = cli_settings()
    findings = lint_bank(cli_bank(settings), settings.content_dir)
    for finding in findings:
        err_console.print(str(finding), markup=False)
    if findings:
        raise typer.Exit(1)
    console.print("lint: no findings")


@content_app.command("sync")
def content_sync() -> None:
    """Write the content files into the database in one transaction."""
    sync_command(cli_settings())


@content_app.command("stats")
def content_stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts per kind, topic and difficulty, and the mix of quiz kinds."""
    stats = bank_stats(cli_bank(cli_settings()))
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    table = Table("topic", "quizzes", "interview questions", "lessons")
    for topic_id, counts in stats["topics"].items():
        table.add_row(
            topic_id,
            str(counts["quizzes"]),
            str(counts["interview_questions"]),
            str(counts["lessons"]),
        )
    table.add_row(
        "total",
        str(stats["quizzes"]["total"]),
        str(stats["interview_questions"]["total"]),
        str(stats["lessons"]["total"]),
    )
    console.print(table)
    console.print(f"quizzes by difficulty: {stats['quizzes']['by_difficulty']}", markup=False)
    mix = stats["variety"]
    console.print(
        f"multiple-answer {mix['multiple_answer']['count']}, "
        f"not-true {mix['not_true']['count']}, numeric {mix['numeric']['count']}, "
        f"by option count {mix['by_option_count']}, right option shortest "
        f"{mix['correct_shortest']['share']:.0%} / longest {mix['correct_longest']['share']:.0%} "
        f"of {mix['length_checked']} non-numeric single-answer quizzes",
        markup=False,
    )


@content_app.command("import")
def content_import(
    source: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    fmt: Annotated[str, typer.Option("--format", help="gift, aiken, csv or telegram-export")],
    topic: Annotated[
        str | None, typer.Option(help="Topic for quizzes the file does not place.")
    ] = None,
    difficulty: Annotated[int, typer.Option(min=1, max=3)] = 2,
    out: Annotated[Path | None, typer.Option(help="Content file to write.")] = None,
    force: Annotated[bool, typer.Option(help="Replace OUT if it exists.")] = False,
) -> None:
    """Turn a GIFT, Aiken or CSV file into a content file under content/items/, or import a
    channel's history from a Telegram Desktop export (result.json)."""
    settings = cli_settings()
    if fmt == "telegram-export":
        _import_history(settings, source, topic)
        return
    try:
        quiz_format = QuizFormat(fmt)
    except ValueError as exc:
        err_console.print("--format is gift, aiken, csv or telegram-export", markup=False)
        raise typer.Exit(2) from exc
    bank = cli_bank(settings)
    target = out or settings.content_dir / ITEMS_DIR / f"imported-{source.stem}.yaml"
    if target.exists() and not force:
        err_console.print(f"{target} exists; pass --force to replace it.", markup=False)
        raise typer.Exit(1)
    out_name = (
        str(target.resolve().relative_to(settings.content_dir.resolve().parent))
        if target.resolve().is_relative_to(settings.content_dir.resolve().parent)
        else str(target)
    )
    # Items of the file being replaced must not count as clashes with themselves.
    bank.quizzes = [located for located in bank.quizzes if located.file != out_name]
    with Progress(console=console, transient=True) as progress:
        progress.add_task(f"importing {source.name}", total=None)
        with content_errors():
            quizzes = import_quizzes(
                source, quiz_format, bank, out_file=out_name, topic=topic, difficulty=difficulty
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(quizzes_yaml(quizzes), encoding="utf-8")
    console.print(
        f"wrote {len(quizzes)} quizzes to {target}; review them, then run `quizbot content sync`",
        markup=False,
    )


@content_app.command("export")
def content_export(
    fmt: Annotated[str, typer.Option("--format", help="gift, aiken, csv or yaml")],
    out: Annotated[Path, typer.Option(dir_okay=False)],
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
    source: Annotated[
        str | None,
        typer.Option(help="yaml only: items of this source (bank, telegram_export, chat)."),
    ] = None,
) -> None:
    """Write the bank's quizzes as GIFT, Aiken or CSV; or, as yaml, the database's items (those
    written in chat, with --source chat) as a content file for content/items/."""
    if fmt == "yaml":
        _export_yaml(out, source)
        return
    try:
        quiz_format = QuizFormat(fmt)
    except ValueError as exc:
        err_console.print("--format is gift, aiken, csv or yaml", markup=False)
        raise typer.Exit(2) from exc
    bank = cli_bank(cli_settings())
    quizzes = [loc.item for loc in bank.quizzes if topic is None or loc.item.topic == topic]
    with Progress(console=console, transient=True) as progress:
        progress.add_task(f"exporting {len(quizzes)} quizzes", total=None)
        with content_errors():
            text = export_quizzes(quizzes, quiz_format)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {len(quizzes)} quizzes to {out}", markup=False)


def _export_yaml(out: Path, source: str | None) -> None:
    from bot.bank.yamlio import dump_yaml
    from bot.db.models import ContentSource
    from bot.services.content.bank_export import ExportedItems, export_items

    try:
        wanted = None if source is None else ContentSource(source)
    except ValueError as exc:
        choices = ", ".join(member.value for member in ContentSource)
        err_console.print(f"--source is one of {choices}", markup=False)
        raise typer.Exit(2) from exc
    settings = cli_settings()

    async def run(sessions: Sessions) -> ExportedItems:
        async with sessions() as session:
            return await export_items(session, wanted)

    exported = run_with_sessions(settings, run)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_yaml(exported.sections), encoding="utf-8")
    console.print(f"wrote {exported.count} items to {out}", markup=False)
    if exported.unusable:
        err_console.print(
            f"left out {len(exported.unusable)} no content file can hold yet "
            f"(e.g. an imported quiz without its right answer): {', '.join(exported.unusable)}",
            markup=False,
        )


def _import_history(settings: Settings, source: Path, topic: str | None) -> None:
    from bot.bank.telegram_export import read_export
    from bot.services.content.history_import import import_history

    bank = cli_bank(settings)
    topic_id = topic or (bank.topics[0].id if bank.topics else None)
    if topic_id not in bank.topic_ids():
        err_console.print(f"--topic must be one of {sorted(bank.topic_ids())}", markup=False)
        raise typer.Exit(2)
    with content_errors():
        export = read_export(source)

    sync_command(settings, show_progress=False)  # topics must exist before quizzes
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"importing {len(export.polls)} polls", total=len(export.polls))

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        async def run(sessions: Sessions) -> Any:
            async with sessions.begin() as session:
                return await import_history(session, export, str(topic_id), utcnow(), progress)

        report = run_with_sessions(settings, run)
    console.print(
        f"{report.quizzes} quizzes, {report.publications} channel posts and "
        f"{report.snapshots} vote snapshots imported, {report.skipped} already there or "
        f"not usable; imported quizzes stay out of rotation until "
        f"`quizbot content set-answer QUIZ_ID N` names their right option",
        markup=False,
    )
    if export.posts:
        _write_recognised_posts(settings, export, str(topic_id))


def _write_recognised_posts(settings: Settings, export: Any, topic_id: str) -> None:
    """Interview questions and lessons found in the history, as a content file to review."""
    from pydantic import ValidationError

    from bot.bank.schema import InterviewItem, LessonItem
    from bot.bank.yamlio import dump_yaml
    from bot.services.content.history_import import imported_quiz_id

    target = settings.content_dir / ITEMS_DIR / f"imported-telegram-{abs(export.chat_id)}.yaml"
    if target.exists():
        console.print(f"{target} exists; recognised posts were not written again", markup=False)
        return
    sections: dict[str, list[dict[str, Any]]] = {"interview_questions": [], "lessons": []}
    skipped = 0
    for post in export.posts:
        item_id = imported_quiz_id(export.chat_id, post.message_id)
        try:
            if post.kind == "interview":
                interview = InterviewItem.model_validate(
                    {"id": item_id, "topic": topic_id, "question": post.title, "answer": post.lines}
                )
                sections["interview_questions"].append(interview.model_dump(exclude_defaults=True))
            else:
                lesson = LessonItem.model_validate(
                    {
                        "id": item_id,
                        "topic": topic_id,
                        "title": post.title[:120],
                        "body": "\n".join(post.lines) or post.title,
                        "hashtags": post.hashtags,
                    }
                )
                sections["lessons"].append(lesson.model_dump(exclude_defaults=True))
        except ValidationError:
            skipped += 1
    target.write_text(dump_yaml({k: v for k, v in sections.items() if v}), encoding="utf-8")
    written = sum(map(len, sections.values()))
    console.print(
        f"wrote {written} recognised interview questions and lessons to {target} "
        f"({skipped} unusable); review them, then run `quizbot content sync`",
        markup=False,
    )


@content_app.command("set-answer")
def content_set_answer(
    quiz_id: Annotated[str, typer.Argument()],
    option: Annotated[int, typer.Argument(help="1-based position of the right option")],
) -> None:
    """Name the right option of an imported quiz; it then enters rotation."""
    from bot.services.content.history_import import set_answer

    settings = cli_settings()

    async def run(sessions: Sessions) -> bool:
        async with sessions.begin() as session:
            return await set_answer(session, quiz_id, option)

    if not run_with_sessions(settings, run):
        err_console.print(f"no quiz {quiz_id} with an option {option}", markup=False)
        raise typer.Exit(1)
    console.print(f"{quiz_id}: option {option} is right; the quiz is in rotation", markup=False)


@content_app.command("needs-review")
def content_needs_review() -> None:
    """List imported quizzes whose right option is unknown (name it with set-answer)."""
    from bot.services.content.curation import unreviewed_quizzes

    settings = cli_settings()

    async def run(sessions: Sessions) -> Any:
        async with sessions() as session:
            return await unreviewed_quizzes(session)

    quizzes = run_with_sessions(settings, run)
    if not quizzes:
        console.print("no imported quiz waits for its right option", markup=False)
        return
    for quiz in quizzes:
        console.print(f"{quiz.id}: {' '.join(quiz.question.split())}", markup=False)
        for number, option in enumerate(quiz.options, 1):
            console.print(f"  {number}. {option}", markup=False)
    console.print(
        f"{len(quizzes)} quizzes wait; `quizbot content set-answer QUIZ_ID N` names the right one",
        markup=False,
    )
