"""Shared fixtures: real SQLite files and real PostgreSQL databases, migrated with Alembic.

Migrating (and syncing a bank) for every test cost most of the suite's set-up time, so each
kind of database is built once per session as a template and copied for each test: an SQLite
file copied with shutil, a PostgreSQL database created with `CREATE DATABASE ... TEMPLATE`.
The copies are the same databases the migrations and the sync produce; the migration tests
still start from truly empty databases (`database_url`). The PostgreSQL server makes each
test's database while the test before it runs, and drops used ones meanwhile.

The backend is the `backend` fixture's parameter; restrict a test to one backend with
`@pytest.mark.parametrize("backend", ["postgres"], indirect=True)`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank.loader import load_bank
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.services.content.sync import sync_bank
from tests.banks import learner_bank_data, write_bank

# The running-bot fixtures (polling and in process) live beside their helpers.
pytest_plugins = ["tests.harness", "tests.inprocess"]

# The maintenance database on the local server; each test gets a fresh database beside it.
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

# What each template holds beyond the newest schema: the bank synced into it, if any.
BANKS: dict[str, Callable[[Path], Path] | None] = {
    "migrated": None,
    "sample": lambda folder: write_bank(folder / "sample-bank", learner_bank_data()),
    "real": lambda _folder: DEFAULT_CONTENT_DIR,
}


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _postgres_url(name: str) -> str:
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def _sync(database_url: str, root: Path) -> None:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            await sync_bank(session, load_bank(root))
    finally:
        await engine.dispose()  # no connection may stay open on a template


def _fill(database_url: str, kind: str, folder: Path) -> None:
    """Migrate an empty database to the newest revision and sync the kind's bank into it."""
    migrate.upgrade(database_url)
    bank = BANKS[kind]
    if bank is not None:
        asyncio.run(_sync(database_url, bank(folder)))


class DatabaseTemplates:
    """Databases built once per session on first use, by backend and kind."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.session = uuid.uuid4().hex[:8]
        self._sqlite: dict[str, Path] = {}
        self._postgres: dict[str, str] = {}

    def sqlite(self, kind: str) -> Path:
        """The template file of `kind`: one self-contained file, no -wal or -shm beside it."""
        if kind not in self._sqlite:
            path = self.folder / f"{kind}.db"
            _fill(_sqlite_url(path), kind, self.folder)
            # Every engine is disposed; folding the WAL into the file and leaving WAL mode
            # makes the file alone the whole database, safe to copy (the bot's engine turns
            # WAL back on when it connects).
            connection = sqlite3.connect(path)
            try:
                connection.execute("PRAGMA journal_mode=DELETE")
            finally:
                connection.close()
            assert not path.with_name(f"{path.name}-wal").exists()
            self._sqlite[kind] = path
        return self._sqlite[kind]

    def postgres(self, kind: str) -> str:
        """The name of the template database of `kind` on the local server."""
        if kind not in self._postgres:
            name = f"quizbot_template_{self.session}_{kind}"
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            self._postgres[kind] = name  # dropped at the end even if filling fails
            _fill(_postgres_url(name), kind, self.folder)
        return self._postgres[kind]

    def drop(self) -> None:
        """Drop the PostgreSQL templates (the SQLite ones go with pytest's temporary folder)."""
        for name in self._postgres.values():
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplates]:
    """The session's template databases."""
    templates = DatabaseTemplates(tmp_path_factory.mktemp("templates"))
    try:
        yield templates
    finally:
        templates.drop()


def _create_postgres(template: str | None) -> str:
    name = f"quizbot_test_{uuid.uuid4().hex[:12]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    asyncio.run(_admin(f'CREATE DATABASE "{name}"{clause}'))
    return name


def _drop_postgres(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class PostgresDatabases:
    """Fresh databases (empty or copied from a template), made one test ahead.

    CREATE DATABASE costs about 0.3 s here, nearly all of it in the server: a worker thread
    asks for the next test's database while the current test runs, and drops used ones.
    """

    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-databases")
        self._ahead: dict[str | None, Future[str]] = {}
        self._drops: list[Future[None]] = []

    def take(self, template: str | None) -> str:
        """A new database's name (from `template`, or empty); it is the caller's to give back."""
        ahead = self._ahead.pop(template, None)
        name = (ahead or self._worker.submit(_create_postgres, template)).result()
        self._ahead[template] = self._worker.submit(_create_postgres, template)
        return name

    def give_back(self, name: str) -> None:
        """Drop a database when the worker gets to it."""
        self._drops.append(self._worker.submit(_drop_postgres, name))

    def close(self) -> None:
        """Drop what was made ahead and wait for every drop (a failed one fails the session)."""
        for ahead in self._ahead.values():
            self.give_back(ahead.result())
        self._worker.shutdown(wait=True)
        for drop in self._drops:
            drop.result()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """The session's maker of fresh PostgreSQL databases."""
    databases = PostgresDatabases()
    try:
        yield databases
    finally:
        databases.close()


def _postgres_database(databases: PostgresDatabases, template: str | None = None) -> Iterator[str]:
    name = databases.take(template)
    try:
        yield _postgres_url(name)
    finally:
        databases.give_back(name)


def _copy(kind: str, backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    templates: DatabaseTemplates = request.getfixturevalue("database_templates")
    if backend == "sqlite":
        path = request.getfixturevalue("tmp_path") / "quizbot.db"
        shutil.copyfile(templates.sqlite(kind), path)
        yield _sqlite_url(path)
    else:
        databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
        yield from _postgres_database(databases, templates.postgres(kind))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test: each one the product supports."""
    return str(request.param)


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped afterwards."""
    yield from _postgres_database(postgres_databases)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a new SQLite file."""
    return _sqlite_url(tmp_path / "quizbot.db")


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """An empty database on each backend the product supports."""
    return str(request.getfixturevalue(f"{backend}_url"))


@pytest.fixture
def migrated_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database migrated to the newest revision (and nothing in it)."""
    yield from _copy("migrated", backend, request)


@pytest.fixture
def sample_bank_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database with the learner sample bank (`learner_bank_data`) synced."""
    yield from _copy("sample", backend, request)


@pytest.fixture
def real_bank_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database with the real bank (`content/`) synced."""
    yield from _copy("real", backend, request)


@pytest.fixture
async def session_factory(migrated_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a migrated database."""
    engine = create_engine(migrated_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


# Test files that spend most of their time waiting on other processes (bot subprocesses,
# benches): run first, so that the workers fill their waits with the rest of the suite
# instead of ending the run on a tail of them.
_SLOW_FILES = (
    "test_stress_crashes.py",
    "test_bench.py",
    "test_stress_updates.py",
    "test_webhook_processes.py",
    "test_run_command.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slow, mostly waiting test files first (the order within each is kept)."""
    items.sort(key=lambda item: item.path.name not in _SLOW_FILES)
