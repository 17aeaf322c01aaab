"""`quizbot`: set up, run the bot, manage the database and the content bank.

Terminal output is English: terminals do not shape right-to-left text, so Persian there is
unreadable; Persian content is shown as it is written in the files.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bot.bank.interchange import QuizFormat, export_quizzes, import_quizzes, quizzes_yaml
from bot.bank.issues import ContentError
from bot.bank.lint import lint_bank
from bot.bank.loader import ITEMS_DIR, Bank, load_bank
from bot.bank.stats import bank_stats
from bot.config import Settings, SettingsError, load_settings
from bot.db import migrate
from bot.db.base import utcnow
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import ItemKind
from bot.envfile import ensure_env_file
from bot.services import channels as channel_service
from bot.services import scheduling
from bot.services.content_sync import SyncReport, sync_bank

app = typer.Typer(
    help="quizbot: Persian quiz and tutoring bot for ML learners.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
content_app = typer.Typer(help="The content bank under content/.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(content_app, name="content")
schedule_app = typer.Typer(help="Channel posts: add, list, cancel.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        err_console.print(f"Invalid settings: {exc}", markup=False)
        raise typer.Exit(2) from exc


def _fail_content(error: ContentError) -> None:
    for issue in error.issues:
        err_console.print(str(issue), markup=False)
    err_console.print(f"{error}; nothing was written.", markup=False)
    raise typer.Exit(1)


@contextmanager
def _content_errors() -> Iterator[None]:
    try:
        yield
    except ContentError as exc:
        _fail_content(exc)


def _load(settings: Settings) -> Bank:
    with _content_errors():
        return load_bank(settings.content_dir)
    raise AssertionError("unreachable")  # _fail_content always exits


@app.command()
def setup(env_file: Annotated[Path, typer.Option(help="File to write.")] = Path(".env")) -> None:
    """Create .env with a freshly generated ANSWER_HASH_KEY (an existing key is kept)."""
    console.print(ensure_env_file(env_file), markup=False)


async def _sync(settings: Settings, bank: Bank, show_progress: bool) -> SyncReport:
    engine = create_engine(settings.database_url)
    try:
        session_factory = create_session_factory(engine)
        total = len(bank.quizzes) + len(bank.interview_questions) + len(bank.lessons)
        with Progress(console=console, disable=not show_progress, transient=True) as progress:
            task = progress.add_task("syncing content", total=total)
            async with session_factory.begin() as session:
                return await sync_bank(session, bank, lambda n: progress.advance(task, n))
    finally:
        await engine.dispose()


def _print_sync(report: SyncReport) -> None:
    for name in ("topics", "quizzes", "interview_questions", "lessons"):
        part = getattr(report, name)
        console.print(
            f"{name}: {len(part.added)} added, {len(part.updated)} updated, "
            f"{len(part.retired)} retired, {part.unchanged} unchanged",
            markup=False,
        )


def _sync_command(settings: Settings, show_progress: bool = True) -> None:
    bank = _load(settings)
    migrate.upgrade(settings.database_url)
    _print_sync(asyncio.run(_sync(settings, bank, show_progress)))


@app.command()
def run() -> None:
    """Migrate the database, sync the content bank, then run the bot (long polling)."""
    settings = _settings()
    try:
        hash_key = settings.require_hash_key()
        _sync_command(settings, show_progress=False)
        token = settings.require_token()
    except SettingsError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    from bot.app import run_polling  # PTB's application stack is needed only here

    run_polling(settings, token, hash_key)


@app.command()
def worker() -> None:
    """Run demos from the Redis queue (REDIS_URL), e.g. on a GPU host."""
    settings = _settings()
    if not settings.redis_url:
        err_console.print(
            "REDIS_URL is not set: the worker takes demo jobs from Redis.", markup=False
        )
        raise typer.Exit(2)
    from bot.demos_runner.redis_queue import build_worker

    build_worker(settings).run()


@app.command()
def demo(
    name: Annotated[str, typer.Argument(help="A demo name, or `list`.")],
    assignments: Annotated[list[str] | None, typer.Option("--set", help="key=value")] = None,
    out: Annotated[Path | None, typer.Option(dir_okay=False, help="PNG file to write.")] = None,
) -> None:
    """`demo list` shows the demos; `demo NAME --set key=value --out FILE.png` runs one."""
    from bot.demos_runner import jobs  # imports nn_demos, and so torch, only here

    if name == "list":
        for entry in jobs.describe():
            params = ", ".join(
                f"{param['name']}={','.join(map(str, param['default']))}"
                if isinstance(param["default"], list)
                else f"{param['name']}={param['default']}"
                for param in entry["params"]
            )
            console.print(f"{entry['name']}: {params}", markup=False)
        return
    raw = {}
    for assignment in assignments or []:
        key, separator, value = assignment.partition("=")
        if not separator:
            err_console.print(f"--set takes key=value, not {assignment!r}", markup=False)
            raise typer.Exit(2)
        raw[key.strip()] = value.strip()
    if out is None:
        err_console.print("--out FILE.png is required to run a demo", markup=False)
        raise typer.Exit(2)
    jobs.init_worker(None, _settings().demo_device)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(name, total=1.0)
        result = jobs.run(
            "cli", name, raw, progress=lambda fraction, _stage: bar.update(task, completed=fraction)
        )
    if not result["ok"]:
        err_console.print(result["error"], markup=False)
        raise typer.Exit(1)
    out.write_bytes(result["png"])
    console.print(result["caption"], markup=False)
    console.print(f"wrote {out} ({result['duration_ms']} ms on {result['device']})", markup=False)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(_settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")]) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(_settings().database_url, revision)


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrated schema differ."""
    migrate.check(_settings().database_url)
    console.print("schema matches the models")


