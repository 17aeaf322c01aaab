"""Update throughput of quizbot against a bare PTB bot, measured side by side in one run.

Both bots poll the same fake Bot API server over HTTP on 127.0.0.1. The bare bot has handlers
that do nothing, so the ratio says how much of PTB's own speed our work per update keeps. Each
vote comes as Telegram sends it: a poll_answer and then a `poll` update with the new totals.
Quizbot runs on SQLite and on PostgreSQL (a fresh database on TEST_POSTGRES_URL's server,
dropped afterwards); every run is repeated and the medians printed.

    .venv/bin/python bench/updates.py [--answers 10000] [--quizzes 100] [--repeats 5]
                                      [--backend sqlite --backend postgres]

The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    PollAnswerHandler,
    PollHandler,
)

from bench.common import bench_settings
from bot.app import ALLOWED_UPDATES, build_application, freeze_startup_heap
from bot.bank.loader import load_bank
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Audience, ItemKind, LearnerAnswer, Publication, Purpose, Quiz
from bot.polling import Poller
from bot.runtime import Runtime
from bot.services.content.sync import sync_bank
from bot.services.privacy import learner_hash
from tests.fakebot import FakeBotApi, FakeUser

TOKEN = "123456789:AAE9xkq3v1mZ0Lr8pT2wQy7uN5sB4cD6eFg"
KEY = b"bench-key-" + b"k" * 32
LEARNERS = 300
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def wait_until(check: Callable[[], Awaitable[bool]]) -> None:
    while not await check():  # noqa: ASYNC110 - the state lives in another component
        await asyncio.sleep(0.01)


async def start(app: Any) -> None:
    """The bare bot: PTB's own Updater."""
    await app.initialize()
    await app.start()
    await app.updater.start_polling(timeout=1, allowed_updates=ALLOWED_UPDATES, poll_interval=0)


async def stop(app: Any, api: FakeBotApi) -> None:
    await api.release_polls()
    await app.updater.stop()
    await api.release_polls(False)
    await app.stop()
    await app.shutdown()


async def start_quizbot(app: Any) -> tuple[asyncio.Event, asyncio.Task[None]]:
    """Quizbot as `quizbot run` polls: its own poller, confirming what it handled."""
    await app.initialize()
    await app.start()
    freeze_startup_heap()  # as `serve` does once the bot has started
    halt = asyncio.Event()
    return halt, asyncio.create_task(Poller(app, ALLOWED_UPDATES, long_poll=1).run(halt))


async def stop_quizbot(app: Any, polling: tuple[asyncio.Event, asyncio.Task[None]]) -> None:
    halt, task = polling
    halt.set()
    await task
    await app.stop()
    await app.shutdown()


async def timed(
    api: FakeBotApi, push: Callable[[], Awaitable[None]], done: Callable[[], Awaitable[bool]]
) -> float:
    """Seconds the bot takes to handle a backlog: the clock starts once the updates wait.

    Queuing them is Telegram's work, not the bot's (here it costs the fake about 50 µs a
    vote, nearly as much as bare PTB's handling of it): timed, it would pad both bots alike
    and flatter the ratio. The push never yields to the event loop, so no bot can fetch
    before it ends; the call log shows that none did.
    """
    calls = api.mark()
    await push()
    assert api.mark() == calls, "a bot fetched while the backlog was queued: clock started late"
    began = time.perf_counter()
    await wait_until(done)
    return time.perf_counter() - began


async def quizbot_run(api: FakeBotApi, url: str, answers: int, quizzes: int) -> dict[str, float]:
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        await sync_bank(session, load_bank(DEFAULT_CONTENT_DIR))
        # Answers pick option n % 4: only quizzes with four options or more take every one
        # (the bank also has two- and three-option quizzes).
        quizzes_of_four = [
            quiz for quiz in (await session.scalars(select(Quiz))).all() if len(quiz.options) >= 4
        ]
        quiz_ids = [quiz.id for quiz in quizzes_of_four]
        shapes = [
            (len(quiz.options), [o.position for o in quiz.options if o.is_correct])
            for quiz in quizzes_of_four
        ]
        # Polls the learners answer, as if sent earlier: sending thousands through
        # Telegram's 30-per-second limit would only measure the limit.
        rows = [
            {
                "audience": Audience.PRIVATE,
                "purpose": Purpose.SINGLE,
                "learner_hash": learner_hash(KEY, 1_000_000 + n % LEARNERS),
                "kind": ItemKind.QUIZ,
                "quiz_id": quiz_ids[n % len(quiz_ids)],
                "poll_id": f"bench-{n}",
                "message_id": n + 1,
            }
            for n in range(answers)
        ]
        await session.execute(insert(Publication), rows)
    for n in range(answers):
        api.add_quiz_poll(f"bench-{n}", *shapes[n % len(shapes)])
    settings = bench_settings(TOKEN, api.url, url, KEY)
    app = build_application(Runtime(settings, engine, KEY), TOKEN)
    polling = await start_quizbot(app)
    users = [FakeUser(1_000_000 + n % LEARNERS) for n in range(answers)]

    last_update: list[int] = []

    async def stored() -> bool:
        if api.confirmed_below <= last_update[0]:  # every update handled, poll totals too
            return False
        async with sessions() as session:
            return await session.scalar(select(func.count()).select_from(LearnerAnswer)) == answers

    async def push_answers() -> None:
        for n, user in enumerate(users):
            last = await api.vote(user, f"bench-{n}", [n % 4])
        last_update.append(last)

    answer_seconds = await timed(api, push_answers, stored)
    since = api.mark()

    async def push_quizzes() -> None:
        for n in range(quizzes):
            await api.send_text(FakeUser(2_000_000 + n), "/quiz")

    async def polls_sent() -> bool:
        return len(api.calls_of("sendPoll", since)) >= quizzes

    quiz_seconds = await timed(api, push_quizzes, polls_sent)
    await stop_quizbot(app, polling)
    await app.bot_data.runtime.answers.close()
    await engine.dispose()
    return {"answers": answers / answer_seconds, "quizzes": quizzes / quiz_seconds}


