"""One SQLite file, several writers at once: the scheduler, the CLI and learners' answers.

A transaction that starts by reading and then writes used to fail at once with "database is
locked" when another connection had committed in between (SQLite's busy timeout does not
apply to that upgrade); write transactions now begin IMMEDIATE and wait their turn.
"""

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from typer.testing import CliRunner

from bot.bank.loader import load_bank
from bot.channel_engine import claims
from bot.cli.main import app as cli
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import (
    Audience,
    ItemKind,
    LearnerAnswer,
    Publication,
    Purpose,
    RecurringSlot,
    ScheduledPost,
)
from bot.services.channel import planning, registry
from bot.services.content.sync import sync_bank
from bot.services.learning.answers import answer_poll
from tests.banks import learner_bank_data, write_bank

ANSWERS = 60
CHANNEL_CHAT = -100_900


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    migrate.upgrade(url)
    return url


async def test_scheduler_cli_and_answers_write_one_sqlite_file_at_once(
    sqlite_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    engine = create_engine(sqlite_file)
    sessions = create_session_factory(engine)
    content = write_bank(tmp_path / "content", learner_bank_data())
    async with sessions.begin() as session:
        await sync_bank(session, load_bank(content))
        channel = await registry.bot_added(session, CHANNEL_CHAT, "کانال", None, now)
        session.add(
            RecurringSlot(
                channel_id=channel.id,
                kind=ItemKind.QUIZ,
                weekdays=planning.weekday_mask(range(1, 8)),
                local_time=time(9, 0),
                timezone="Asia/Tehran",
                created_at=now,
            )
        )
        await session.execute(
            insert(Publication),
            [
                {
                    "audience": Audience.PRIVATE,
                    "purpose": Purpose.SINGLE,
                    "learner_hash": f"{n:064x}",
                    "kind": ItemKind.QUIZ,
                    "quiz_id": "act-relu-grad",
                    "poll_id": f"p{n}",
                    "message_id": n + 1,
                    "sent_at": now,
                }
                for n in range(ANSWERS)
            ],
        )

    async def learners() -> None:
        for n in range(ANSWERS):
            async with sessions.begin() as session:
                await answer_poll(session, f"{n:064x}", f"p{n}", [n % 4], now)
            await asyncio.sleep(0)

    async def scheduler() -> None:
        for tick in range(ANSWERS):
            moment = now + timedelta(minutes=tick)
            async with sessions.begin() as session:
                await planning.fill_slots(session, moment)
                await claims.mark_interrupted(session, moment)
            async with sessions.begin() as session:
                await claims.claim_next(session, moment, "scheduler")
            await asyncio.sleep(0)

    monkeypatch.setenv("DATABASE_URL", sqlite_file)
    monkeypatch.setenv("CONTENT_DIR", str(content))
    monkeypatch.chdir(tmp_path)

    def operator() -> list[int]:
        codes = []
        # The CLI runs on the wall clock, as an operator's terminal does.
        soon = datetime.now(UTC) + timedelta(days=2)
        for n in range(8):
            due = (soon + timedelta(minutes=n)).isoformat()
            command = ["schedule", "add", "--channel", str(CHANNEL_CHAT), "--kind", "lesson"]
            result = CliRunner().invoke(cli, [*command, "--at", due])
            codes.append(result.exit_code)
            assert "locked" not in result.output, result.output
        return codes

    try:
        _, _, codes = await asyncio.gather(learners(), scheduler(), asyncio.to_thread(operator))
        async with sessions() as session:
            answers = await session.scalar(select(func.count()).select_from(LearnerAnswer))
            lessons = await session.scalar(
                select(func.count())
                .select_from(ScheduledPost)
                .where(ScheduledPost.kind == ItemKind.LESSON)
            )
    finally:
        await engine.dispose()
    assert answers == ANSWERS  # every learner's answer was stored
    # The sample bank has one lesson: the first add succeeds, the rest say the kind ran out.
    assert codes == [0] + [1] * 7
    assert lessons == 1


async def test_writers_in_one_process_take_turns_in_the_order_they_asked(sqlite_file: str) -> None:
    # Each writer reads how many went before and writes one more row: with SQLite's busy
    # wait alone they would not go in turn; queued, each sees exactly its predecessors' rows.
    engine = create_engine(sqlite_file)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        await session.execute(text("CREATE TABLE turns (n INTEGER NOT NULL)"))
    order: list[int] = []

    async def writer(n: int) -> None:
        async with sessions.begin() as session:
            seen = await session.scalar(text("SELECT count(*) FROM turns"))
            order.append(n)
            await asyncio.sleep(0)  # others get the loop while this one holds its turn
            await session.execute(text("INSERT INTO turns (n) VALUES (:n)"), {"n": n})
            assert seen == n

    try:
        await asyncio.gather(*(writer(n) for n in range(40)))
    finally:
        await engine.dispose()
    assert order == list(range(40))
