"""The real bot, polling a fake Bot API server, on a real database with a small bank."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ALLOWED_UPDATES, QuizbotApplication, build_application
from bot.bank.loader import load_bank
from bot.config import Settings
from bot.db.engine import create_engine
from bot.demos_runner.base import DemoRunner
from bot.handlers.channel.jobs import SCHEDULER_JOB, run_scheduler_pass
from bot.handlers.learning.jobs import REMINDERS_JOB, TIMED_TESTS_JOB
from bot.pacing import PacingLimiter
from bot.polling import Poller
from bot.runtime import Runtime
from bot.services.content.sync import sync_bank
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import Call, FakeBotApi, FakeTelegram, FakeUser
from tests.fakebot.entities import parse_html

# A job interval meaning "the test runs this job by hand".
HAND_TICKED = 3600.0
TOKEN = "123456789:AAE9xkq3v1mZ0Lr8pT2wQy7uN5sB4cD6eFg"
HASH_KEY = b"test-hash-key-" + b"k" * 32


@dataclass
class Clock:
    """A clock the tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 8, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class SkippingClock:
    """The send pacing's clock in tests: a wait passes at once, its time still counted.

    The bot and the fake Bot API read it both, so the fake's limits see the moments the bot's
    pacing chose, and a test never sleeps for Telegram's one-message-a-second.
    """

    now: float = 1_000.0
    waited: float = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.now += seconds
            self.waited += seconds
        await asyncio.sleep(0)


def paced_for_tests(api: FakeTelegram) -> PacingLimiter:
    """The bot's own pacing on a clock shared with the fake, whose waits pass at once.

    A bot started again on the same fake keeps its clock, a minute on: a restart takes a
    while, and the new process knows nothing of the old one's sends.
    """
    clock = api.send_clock if isinstance(api.send_clock, SkippingClock) else SkippingClock()
    clock.now += 60.0
    api.send_clock = clock
    return PacingLimiter(clock=clock, sleep=clock.sleep)


@dataclass
class Harness:
    """One bot process: start it, talk to it through the fake server, restart it."""

    api: FakeBotApi
    database_url: str
    content_dir: Path
    clock: Clock = field(default_factory=Clock)
    admin_chat_id: int | None = None
    admin_ids: frozenset[int] = frozenset()
    scheduler_interval: float = HAND_TICKED  # tests tick by hand unless they ask for the job
    learning_interval: float = HAND_TICKED  # timed tests and reminders, ticked by hand too
    engine: AsyncEngine | None = None
    runtime: Runtime | None = None
    app: QuizbotApplication | None = None
    demo_runner: DemoRunner | None = None
    demo_cooldown: timedelta = timedelta(seconds=30)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _polling: asyncio.Task[None] | None = None

    def settings(self) -> Settings:
        return Settings(  # type: ignore[call-arg]
            _env_file=None,
            telegram_bot_token=TOKEN,
            telegram_api_url=self.api.url,
            database_url=self.database_url,
            answer_hash_key=HASH_KEY.decode(),
            admin_chat_id=self.admin_chat_id,
            content_dir=self.content_dir,
            admin_ids=self.admin_ids,
            scheduler_interval_seconds=self.scheduler_interval,
            timed_test_interval_seconds=self.learning_interval,
            reminder_interval_seconds=self.learning_interval,
            demo_cooldown_seconds=self.demo_cooldown.total_seconds(),
        )

    async def sync_content(self) -> None:
        assert self.runtime is not None
        bank = load_bank(self.content_dir)
        async with self.runtime.sessions.begin() as session:
            await sync_bank(session, bank)

    async def start(self) -> None:
        settings = self.settings()
        self.engine = create_engine(self.database_url)
        self.runtime = Runtime(
            settings, self.engine, HASH_KEY, clock=self.clock, demo_runner=self.demo_runner
        )
        self.app = build_application(self.runtime, TOKEN, pacing=paced_for_tests(self.api))
        # Jobs the tests tick by hand must not also run on their own a second after start:
        # a pass of theirs would race the test's (a wake-up on /postnow still runs one).
        hand_ticked = {
            SCHEDULER_JOB: self.scheduler_interval,
            TIMED_TESTS_JOB: self.learning_interval,
            REMINDERS_JOB: self.learning_interval,
        }
        assert self.app.job_queue is not None
        for name, interval in hand_ticked.items():
            if interval >= HAND_TICKED:
                for job in self.app.job_queue.get_jobs_by_name(name):
                    job.schedule_removal()
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)  # run_polling would call it
        await self.app.start()
        # The bot's own poller (bot/polling.py), as `quizbot run` uses it: updates are
        # confirmed to Telegram only after they are handled.
        self._stop = asyncio.Event()
        self._polling = asyncio.create_task(Poller(self.app, ALLOWED_UPDATES).run(self._stop))

    async def stop(self) -> None:
        if self.app is not None:
            if self._polling is not None:
                self._stop.set()
                await self._polling
                self._polling = None
            if self.runtime is not None:  # as `quizbot run` stops: sends finished, recorded
                await self.runtime.broadcaster.close()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
            self.app = None
        if self.runtime is not None:
            await self.runtime.answers.close()  # as `quizbot run` stops
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # --- conversation helpers -----------------------------------------------------------

    async def say(
        self, user: FakeUser, text: str, *, expect: str = "sendMessage", where: Any = None
    ) -> Call:
        """Send `text` as `user` and wait for the bot's `expect` call to that chat."""
        since = self.api.mark()
        await self.api.send_text(user, text)
        return await self.api.wait_for(
            expect,
            lambda p: int(p.get("chat_id", 0)) == user.id and (where is None or where(p)),
            since=since,
        )

    async def caught_up(self, user: FakeUser) -> Call:
        """Wait until the bot has handled everything `user` sent so far; its answer to /help.

        The bot handles each person's updates one after another, in the order Telegram sent
        them, so once it has answered a /help sent now, every earlier update of theirs is
        done with (other people's may still be in hand: see `FakeTelegram.delivered`).
        """
        return await self.say(user, "/help")

    async def poll_for(self, user: FakeUser, text: str) -> tuple[str, Call]:
        """Send `text` and wait for the quiz poll it brings; return the poll id and call."""
        call = await self.say(user, text, expect="sendPoll")
        return self.poll_id_of(call), call

    def poll_id_of(self, call: Call) -> str:
        for poll_id, poll in self.api.polls.items():
            if poll["question"] == call.params["question"] and poll["_where"][0] == int(
                call.params["chat_id"]
            ):
                latest = poll_id
        return latest

    def correct_of(self, poll_id: str) -> list[int]:
        return list(self.api.polls[poll_id]["correct_option_ids"])

    async def count(self, model: type) -> int:
        """How many rows of `model` the database holds."""
        assert self.runtime is not None
        async with self.runtime.sessions() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0

    async def tick(self) -> int:
        """One scheduler pass, as the job would run it."""
        assert self.app is not None
        assert self.runtime is not None
        return await run_scheduler_pass(self.app.bot, self.runtime)

    def poll_message(self, poll_id: str) -> dict[str, Any]:
        """The message that carries a poll."""
        return self.api.messages[self.api.polls[poll_id]["_where"]]

    def message_of(self, call: Call) -> dict[str, Any]:
        """The message a send call created, as it stands now (after any edits).

        The bot's request may be seen before the fake answered it; then the newest message of
        the bot in that chat with the same text is the one.
        """
        if isinstance(call.result, dict) and "message_id" in call.result:
            return self.api.messages[(call.result["chat"]["id"], call.result["message_id"])]
        chat_id = int(call.params["chat_id"])
        text = str(call.params.get("text"))
        if str(call.params.get("parse_mode", "")).lower() == "html":
            text, _ = parse_html(text)
        keys = [key for key in self.api.messages if key[0] == chat_id]
        for key in sorted(keys, reverse=True):
            message = self.api.messages[key]
            if message.get("from", {}).get("is_bot") and message.get("text") == text:
                return message
        raise AssertionError("no such message")