@content_app.command("validate")
def content_validate() -> None:
    """Check every content file; list all problems with file, item and field."""
    bank = _load(_settings())
    console.print(
        f"ok: {len(bank.topics)} topics, {len(bank.quizzes)} quizzes, "
        f"{len(bank.interview_questions)} interview questions, {len(bank.lessons)} lessons"
    )


@content_app.command("lint")
def content_lint() -> None:
    """Item-writing checks: answer positions, longest answers, catch-all options, repeats."""
    settings = _settings()
    findings = lint_bank(_load(settings), settings.content_dir)
    for finding in findings:
        err_console.print(str(finding), markup=False)
    if findings:
        raise typer.Exit(1)
    console.print("lint: no findings")


@content_app.command("sync")
def content_sync() -> None:
    """Write the content files into the database in one transaction."""
    _sync_command(_settings())


@content_app.command("stats")
def content_stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts per kind, topic and difficulty."""
    stats = bank_stats(_load(_settings()))
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
    settings = _settings()
    if fmt == "telegram-export":
        _import_history(settings, source, topic)
        return
    try:
        quiz_format = QuizFormat(fmt)
    except ValueError as exc:
        err_console.print("--format is gift, aiken, csv or telegram-export", markup=False)
        raise typer.Exit(2) from exc
    bank = _load(settings)
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
        with _content_errors():
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
    fmt: Annotated[QuizFormat, typer.Option("--format")],
    out: Annotated[Path, typer.Option(dir_okay=False)],
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
) -> None:
    """Write the bank's quizzes as GIFT, Aiken or CSV."""
    bank = _load(_settings())
    quizzes = [loc.item for loc in bank.quizzes if topic is None or loc.item.topic == topic]
    with Progress(console=console, transient=True) as progress:
        progress.add_task(f"exporting {len(quizzes)} quizzes", total=None)
        with _content_errors():
            text = export_quizzes(quizzes, fmt)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {len(quizzes)} quizzes to {out}", markup=False)


def _parse_at(text: str, settings: Settings) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


@schedule_app.command("add")
def schedule_add(
    channel: Annotated[int, typer.Option(help="The channel's chat id (e.g. -100…).")],
    kind: Annotated[str, typer.Option(help="quiz, interview or lesson")],
    at: Annotated[str, typer.Option(help="ISO-8601; without an offset, in TIMEZONE")],
    item: Annotated[str | None, typer.Option(help="Item id; default: next from the bank")] = None,
) -> None:
    """Queue a channel post; the running bot sends it on time."""
    settings = _settings()
    if kind not in ("quiz", "interview", "lesson"):
        err_console.print("--kind is quiz, interview or lesson", markup=False)
        raise typer.Exit(2)
    try:
        due = _parse_at(at, settings)
    except ValueError as exc:
        err_console.print(f"--at is not an ISO-8601 time: {at}", markup=False)
        raise typer.Exit(2) from exc

    async def add() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                row = await channel_service.channel_by_chat(session, channel)
                if row is None:
                    raise scheduling.ScheduleError(f"unknown channel {channel}")
                post = await scheduling.schedule_post(
                    session, row, ItemKind(kind), item, due, utcnow()
                )
                return post.id
        finally:
            await engine.dispose()

    migrate.upgrade(settings.database_url)
    try:
        post_id = asyncio.run(add())
    except scheduling.ScheduleError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    console.print(
        f"scheduled post {post_id} for {due.astimezone(settings.tz).isoformat()}", markup=False
    )


