"""How long an answer waits behind a crowd of `/quiz` commands: concurrent vs one at a time.

Quizbot polls the fake Bot API over HTTP on 127.0.0.1, served by a process of its own (as
Telegram's work is not on the bot's event loop), with its real pacing on the real clock
(30 messages a second overall, so 200 quiz polls take about 7 s to go out). Then `--quizzes`
learners send /quiz and one more learner answers a poll; the figure is the time from the
answer's arrival at the fake Telegram to its row in the database. The same run is made with
the dispatcher handling one update at a time (as the bot did before) and concurrently (as
`quizbot run` does now), side by side; `--repeat` runs of each, the median reported.

    .venv/bin/python bench/head_of_line.py [--quizzes 200] [--repeat 3]

The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bench.common import bench_settings, start_fake
from bot.app import ALLOWED_UPDATES, build_application
from bot.bank.loader import load_bank
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Audience, ItemKind, LearnerAnswer, Publication, Purpose, Quiz
from bot.dispatch import LIMIT
from bot.polling import Poller
from bot.runtime import Runtime
from bot.services.content.sync import sync_bank
from bot.services.privacy import learner_hash
from tests.fakebot import FakeBotApi, FakeUser

TOKEN = "123456789:AAE9xkq3v1mZ0Lr8pT2wQy7uN5sB4cD6eFg"
KEY = b"bench-key-" + b"h" * 32
ANSWERING = FakeUser(9_000_001)


async def prepared(url: str) -> None:
    """A migrated database with the bank and one poll the answering learner was sent."""
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    async with create_session_factory(engine).begin() as session:
        await sync_bank(session, load_bank(DEFAULT_CONTENT_DIR))
        quiz_id = await session.scalar(select(Quiz.id).limit(1))
        await session.execute(
            insert(Publication),
            [
                {
                    "audience": Audience.PRIVATE,
                    "purpose": Purpose.SINGLE,
                    "learner_hash": learner_hash(KEY, ANSWERING.id),
                    "kind": ItemKind.QUIZ,
                    "quiz_id": quiz_id,
                    "poll_id": "waiting-poll",
                    "message_id": 1,
                }
            ],
        )
    await engine.dispose()


async def serve_fake(quizzes: int) -> None:
    """The fake Bot API in a process of its own (Telegram's work is not on the bot's loop).

    Prints its URL; on a line from stdin queues `quizzes` /quiz commands of as many
    learners and then the answer, and prints the monotonic time of the answer's arrival; on
    the next, answers long polls at once; when stdin closes, ends.
    """
    api = FakeBotApi(TOKEN)
    print(await api.start(), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    for n in range(quizzes):
        await api.send_text(FakeUser(8_000_000 + n), "/quiz")
    await api.answer_poll(ANSWERING, "waiting-poll", [0])
    print(time.monotonic(), flush=True)  # CLOCK_MONOTONIC: the same clock in every process
    await loop.run_in_executor(None, sys.stdin.readline)
    await api.release_polls()  # the stopping bot need not wait out its long poll
    await loop.run_in_executor(None, sys.stdin.read)
    await api.stop()


async def one_run(template: Path, path: Path, quizzes: int, in_hand: int) -> float:
    """Seconds from the answer's arrival to its row, behind `quizzes` /quiz commands."""
    shutil.copy(template, path)
    url = f"sqlite+aiosqlite:///{path}"
    fake, api_url = await start_fake(__file__, str(quizzes))
    assert fake.stdin is not None
    assert fake.stdout is not None
    engine = create_engine(url)
    settings = bench_settings(TOKEN, api_url, url, KEY)
    app = build_application(Runtime(settings, engine, KEY), TOKEN)
    for job in app.job_queue.jobs() if app.job_queue else ():
        job.schedule_removal()  # the scheduler and reminders would only add noise
    await app.initialize()
    await app.start()
    halt = asyncio.Event()
    poller = Poller(app, ALLOWED_UPDATES, long_poll=1, in_hand=in_hand)
    polling = asyncio.create_task(poller.run(halt))
    # A reader: the check must not queue among the writers it is waiting for.
    sessions = create_session_factory(engine, read_only=True)
    try:
        fake.stdin.write(b"go\n")
        await fake.stdin.drain()
        arrived = float((await fake.stdout.readline()).decode())
        while True:
            async with sessions() as session:
                if await session.scalar(select(func.count()).select_from(LearnerAnswer)):
                    break
            await asyncio.sleep(0.005)
        waited = time.monotonic() - arrived
        halt.set()
        fake.stdin.write(b"stop\n")
        await fake.stdin.drain()
        await polling
    finally:
        fake.stdin.close()
        await fake.wait()
        await app.stop()
        await app.shutdown()
        await app.bot_data.runtime.answers.close()
        await engine.dispose()
    return waited


async def main(quizzes: int, repeat: int) -> dict[str, Any]:
    waits: dict[str, list[float]] = {"one_at_a_time": [], "concurrent": []}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        template = folder / "template.db"
        await prepared(f"sqlite+aiosqlite:///{template}")
        for round_ in range(repeat):
            for way, in_hand in (("one_at_a_time", 1), ("concurrent", LIMIT)):
                path = folder / f"{way}-{round_}.db"
                waits[way].append(await one_run(template, path, quizzes, in_hand))
    one, many = (statistics.median(waits[k]) for k in ("one_at_a_time", "concurrent"))
    return {
        "quizzes_ahead": quizzes,
        "answer_wait_one_at_a_time_s": round(one, 3),
        "answer_wait_concurrent_s": round(many, 3),
        "ratio": round(many / one, 3),
        "runs": {k: [round(v, 3) for v in w] for k, w in waits.items()},
    }


if __name__ == "__main__":
    if "--serve-fake" in sys.argv:
        asyncio.run(serve_fake(int(sys.argv[sys.argv.index("--serve-fake") + 1])))
        sys.exit()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quizzes", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments.quizzes, arguments.repeat))
    print(
        f"an answer behind {outcome['quizzes_ahead']} /quiz: "
        f"{outcome['answer_wait_concurrent_s']} s concurrent, "
        f"{outcome['answer_wait_one_at_a_time_s']} s one at a time "
        f"(ratio {outcome['ratio']}, median of {arguments.repeat})"
    )
    print(json.dumps(outcome))
