"""Every migration upgrades, downgrades and upgrades again; the result matches the models."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from bot.bank.loader import load_bank
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Base, ContentSource, Quiz, QuizOption
from bot.services.content.sync import sync_bank
from tests.banks import learner_bank_data, write_bank

NOW = datetime(2026, 12, 1, tzinfo=UTC)


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


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_quizzes_that_lost_their_options_get_them_back_from_the_files(
    sample_bank_url: str, tmp_path: Path
) -> None:
    # What the first 5c1d0a7e3b21 did on SQLite: every quiz kept, every option gone. A chat
    # quiz lost them too and cannot be rebuilt.
    engine = create_engine(sample_bank_url)
    async with create_session_factory(engine).begin() as session:
        topic = await session.scalar(select(Quiz.topic_id).limit(1))
        session.add(
            Quiz(
                id="chat-written-1",
                topic_id=topic,
                difficulty=2,
                question="سوالی که در چت نوشته شد؟",
                options=[
                    QuizOption(position=i, text=t, is_correct=i == 0) for i, t in enumerate("اب")
                ],
                tags=[],
                content_hash="x",
                source=ContentSource.CHAT,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    # To just before the repair (b7e4c2a91d05), whatever came after it.
    await asyncio.to_thread(migrate.downgrade, sample_bank_url, "8d2ed070f5b9")
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM quiz_options"))
    await asyncio.to_thread(migrate.upgrade, sample_bank_url)
    content = write_bank(tmp_path / "content", learner_bank_data())
    async with create_session_factory(engine).begin() as session:
        await sync_bank(session, load_bank(content))
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT q.source, q.retired_at IS NOT NULL, count(o.id) FROM quizzes q "
                    "LEFT JOIN quiz_options o ON o.quiz_id = q.id GROUP BY q.id"
                )
            )
        ).all()
    await engine.dispose()
    assert [(retired, options) for source, retired, options in rows if source == "chat"] == [(1, 0)]
    assert all(
        options >= 2 and not retired for source, retired, options in rows if source == "bank"
    )
