"""Three real `quizbot run --webhook` processes behind one proxy, on one PostgreSQL and Redis.

The fake Bot API stands in for Telegram and for the proxy: it POSTs each update to the three
processes in turn (a chat's updates one after another, as Telegram does) and sends again
whatever got no 2xx. Learners ask for quizzes twice each (two polls to every private chat,
often from two processes) while 28 channel posts fall due; then they answer, and one
process is frozen with answers in its hands and killed. Checked:

- every answer stored exactly once, the killed process's ones redelivered to the others;
- every channel post sent exactly once, whichever process's scheduler claimed it;
- Telegram's limits held across the three: no 429 from the fake, no more than 30 sends in any
  second overall, 20 a minute in a channel, one a second in a private chat. The fake counts
  on arrival, and a request's way from another process varies by milliseconds, so the windows
  are shortened by SLACK seconds (unshared pacing would send up to three times the limits);
- the survivors stop cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.bank.loader import load_bank
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import ItemKind, LearnerAnswer, PostState
from bot.services.channel import planning, registry
from bot.services.content.sync import sync_bank
from stress.botprocess import BotProcess, fresh_database
from stress.posting_kill import channel_chat, channel_sends, posts_by_state
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import FakeBotApi, FakeUser
from tests.harness import TOKEN

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/5"
SECRET = "three-processes-one-secret-0123456789"
PROCESSES = 3
LEARNERS = 20
CHANNELS = 4
# What each channel has due at once (the small test bank has six quizzes, a lesson, two
# interview questions).
POSTS = (ItemKind.QUIZ,) * 5 + (ItemKind.LESSON, ItemKind.INTERVIEW)
SLACK = 0.25
PATIENCE = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def most_in_any_window(stamps: list[float], seconds: float) -> int:
    ordered = sorted(stamps)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


async def until(done: object, what: str, bots: list[BotProcess]) -> None:
    """Wait until `done()` is true; fail early when a bot exits, late after PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not done():  # type: ignore[operator]
        for bot in bots:
            if bot.process is not None and bot.process.returncode is not None:
                raise AssertionError(f"a bot exited while waiting for {what}:\n{bot.output()}")
        if time.monotonic() > deadline:
            logs = "\n".join(bot.output()[-2000:] for bot in bots)
            raise AssertionError(f"still waiting for {what}\n{logs}")
        await asyncio.sleep(0.01)


async def prepare(url: str, content: Path) -> int:
    """Migrate, sync the bank, register the channels, queue their posts due now; how many."""
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with create_session_factory(engine).begin() as session:
            await sync_bank(session, load_bank(content))
            for n in range(CHANNELS):
                chat = channel_chat(n)
                view = await registry.bot_added(session, chat["id"], chat["title"], None, now)
                for kind in POSTS:
                    await planning.schedule_post(session, view, kind, None, now, now)
    finally:
        await engine.dispose()
    return CHANNELS * len(POSTS)