@schedule_app.command("list")
def schedule_list() -> None:
    """Pending channel posts, soonest first."""
    settings = _settings()

    async def rows() -> list[tuple[int, int, str, str | None, datetime]]:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                chats = await channel_service.all_channels(session)
                return [
                    (p.id, chats[p.channel_id].chat_id, p.kind.value, p.item_id, p.due_at)
                    for p in await scheduling.queue(session)
                ]
        finally:
            await engine.dispose()

    migrate.upgrade(settings.database_url)
    table = Table("id", "channel", "kind", "item", "due")
    for post_id, chat_id, kind, item, due in asyncio.run(rows()):
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
    settings = _settings()

    async def cancel() -> bool:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                return await scheduling.cancel(session, post_id, utcnow())
        finally:
            await engine.dispose()

    migrate.upgrade(settings.database_url)
    if not asyncio.run(cancel()):
        err_console.print(f"post {post_id} is not pending", markup=False)
        raise typer.Exit(1)
    console.print(f"cancelled post {post_id}", markup=False)


stats_app = typer.Typer(help="Statistics and exports.", no_args_is_help=True)
app.add_typer(stats_app, name="stats")


@stats_app.command("export")
def stats_export(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or json")],
    out: Annotated[Path, typer.Option(dir_okay=False, help="File to write")],
    channel: Annotated[int | None, typer.Option(help="Only this channel (chat id)")] = None,
    since: Annotated[str | None, typer.Option(help="ISO date: only data from then on")] = None,
) -> None:
    """Channel and learner statistics as CSV (one file per view), XLSX or JSON."""
    from bot.services import export

    settings = _settings()
    if fmt not in export.FORMATS:
        err_console.print("--format is csv, xlsx or json", markup=False)
        raise typer.Exit(2)
    start = None
    if since is not None:
        try:
            start = _parse_at(since, settings)
        except ValueError as exc:
            err_console.print(f"--since is not an ISO date: {since}", markup=False)
            raise typer.Exit(2) from exc

    async def views() -> list[export.View]:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                return await export.build_views(session, settings.tz, channel, start)
        finally:
            await engine.dispose()

    migrate.upgrade(settings.database_url)
    try:
        tables = asyncio.run(views())
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


def _import_history(settings: Settings, source: Path, topic: str | None) -> None:
    from bot.bank.telegram_export import parse_export
    from bot.services.history_import import import_history

    bank = _load(settings)
    topic_id = topic or (bank.topics[0].id if bank.topics else None)
    if topic_id not in bank.topic_ids():
        err_console.print(f"--topic must be one of {sorted(bank.topic_ids())}", markup=False)
        raise typer.Exit(2)
    try:
        export = parse_export(json.loads(source.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        err_console.print(f"{source}: {exc}", markup=False)
        raise typer.Exit(1) from exc

    async def run() -> Any:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                return await import_history(session, export, str(topic_id), utcnow())
        finally:
            await engine.dispose()

    _sync_command(settings, show_progress=False)  # topics must exist before quizzes
    report = asyncio.run(run())
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
    from bot.services.history_import import imported_quiz_id

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
    from bot.services.history_import import set_answer

    settings = _settings()

    async def run() -> bool:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                return await set_answer(session, quiz_id, option)
        finally:
            await engine.dispose()

    if not asyncio.run(run()):
        err_console.print(f"no quiz {quiz_id} with an option {option}", markup=False)
        raise typer.Exit(1)
    console.print(f"{quiz_id}: option {option} is right; the quiz is in rotation", markup=False)


@stats_app.command("charts")
def stats_charts(
    out: Annotated[Path, typer.Option(file_okay=False, help="Folder for the PNG files")],
    channel: Annotated[int | None, typer.Option(help="Only this channel (chat id)")] = None,
    quizzes: Annotated[int, typer.Option(min=0, max=50, help="Recent channel quizzes")] = 10,
) -> None:
    """PNG charts with Persian labels: quiz options, accuracy per topic, participation."""
    from bot.reports import charts
    from bot.services import statistics

    settings = _settings()

    async def collect() -> dict[str, bytes]:
        engine = create_engine(settings.database_url)
        files: dict[str, bytes] = {}
        try:
            async with create_session_factory(engine)() as session:
                channel_id = None
                if channel is not None:
                    row = await channel_service.channel_by_chat(session, channel)
                    if row is None:
                        raise LookupError(f"unknown channel {channel}")
                    channel_id = row.id
                for quiz in (await statistics.channel_quiz_statistics(session, channel_id))[
                    :quizzes
                ]:
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
        finally:
            await engine.dispose()
        return files

    migrate.upgrade(settings.database_url)
    try:
        files = asyncio.run(collect())
    except LookupError as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    console.print(f"wrote {len(files)} charts to {out}", markup=False)
