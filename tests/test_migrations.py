"""Every migration upgrades, downgrades and upgrades again; the result matches the models."""

import asyncio

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.db import migrate
from bot.db.engine import create_engine
from bot.db.models import Base


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names


async def test_stairway_up_down_up_for_every_revision(database_url: str) -> None:
    # Alembic drives its own event loop, so it runs in a worker thread here.
    for revision in revisions():
        await asyncio.to_thread(migrate.upgrade, database_url, revision)
        await asyncio.to_thread(migrate.downgrade, database_url, "-1")
        await asyncio.to_thread(migrate.upgrade, database_url, revision)
    assert set(Base.metadata.tables) <= await table_names(database_url)


async def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, database_url)
    await asyncio.to_thread(migrate.check, database_url)  # raises on any difference


async def test_downgrade_to_base_leaves_no_tables(database_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, database_url)
    await asyncio.to_thread(migrate.downgrade, database_url, "base")
    assert await table_names(database_url) <= {"alembic_version"}


async def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        counts = {
            name: int((await connection.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar())
            for name in names
            if name != "alembic_version"
        }
    await engine.dispose()
    return counts


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_no_migration_loses_the_rows_already_there(sample_bank_url: str) -> None:
    # SQLite alters a table by copying it and dropping the old one: were a table other rows
    # cascade from copied so, the drop would delete them (a quiz's options, say). Each step
    # is taken down and up again on a database with a bank in it.
    before = await row_counts(sample_bank_url)
    assert before["quiz_options"] > 0
    for depth in range(1, len(revisions())):
        await asyncio.to_thread(migrate.downgrade, sample_bank_url, f"-{depth}")
        kept = set(await row_counts(sample_bank_url))
        await asyncio.to_thread(migrate.upgrade, sample_bank_url)
        after = await row_counts(sample_bank_url)
        lost = {name: (before[name], after[name]) for name in kept if after[name] != before[name]}
        assert not lost, f"{depth} step(s) down and up again: rows before → after {lost}"