@asynccontextmanager
async def running_harness(
    database_url: str, content_dir: Path, **options: Any
) -> AsyncIterator[Harness]:
    """A bot polling its own fake Bot API server on `database_url` (content as it is there)."""
    api = FakeBotApi(TOKEN)
    await api.start()
    harness = Harness(api, database_url, content_dir, **options)
    api.clock = harness.clock  # Telegram's own timers (a poll's open_period) follow it
    try:
        await harness.start()
        yield harness
    finally:
        await harness.stop()
        await api.stop()


@pytest.fixture
async def harness(tmp_path: Path, sample_bank_url: str) -> AsyncIterator[Harness]:
    """A running bot on each database backend, with the learner sample bank synced."""
    # The database comes with the bank synced; the files are written for tests that edit them.
    content = write_bank(tmp_path / "content", learner_bank_data())
    async with running_harness(sample_bank_url, content) as harness:
        yield harness


async def answer_then(
    harness: Harness, user: FakeUser, poll_id: str, options: list[int], expect: str = "sendMessage"
) -> Call:
    """Vote in a poll and wait for the bot's next `expect` call to the user."""
    since = harness.api.mark()
    await harness.api.answer_poll(user, poll_id, options)
    return await harness.api.wait_for(
        expect, lambda p: int(p.get("chat_id", 0)) == user.id, since=since
    )


async def answer(harness: Harness, user: FakeUser, poll_id: str, options: list[int]) -> None:
    """Vote in a single-quiz poll (which brings no reply) and wait until the bot handled it."""
    await harness.api.answer_poll(user, poll_id, options)
    await harness.caught_up(user)


def wrong_option(harness: Harness, poll_id: str) -> int:
    correct = harness.correct_of(poll_id)
    return next(i for i in range(len(harness.api.polls[poll_id]["options"])) if i not in correct)


def button_data(call: Call, text_part: str) -> str:
    """Callback data of the inline button whose label contains `text_part`."""
    for row in call.params["reply_markup"]["inline_keyboard"]:
        for button in row:
            if text_part in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button with {text_part!r}")


async def eventually(check: Callable[[], Awaitable[bool]], patience: float = 15.0) -> None:
    """Wait until `check` holds: the bot writes after Telegram answers it, not before."""
    deadline = asyncio.get_running_loop().time() + patience
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected state never arrived")
        await asyncio.sleep(0.05)