async def bare_run(api: FakeBotApi, answers: int, quizzes: int) -> dict[str, float]:
    handled = {"answers": 0, "polls": 0, "quizzes": 0}

    async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled["answers"] += 1

    async def on_poll(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled["polls"] += 1

    async def on_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled["quizzes"] += 1

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api.url}/bot")
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    app.add_handler(PollAnswerHandler(on_answer))
    app.add_handler(PollHandler(on_poll))
    app.add_handler(CommandHandler("quiz", on_quiz))
    await start(app)

    for n in range(answers):
        api.add_quiz_poll(f"bare-{n}", 4, [0])

    async def push_answers() -> None:
        for n in range(answers):
            await api.vote(FakeUser(1_000_000 + n % LEARNERS), f"bare-{n}", [n % 4])

    async def answers_done() -> bool:
        return handled["answers"] >= answers and handled["polls"] >= answers

    async def push_quizzes() -> None:
        for n in range(quizzes):
            await api.send_text(FakeUser(2_000_000 + n), "/quiz")

    async def quizzes_done() -> bool:
        return handled["quizzes"] >= quizzes

    answer_seconds = await timed(api, push_answers, answers_done)
    quiz_seconds = await timed(api, push_quizzes, quizzes_done)
    await stop(app, api)
    return {"answers": answers / answer_seconds, "quizzes": quizzes / quiz_seconds}


async def postgres_database() -> tuple[str, str]:
    """A fresh database on the PostgreSQL server: its URL and name."""
    name = f"quizbot_bench_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False), name


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def one_round(
    api: FakeBotApi, folder: str, backends: list[str], answers: int, quizzes: int, n: int
) -> dict[str, dict[str, float]]:
    """For each backend, bare PTB and then quizbot: rates and ratios of this round (each pair
    run back to back, since the load of a shared machine drifts)."""
    figures: dict[str, dict[str, float]] = {}
    for backend in backends:
        bare = await bare_run(api, answers, quizzes)
        if backend == "sqlite":
            ours = await quizbot_run(
                api, f"sqlite+aiosqlite:///{folder}/bench-{n}.db", answers, quizzes
            )
        else:
            url, name = await postgres_database()
            try:
                ours = await quizbot_run(api, url, answers, quizzes)
            finally:
                await _admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        figures[backend] = {
            "quizbot_answers_per_s": ours["answers"],
            "bare_answers_per_s": bare["answers"],
            "answer_ratio": ours["answers"] / bare["answers"],
            "quizbot_quiz_per_s": ours["quizzes"],
            "bare_quiz_per_s": bare["quizzes"],
            "quiz_ratio": ours["quizzes"] / bare["quizzes"],
        }
    return figures


async def main(
    answers: int, quizzes: int, repeats: int, backends: list[str]
) -> dict[str, dict[str, float]]:
    """Every round; per backend the median of each figure over the rounds."""
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        for n in range(repeats):
            api = FakeBotApi(TOKEN)
            await api.start()
            try:
                rounds.append(await one_round(api, folder, backends, answers, quizzes, n))
            finally:
                await api.stop()
    digits = {"answer_ratio": 3, "quiz_ratio": 3}
    return {
        backend: {
            name: round(
                statistics.median(figures[backend][name] for figures in rounds),
                digits.get(name, 1),
            )
            for name in rounds[0][backend]
        }
        for backend in backends
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--quizzes", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    arguments = parser.parse_args()
    chosen = arguments.backend or ["sqlite", "postgres"]
    outcome = asyncio.run(main(arguments.answers, arguments.quizzes, arguments.repeats, chosen))
    for backend, figures in outcome.items():
        print(
            f"{backend:8} votes: quizbot {figures['quizbot_answers_per_s']}/s, bare PTB "
            f"{figures['bare_answers_per_s']}/s, ratio {figures['answer_ratio']} "
            f"(median of {arguments.repeats})"
        )
        print(
            f"{backend:8} /quiz: quizbot {figures['quizbot_quiz_per_s']}/s, bare PTB "
            f"{figures['bare_quiz_per_s']}/s, ratio {figures['quiz_ratio']}"
        )
    print(json.dumps(outcome))
