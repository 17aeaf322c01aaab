"""The real bot application handling updates in process: PTB's own pattern for handler tests.

The application is built by `bot.app.build_application` exactly as `quizbot run` builds it, but
its Bot API calls go to the fake core through `InProcessRequest` (no sockets) and the Updater is
never started (no polling). A helper builds the update through the fake core, so message ids,
chats and polls agree with what the bot sent, turns it into a `telegram.Update` and awaits
`Application.process_update` (a person's vote goes, as polling sends it, through the route that
takes it from Telegram's JSON: bot/dispatch.py): when the helper returns, the handler has
finished, and the calls it made are returned from the fake's call log. No waiting, no timing.

    async def test_quiz(inproc: InProcessBot) -> None:
        poll = one(await inproc.send_text(ALI, "/quiz cnn"), "sendPoll")
        poll_id = inproc.poll_id_of(poll)
        calls = await inproc.answer_poll(ALI, poll_id, inproc.correct_of(poll_id))
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.app import QuizbotApplication, build_application
from bot.bank.loader import load_bank
from bot.config import Settings
from bot.db.engine import create_engine
from bot.demos_runner.base import DemoRunner
from bot.dispatch import Dispatcher
from bot.handlers.channel.jobs import run_scheduler_pass
from bot.handlers.groups.engine import run_games_tick
from bot.handlers.learning.jobs import run_reminders, run_timed_tests
from bot.runtime import Runtime
from bot.services.content.sync import sync_bank
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import Call, FakeTelegram, FakeUser, InProcessRequest
from tests.fakebot.core import JSON
from tests.fakebot.transport import BASE_URL
from tests.harness import HASH_KEY, TOKEN, Clock, button_data, paced_for_tests

__all__ = ["InProcessBot", "button_data", "in_process_bot", "methods", "of", "one"]


@dataclass
class InProcessBot:
    """The application, the fake Telegram it talks to, and helpers that act as users."""

    api: FakeTelegram
    app: QuizbotApplication
    runtime: Runtime
    clock: Clock
    content_dir: Path
    config: Settings

    async def restart(self) -> None:
        """Stop this bot process and start a new one on the same database and fake Telegram."""
        await _close(self.app, self.runtime)
        runner = self.runtime.demo_runner
        self.app, self.runtime = await _open(self.config, self.api, self.clock, runner)

    # --- users act; each helper returns the calls the bot made while handling it -----

    async def process(self, update: JSON) -> list[Call]:
        """Hand one update (as Telegram would send it) to the bot as polling does: to the
        route that takes it from the JSON if one does (a person's vote), else to PTB's
        `process_update`; once it is done, replies included, the calls it made."""
        since = self.api.mark()
        dispatcher = Dispatcher(self.app)
        if await dispatcher.begin_json(update) is not None:
            await dispatcher.drain()
        else:
            await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.calls[since:]

    async def send_text(self, user: FakeUser, text: str) -> list[Call]:
        """`user` writes `text` in private chat (a command when it starts with /)."""
        return await self.process(self.api.text_update(user, text))

    async def send_and_finish(self, user: FakeUser, text: str) -> list[Call]:
        """Like `send_text`, and until the background work it started (an export) is done."""
        since = self.api.mark()
        await self.send_text(user, text)
        await self.runtime.background.wait()
        return self.api.calls[since:]

    async def say_in_group(
        self, chat: JSON, user: FakeUser, text: str, *, as_group: bool = False
    ) -> list[Call]:
        """`user` writes `text` in a group the bot is in (a command when it starts with /);
        `as_group`: as an anonymous admin, in the group's name."""
        update = self.api.group_text_update(chat, user, text, as_group=as_group)
        return await self.process(update)

    async def send_poll(
        self, user: FakeUser, question: str, options: list[str], **poll: Any
    ) -> list[Call]:
        """`user` sends or forwards a poll in private chat (see `poll_message_update`)."""
        return await self.process(self.api.poll_message_update(user, question, options, **poll))

    async def press(self, user: FakeUser, message: JSON, data: str) -> list[Call]:
        """`user` presses the inline button with callback `data` under `message`."""
        return await self.process(self.api.callback_update(user, message, data))

    async def answer_poll(self, user: FakeUser, poll_id: str, options: list[int]) -> list[Call]:
        """`user` votes in a poll (an empty list takes the vote back)."""
        return await self.process(self.api.poll_answer_update(user, poll_id, options))

    async def poll_results(
        self, poll_id: str, counts: list[int], closed: bool = False, voters: int | None = None
    ) -> list[Call]:
        """Telegram reports a poll's new totals (the only news a channel poll gives)."""
        return await self.process(self.api.poll_update(poll_id, counts, closed, voters))

    async def chat_member_change(
        self, chat: JSON, by: FakeUser, old: str, new: str, can_post: bool = True
    ) -> list[Call]:
        """`by` changes the bot's membership in `chat` (e.g. "left" -> "administrator")."""
        return await self.process(self.api.my_chat_member_update(chat, by, old, new, can_post))

    async def sync_content(self) -> None:
        """Write the content folder into the database (after a test edits the files)."""
        async with self.runtime.sessions.begin() as session:
            await sync_bank(session, load_bank(self.content_dir))

    async def scheduler_pass(self) -> list[Call]:
        """One scheduler pass (what /postnow asks for, and the job runs); the calls it made."""
        since = self.api.mark()
        await self.tick()
        return self.api.calls[since:]

    async def tick(self) -> int:
        """One scheduler pass, as the job would run it; the number of posts sent."""
        return await run_scheduler_pass(self.app.bot, self.runtime)

    async def timed_tests_pass(self) -> list[Call]:
        """One pass of the timed-tests job (questions that ran out); the calls it made."""
        since = self.api.mark()
        await run_timed_tests(self.app.bot, self.runtime)
        return self.api.calls[since:]

    async def reminders_pass(self) -> list[Call]:
        """One pass of the review-reminders job; the calls it made."""
        since = self.api.mark()
        await run_reminders(self.app.bot, self.runtime)
        return self.api.calls[since:]

    async def games_tick(self) -> list[Call]:
        """One tick of the group games, as the job runs it every second; the calls it made."""
        since = self.api.mark()
        await run_games_tick(self.app.bot, self.runtime)
        return self.api.calls[since:]

    # --- reading what the bot sent --------------------------------------------------

    def poll_id_of(self, call: Call) -> str:
        """The id Telegram gave the poll a sendPoll call created."""
        assert call.method == "sendPoll", call
        assert call.result is not None, "the sendPoll failed"
        return str(call.result["poll"]["id"])

    def correct_of(self, poll_id: str) -> list[int]:
        """The right options of a quiz poll the bot sent."""
        return list(self.api.polls[poll_id]["correct_option_ids"])

    def wrong_option(self, poll_id: str) -> int:
        """Some option of a quiz poll that is not right."""
        correct = self.correct_of(poll_id)
        options = self.api.polls[poll_id]["options"]
        return next(i for i in range(len(options)) if i not in correct)

    def message_of(self, call: Call) -> JSON:
        """The message a send call created, as it stands now (after any edits)."""
        assert call.result is not None, f"{call.method} failed or made no message"
        return self.api.messages[(call.result["chat"]["id"], call.result["message_id"])]

    def poll_message(self, poll_id: str) -> JSON:
        """The message that carries a poll."""
        return self.api.messages[self.api.polls[poll_id]["_where"]]

    # --- reading what the bot stored ---------------------------------------------------

    async def count(self, model: type) -> int:
        """How many rows of `model` the database holds."""
        async with self.runtime.sessions() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


def of(calls: list[Call], method: str, chat_id: int | None = None) -> list[Call]:
    """The calls of `method` (to `chat_id`, when given), in order."""
    return [
        call
        for call in calls
        if call.method == method and (chat_id is None or int(call.params["chat_id"]) == chat_id)
    ]


def methods(calls: list[Call]) -> list[str]:
    """The methods of the calls, in order: what the bot did for an update, at a glance."""
    return [call.method for call in calls]


def one(calls: list[Call], method: str, chat_id: int | None = None) -> Call:
    """The single call of `method` (to `chat_id`, when given); fails when there are others."""
    found = of(calls, method, chat_id)
    made = [(call.method, call.params.get("chat_id")) for call in calls]
    assert len(found) == 1, f"expected one {method}, got {len(found)}; calls: {made}"
    return found[0]


async def _open(
    config: Settings, api: FakeTelegram, clock: Clock, demo_runner: DemoRunner | None
) -> tuple[QuizbotApplication, Runtime]:
    """A bot process: its engine, runtime and initialised application (commands registered)."""
    engine = create_engine(config.database_url)
    runtime = Runtime(config, engine, HASH_KEY, clock=clock, demo_runner=demo_runner)
    app = build_application(
        runtime, TOKEN, request=InProcessRequest(api), pacing=paced_for_tests(api)
    )
    try:
        await app.initialize()  # getMe; the Updater and the job queue never run
        try:
            assert app.post_init is not None
            await app.post_init(app)  # what run_polling does first: register the commands
        except BaseException:
            await app.shutdown()
            raise
    except BaseException:
        await engine.dispose()
        raise
    return app, runtime


async def _close(app: QuizbotApplication, runtime: Runtime) -> None:
    try:
        await runtime.background.cancel_all()  # as `serve` does before the application stops
        await runtime.broadcaster.close()  # a channel post being sent is finished first
        await app.shutdown()
    finally:
        await runtime.answers.close()
        await runtime.engine.dispose()


@asynccontextmanager
async def in_process_bot(
    database_url: str,
    content_dir: Path,
    *,
    clock: Clock | None = None,
    admin_ids: frozenset[int] = frozenset(),
    admin_chat_id: int | None = None,
    demo_runner: DemoRunner | None = None,
    demo_cooldown: timedelta = timedelta(seconds=30),
    api: FakeTelegram | None = None,
    **settings: Any,
) -> AsyncIterator[InProcessBot]:
    """The initialised application on a migrated database (content is not synced here)."""
    api = api or FakeTelegram(TOKEN)
    clock = clock or Clock()
    api.clock = clock  # Telegram's own timers (a poll's open_period) run on the test's clock
    config = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        database_url=database_url,
        answer_hash_key=HASH_KEY.decode(),
        admin_chat_id=admin_chat_id,
        content_dir=content_dir,
        admin_ids=admin_ids,
        demo_cooldown_seconds=demo_cooldown.total_seconds(),
        **settings,
    )
    app, runtime = await _open(config, api, clock, demo_runner)
    bot = InProcessBot(api, app, runtime, clock, content_dir, config)
    try:
        yield bot
    finally:
        await _close(bot.app, bot.runtime)


@pytest.fixture
async def inproc(tmp_path: Path, sample_bank_url: str) -> AsyncIterator[InProcessBot]:
    """The bot in process on each database backend, with the learner sample bank synced."""
    # The database comes with the bank synced; the files are written for tests that edit them.
    content = write_bank(tmp_path / "content", learner_bank_data())
    async with in_process_bot(sample_bank_url, content) as bot:
        yield bot