async def count_answers(url: str) -> tuple[int, int]:
    """Answer rows, and the distinct polls they answer."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.scalar(select(func.count()).select_from(LearnerAnswer))
            polls = await session.scalar(
                select(func.count(func.distinct(LearnerAnswer.publication_id)))
            )
    finally:
        await engine.dispose()
    return int(rows or 0), int(polls or 0)


@pytest.mark.postgres
async def test_three_webhook_processes_share_the_work_the_limits_and_a_crash(
    tmp_path: Path,
) -> None:
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()  # this test's own database: the pacing starts with empty windows
    api = FakeBotApi(TOKEN)
    api_url = await api.start()
    api.limit_slack = SLACK
    ports = [free_port() for _ in range(PROCESSES)]
    api.webhook_backends = [f"http://127.0.0.1:{port}" for port in ports]
    bots: list[BotProcess] = []
    try:
        async with fresh_database("postgresql", tmp_path) as url:
            content = write_bank(tmp_path / "bank", learner_bank_data())
            posts = await prepare(url, content)
            for n in range(CHANNELS):
                api.chats[channel_chat(n)["id"]] = channel_chat(n)  # the channels Telegram has
            for n, port in enumerate(ports):
                folder = tmp_path / f"bot{n}"
                folder.mkdir()
                bot = BotProcess(api_url, url, folder)
                bot.env |= {
                    "REDIS_URL": REDIS_URL,
                    "WEBHOOK_URL": "http://proxy.example:8443/telegram",
                    "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_PORT": str(port),
                    "SCHEDULER_INTERVAL_SECONDS": "1",
                    "CONTENT_DIR": str(content),
                    # This checkout's code, whichever one the venv was installed from.
                    "PYTHONPATH": str(ROOT),
                }
                bots.append(bot)
            await asyncio.gather(*(bot.start("run", "--webhook") for bot in bots))
            await until(lambda: len(api.calls_of("setWebhook")) == PROCESSES, "start", bots)

            learners = [FakeUser(70_000_000 + n, f"L{n}") for n in range(LEARNERS)]
            for learner in learners:
                await api.send_text(learner, "/quiz cnn")
                await api.send_text(learner, "/quiz cnn")
            chats = {channel_chat(n)["id"] for n in range(CHANNELS)}
            learner_ids = {learner.id for learner in learners}

            def learner_polls() -> list[tuple[int, str]]:
                return [
                    (int(call.params["chat_id"]), str(call.result["poll"]["id"]))
                    for call in api.calls_of("sendPoll")
                    if call.result is not None and int(call.params["chat_id"]) in learner_ids
                ]

            await until(lambda: len(learner_polls()) == 2 * LEARNERS, "the quizzes", bots)
            await until(lambda: len(channel_sends(api, chats)) >= posts, "the posts", bots)
            deadline = time.monotonic() + PATIENCE
            while any(p.state is not PostState.SENT for p in await posts_by_state(url)):
                assert time.monotonic() < deadline, "the posts were sent, never marked so"
                await asyncio.sleep(0.05)
            await api.wait_delivered(PATIENCE)

            # One process freezes with answers in its hands, then dies: Telegram gets no
            # answer for those and sends them again, to the others.
            frozen = bots[1]
            assert frozen.process is not None
            os.kill(frozen.process.pid, signal.SIGSTOP)
            for chat_id, poll_id in learner_polls():
                await api.answer_poll(FakeUser(chat_id), poll_id, [0])
            held = api.webhook_backends[1]

            def frozen_posts() -> set[int]:
                return {u for u, to in api.webhook_in_flight.items() if to.startswith(held)}

            await until(frozen_posts, "a frozen POST", bots)
            cut_short = frozen_posts()
            await frozen.kill()
            await api.wait_delivered(PATIENCE)

            rows, polls = await count_answers(url)
            assert rows == polls == 2 * LEARNERS  # every answer stored, and once
            redelivered = {uid for uid, status in api.webhook_attempts if status == 0}
            assert cut_short <= redelivered
            assert all((uid, 200) in api.webhook_attempts for uid in cut_short)

            sends = channel_sends(api, chats)
            texts = Counter(
                (call.params["chat_id"], call.params.get("question") or call.params.get("text"))
                for call in sends
            )
            assert len(sends) == posts  # each post sent, and once
            assert max(texts.values()) == 1
            assert all(post.state is PostState.SENT for post in await posts_by_state(url))

            assert api.refused_for_flood == 0
            sent = api._sent  # the fake's arrival times of every send, by chat and overall
            assert most_in_any_window(sent["*"], 1.0 - SLACK) <= 30
            assert all(most_in_any_window(sent[str(chat)], 60.0 - SLACK) <= 20 for chat in chats)
            for learner in learners:
                assert most_in_any_window(sent[str(learner.id)], 1.0 - SLACK) <= 1

            for bot in (bots[0], bots[2]):  # SIGTERM, as systemd stops a unit
                assert bot.process is not None
                bot.process.send_signal(signal.SIGTERM)
            survivors = [bot.process for bot in (bots[0], bots[2]) if bot.process is not None]
            codes = [await asyncio.wait_for(process.wait(), 60) for process in survivors]
            assert codes == [0, 0], bots[0].output()[-3000:]
    finally:
        for bot in bots:
            if bot.process is not None and bot.process.returncode is None:
                bot.process.kill()
                await bot.process.wait()
        await api.stop()
        await redis.flushdb()
        await redis.aclose()
