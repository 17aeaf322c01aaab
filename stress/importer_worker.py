"""The worker process of stress/importers.py: one input at a time through the importers.

A worker of its own lets the runner kill an input that hangs (a regular expression running
in C cannot be interrupted) and survive one that crashes the interpreter.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.bank.interchange import QuizFormat, import_quizzes, quizzes_yaml
from bot.bank.issues import ContentError
from bot.bank.loader import Bank, load_bank
from bot.bank.schema import QuizItem, TopicItem
from bot.bank.telegram_export import ChannelExport, read_export
from bot.bank.yamlio import dump_yaml
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.services.content.history_import import import_history
from bot.services.content.sync import sync_bank
from stress.fuzz_inputs import EXTENSIONS

# Outcomes that fail the run: a traceback; a refusal that names no file or cannot be printed;
# an accepted import whose content file does not load again; an input over the time limit.
FAILURES = ("tracebacks", "unclear", "unloadable", "slow")
Result = tuple[str, str, float]  # outcome, what happened, CPU seconds the input took
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _content_dir(root: Path, topics: list[TopicItem]) -> Path:
    (root / "items").mkdir(parents=True, exist_ok=True)
    topics_data = [topic.model_dump(mode="json") for topic in topics]
    (root / "topics.yaml").write_text(dump_yaml({"topics": topics_data}), encoding="utf-8")
    return root


def _judge(error: ContentError, expected: set[str]) -> tuple[str, str]:
    """Refused, if every problem names the input and can be printed; unclear otherwise."""
    if not error.issues:
        return "unclear", "a content error listing no problem"
    for issue in error.issues:
        text = str(issue)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "unclear", f"cannot be printed: {text!r}"
        if issue.file not in expected:
            return "unclear", f"names {issue.file!r}, not the input: {text}"
    return "refused", str(error.issues[0])


class Importers:
    """The importer entry points, each fed a file written in the worker's own folder."""

    def __init__(self, work: Path, database_url: str, topics: list[TopicItem]) -> None:
        self.folder = work / f"worker-{os.getpid()}"
        self.yaml_bank = _content_dir(self.folder / "content", topics)
        self.import_bank = _content_dir(self.folder / "imported", topics)
        self.bank = Bank(topics=topics)
        self.topic = topics[0].id
        self.loop = asyncio.new_event_loop()
        self.engine = create_engine(database_url)
        self.sessions = create_session_factory(self.engine)

    def run(self, fmt: str, data: bytes, topic: str | None) -> tuple[str, str]:
        """The outcome of one input, as the command given this file would meet it."""
        source = self.folder / f"input.{EXTENSIONS.get(fmt, 'yaml')}"
        expected = {str(source)}
        try:
            if fmt == "yaml":
                (self.yaml_bank / "items" / "fuzz.yaml").write_bytes(data)
                expected = {"content/items/fuzz.yaml"}
                load_bank(self.yaml_bank)
            elif fmt == "telegram-export":
                source.write_bytes(data)
                export = read_export(source)
                self.loop.run_until_complete(self._history(export, topic or self.topic))
            else:
                source.write_bytes(data)
                out_file = "imported/items/imported.yaml"
                expected.add(out_file)
                quizzes = import_quizzes(
                    source, QuizFormat(fmt), self.bank, out_file=out_file, topic=topic
                )
                return self._written(quizzes)
        except ContentError as error:
            return _judge(error, expected)
        except Exception:  # the harness's one broad catch: any other exception is the finding
            return "tracebacks", traceback.format_exc()
        return "accepted", ""

    def _written(self, quizzes: list[QuizItem]) -> tuple[str, str]:
        """Accepted if the content file `quizbot content import` writes loads again."""
        target = self.import_bank / "items" / "imported.yaml"
        target.write_text(quizzes_yaml(quizzes), encoding="utf-8")
        try:
            load_bank(self.import_bank)
        except ContentError as error:
            return "unloadable", "\n".join(map(str, error.issues))
        finally:
            target.unlink()
        return "accepted", ""

    def close(self) -> None:
        """Close the database connections (the SQLite driver's thread would keep us alive)."""
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()

    async def _history(self, export: ChannelExport, topic: str) -> None:
        # Rolled back, so every input meets the same database.
        async with self.sessions() as session:
            try:
                await import_history(session, export, topic, datetime.now(UTC))
                await session.flush()
            finally:
                await session.rollback()


def _serve(connection: Connection, work: Path, database_url: str, topics: list[TopicItem]) -> None:
    importers = Importers(work, database_url, topics)
    try:
        while (task := connection.recv()) is not None:
            fmt, data, topic = task
            # CPU seconds, not wall time: waiting for a core another process holds is no
            # slowness of ours, and this machine is shared.
            started = time.process_time()
            outcome, detail = importers.run(fmt, data, topic)
            connection.send((outcome, detail, time.process_time() - started))
    finally:
        importers.close()


class Worker:
    """A worker process, replaced when an input kills it or outlives its timeout."""

    def __init__(self, work: Path, database_url: str, topics: list[TopicItem]) -> None:
        self._arguments = (work, database_url, topics)
        self._context = multiprocessing.get_context("fork")
        self._start()

    def _start(self) -> None:
        self._connection, child = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve, args=(child, *self._arguments), daemon=True
        )
        self._process.start()
        child.close()

    def _replace(self) -> None:
        self._process.kill()
        self._process.join()
        self._connection.close()
        self._start()

    def run(self, fmt: str, data: bytes, topic: str | None, timeout: float) -> Result:
        """Send one input and wait at most `timeout` seconds for its outcome."""
        self._connection.send((fmt, data, topic))
        if not self._connection.poll(timeout):
            self._replace()
            return "slow", f"still running after {timeout:g} s, killed", timeout
        try:
            outcome, detail, seconds = self._connection.recv()
        except EOFError:
            self._replace()
            return "tracebacks", "the worker process died", 0.0
        return str(outcome), str(detail), float(seconds)

    def close(self) -> None:
        """Let the worker finish, or kill it after a few seconds."""
        with suppress(OSError):  # the worker is gone already
            self._connection.send(None)
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


async def _admin(admin: URL, statement: str) -> None:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _prepare(database_url: str, topics: list[TopicItem]) -> None:
    """The newest schema with the topics in it, as `quizbot content import` leaves it."""
    migrate.upgrade(database_url)

    async def sync() -> None:
        engine = create_engine(database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                await sync_bank(session, Bank(topics=topics))
        finally:
            await engine.dispose()

    asyncio.run(sync())


@contextmanager
def scratch_database(work: Path, topics: list[TopicItem], postgres: str | None) -> Iterator[str]:
    """A database for the history imports: an SQLite file, or a PostgreSQL database made on
    the local server at `postgres` (an admin URL) and dropped afterwards."""
    if postgres is None:
        url = f"sqlite+aiosqlite:///{work / 'history.db'}"
        _prepare(url, topics)
        yield url
        return
    admin = make_url(postgres).set(drivername="postgresql+asyncpg")
    if admin.host not in LOOPBACK:
        raise SystemExit("--postgres must name a server on this machine (127.0.0.1)")
    name = f"quizbot_stress_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        database_url = admin.set(database=name).render_as_string(hide_password=False)
        _prepare(database_url, topics)
        yield database_url
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
