"""Every migration upgrades, downgrades and upgrades again; the result matches the models."""

import asyncio

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

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
