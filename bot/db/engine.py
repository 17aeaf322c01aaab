"""Engine and session factory creation for SQLite and PostgreSQL.

On SQLite every transaction this code opens begins IMMEDIATE, taking the write lock up front.
A transaction that starts deferred, reads, and then writes after another connection has
committed fails at once with "database is locked": SQLite cannot upgrade its stale read
snapshot, and the busy timeout does not apply to that case. Beginning IMMEDIATE makes writers
queue on the busy timeout instead. Long read-only work (exports) asks for a read session,
which begins deferred and never blocks writers (WAL mode).

The driver's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
SQLite sees; that also makes DDL (migrations) transactional on SQLite as it is on PostgreSQL.

Within one process, write transactions on SQLite also queue for their turn on an asyncio lock
(in the order they asked) before they begin. SQLite's own busy wait sleeps and retries, up to
100 ms a try, so with the bot handling many updates at once a writer could wait far longer
than the writers ahead of it take, and not in turn. Other processes (the CLI beside the bot)
still meet the busy timeout.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Execution option naming the SQLite BEGIN mode of a connection's transactions.
SQLITE_BEGIN = "quizbot_sqlite_begin"
BUSY_TIMEOUT_SECONDS = 30
# Seconds a pooled PostgreSQL connection may sit unused before it is checked at checkout.
IDLE_PING_SECONDS = 10.0
# Where a pooled connection's record keeps the moment it was last given back.
_IDLE_SINCE = "quizbot_idle_since"


def create_engine(database_url: str) -> AsyncEngine:
    """Create an async engine; SQLite gets foreign keys, WAL, a busy timeout, IMMEDIATE writes."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # Updates are handled concurrently: room for that many transactions at once (three
        # bot processes stay under PostgreSQL's default of 100 connections).
        engine = create_async_engine(url, pool_size=10, max_overflow=20)
        _ping_after_idle(engine)
        return engine
    if url.database not in (None, "", ":memory:"):
        _create_private(url.database)
    # Each connection is a thread of aiosqlite's; concurrent updates read side by side.
    engine = create_async_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, pool_size=8, max_overflow=24
    )
    _sqlite_connections(engine.sync_engine)
    return engine


def create_sqlite_thread_engine(engine: AsyncEngine) -> Engine | None:
    """A synchronous engine on `engine`'s SQLite file, of one connection, for work that runs
    in a thread of its own (the answer batches); None for another backend or in memory.

    Its transactions begin IMMEDIATE as the async engine's do; the caller takes its turn
    among the process's writers first (`sqlite_write_turn`) and uses it from one thread at
    a time (it may be closed from another: hence no same-thread check).
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    thread_engine = sqlalchemy.create_engine(
        url.set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        pool_size=1,
        max_overflow=0,
    )
    _sqlite_connections(thread_engine)
    return thread_engine


def _sqlite_connections(engine: Engine) -> None:
    """Foreign keys, WAL, NORMAL sync and IMMEDIATE writes on each of `engine`'s connections."""
    url = engine.url

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # None: the driver issues no BEGIN of its own; the "begin" listener below does.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # SQLite ignores foreign keys unless asked, per connection.
        cursor.execute("PRAGMA foreign_keys=ON")
        if url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives process crashes and skips an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Check at checkout that a pooled connection still works, if it sat unused a while.

    SQLAlchemy's `pool_pre_ping` checks every checkout, and on asyncpg its check is three
    round trips (BEGIN, a query, ROLLBACK): 0.6 ms measured here on every transaction, about
    what a batch of answers takes to commit. What it guards against (a server restarted, a
    proxy or firewall closing quiet connections) happens while connections sit idle; one in
    steady use that the server drops fails its transaction like any query cut off midway,
    and SQLAlchemy then replaces the whole pool (the answer batcher writes such a batch
    again, vote by vote, on fresh connections).
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return  # just connected, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another (or connects anew).
            raise DisconnectionError("a pooled connection no longer answers") from error


def _create_private(path: str) -> None:
    """Create a missing database file readable by its owner only.

    SQLite would create it with the process umask (usually world-readable), and the file holds
    answer hashes, channel settings and schedules. Its -wal and -shm files take the
    database file's mode. An existing file is left as its owner set it.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError):
        return  # there already; or no such folder, which SQLite itself reports when it connects
    os.close(descriptor)  # an empty file is an empty SQLite database


# The write queue of each SQLite engine (and event loop: an asyncio lock belongs to one).
_WRITE_QUEUES: weakref.WeakKeyDictionary[Engine, dict[int, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _write_queue(engine: AsyncEngine) -> asyncio.Lock:
    queues = _WRITE_QUEUES.setdefault(engine.sync_engine, {})
    loop = id(asyncio.get_running_loop())
    if loop not in queues:
        queues.clear()  # an engine lives in one loop at a time; drop a finished loop's lock
        queues[loop] = asyncio.Lock()
    return queues[loop]


class QueuedWrites(async_sessionmaker[AsyncSession]):
    """Sessions whose `begin()` waits its turn among this process's writers (SQLite)."""

    def begin(self) -> Any:  # an async context manager giving the session, as the base's
        """A transaction that starts when the writers ahead of it are done."""
        return self._queued()

    @asynccontextmanager
    async def _queued(self) -> AsyncIterator[AsyncSession]:
        async with sqlite_write_turn(self.kw["bind"]), super().begin() as session:
            yield session


@asynccontextmanager
async def sqlite_write_turn(engine: AsyncEngine) -> AsyncIterator[None]:
    """This process's turn to write to `engine`'s SQLite file, once the writers ahead are done."""
    queue = _write_queue(engine)
    # As long as SQLite's own busy timeout: past it a write fails the same way.
    async with asyncio.timeout(BUSY_TIMEOUT_SECONDS):
        await queue.acquire()
    try:
        yield
    finally:
        queue.release()


def create_session_factory(
    engine: AsyncEngine, *, read_only: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions on the engine; `read_only` ones begin deferred on SQLite (long reads, exports).

    Write sessions on SQLite queue in this process (see the module's docstring).
    """
    # Objects expire at commit: no ORM object may be used outside its transaction.
    if engine.dialect.name != "sqlite":
        return async_sessionmaker(engine, expire_on_commit=True)
    if read_only:
        deferred = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
        return async_sessionmaker(deferred, expire_on_commit=True)
    return QueuedWrites(engine, expire_on_commit=True)
