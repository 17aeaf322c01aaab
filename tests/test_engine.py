"""PostgreSQL connections the server dropped: found before use after a quiet spell, and
replaced after one failed transaction when dropped in steady use (bot/db/engine.py)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import engine as engines
from bot.db.engine import create_engine, create_session_factory
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def backend_pid(engine: AsyncEngine) -> int:
    """The server process of the connection a transaction is given (then given back)."""
    async with create_session_factory(engine).begin() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def drop_connection(pid: int) -> None:
    """The server ends that connection, as a restart or an idle timeout would."""
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        # With a timeout it returns once the connection is gone (true), or after it (false).
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await admin.close()


async def restart_connections(engine: AsyncEngine) -> None:
    """The server ends every connection to the engine's database, as a restart would."""
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1",
            engine.url.database,
        )
    finally:
        await admin.close()


async def test_a_connection_dropped_while_idle_is_replaced_before_anyone_uses_it(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "IDLE_PING_SECONDS", 0.0)  # every given-back one counts as idle
    engine = create_engine(migrated_url)
    try:
        first = await backend_pid(engine)
        await drop_connection(first)
        second = await backend_pid(engine)  # no error: the dead one was found and discarded
        assert second != first
        assert await backend_pid(engine) == second  # the new one is pooled and reused
    finally:
        await engine.dispose()


async def test_a_connection_dropped_in_steady_use_fails_one_transaction_then_all_are_fresh(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "IDLE_PING_SECONDS", 3600.0)  # never idle long enough
    engine = create_engine(migrated_url)
    try:
        first = await backend_pid(engine)
        await drop_connection(first)
        with pytest.raises(DBAPIError) as failure:
            await backend_pid(engine)
        assert failure.value.connection_invalidated
        assert await backend_pid(engine) != first
    finally:
        await engine.dispose()
