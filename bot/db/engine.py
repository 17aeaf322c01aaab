"""Engine and session factory creation for SQLite and PostgreSQL.

On SQLite every transaction this code opens begins IMMEDIATE, taking the write lock up front.
A transaction that starts deferred, reads, and then writes after another connection has
committed fails at once with "database is locked": SQLite cannot upgrade its stale read
snapshot, and the busy timeout does not apply to that case. Beginning IMMEDIATE makes writers
queue on the busy timeout instead. Long read-only work (exports) asks for a read session,
which begins deferred and never blocks writers (WAL mode).

The driver's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
SQLite sees; that also makes DDL (migrations) transactional on SQLite as it is on PostgreSQL.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Execution option naming the SQLite BEGIN mode of a connection's transactions.
SQLITE_BEGIN = "quizbot_sqlite_begin"
BUSY_TIMEOUT_SECONDS = 30


def create_engine(database_url: str) -> AsyncEngine:
    """Create an async engine; SQLite gets foreign keys, WAL, a busy timeout, IMMEDIATE writes."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if url.database not in (None, "", ":memory:"):
        _create_private(url.database)
    engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine.sync_engine, "connect")
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

    @event.listens_for(engine.sync_engine, "begin")
    def _sqlite_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


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


def create_session_factory(
    engine: AsyncEngine, *, read_only: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions on the engine; `read_only` ones begin deferred on SQLite (long reads, exports)."""
    bind = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}) if read_only else engine
    # Objects expire at commit: no ORM object may be used outside its transaction.
    return async_sessionmaker(bind, expire_on_commit=True)
