"""What every command shares: consoles, settings, the bank, database sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank.issues import ContentError
from bot.bank.loader import Bank, load_bank
from bot.config import Settings, load_settings
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.services.content.sync import SyncReport, sync_bank

T = TypeVar("T")
Sessions = async_sessionmaker[AsyncSession]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def cli_settings() -> Settings:
    """The settings, or exit 2 with the reason they are invalid."""
    try:
        return load_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        err_console.print(f"Invalid settings: {exc}", markup=False)
        raise typer.Exit(2) from exc


def fail_content(error: ContentError) -> None:
    """Print every content problem and exit 1 (nothing was written)."""
    for issue in error.issues:
        err_console.print(str(issue), markup=False)
    err_console.print(f"{error}; nothing was written.", markup=False)
    raise typer.Exit(1)


@contextmanager
def content_errors() -> Iterator[None]:
    """Turn a ContentError inside the block into printed problems and exit 1."""
    try:
        yield
    except ContentError as exc:
        fail_content(exc)


def cli_bank(settings: Settings) -> Bank:
    """The validated bank, or exit 1 listing every problem."""
    with content_errors():
        return load_bank(settings.content_dir)
    raise AssertionError("unreachable")  # _fail_content always exits


async def sync_bank_now(settings: Settings, bank: Bank, show_progress: bool) -> SyncReport:
    """Sync `bank` into the database in one transaction, with a progress bar."""
    engine = create_engine(settings.database_url)
    try:
        session_factory = create_session_factory(engine)
        total = len(bank.quizzes) + len(bank.interview_questions) + len(bank.lessons)
        with Progress(console=console, disable=not show_progress, transient=True) as progress:
            task = progress.add_task("syncing content", total=total)
            async with session_factory.begin() as session:
                if engine.dialect.name == "postgresql":  # one process at a time (see migrate)
                    lock = text("SELECT pg_advisory_xact_lock(:key)")
                    await session.execute(lock, {"key": migrate.STARTUP_LOCK})
                return await sync_bank(session, bank, lambda n: progress.advance(task, n))
    finally:
        await engine.dispose()


def print_sync(report: SyncReport) -> None:
    """One line per kind: added, updated, retired, unchanged."""
    for name in ("topics", "quizzes", "interview_questions", "lessons"):
        part = getattr(report, name)
        console.print(
            f"{name}: {len(part.added)} added, {len(part.updated)} updated, "
            f"{len(part.retired)} retired, {part.unchanged} unchanged",
            markup=False,
        )


def sync_command(settings: Settings, show_progress: bool = True) -> None:
    """Validate, migrate, sync and report."""
    bank = cli_bank(settings)
    migrate.upgrade(settings.database_url)
    print_sync(asyncio.run(sync_bank_now(settings, bank, show_progress)))


def parse_at(text: str, settings: Settings) -> datetime:
    """An ISO-8601 time; without an offset it is read in the configured time zone."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


def run_with_sessions(settings: Settings, work: Callable[[Sessions], Awaitable[T]]) -> T:
    """Run `work(sessions)` on a fresh engine in its own event loop, then dispose the engine."""

    async def go() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(go())
