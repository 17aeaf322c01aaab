"""What /metrics reports moves as people use the bot: read from the registry it serves.

The registry is the process's own (as in production), so each test compares values before and
after what the user does. In process, on SQLite: nothing here rests on SQL.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from bot import texts
from bot.app import ALLOWED_UPDATES
from bot.db.models import DemoResult, ItemKind
from bot.metrics import REGISTRY, exposition
from bot.polling import Poller
from bot.services.channel import planning
from bot.services.channel.registry import channel_by_chat
from bot.services.learning.demos import cache_key
from nn_demos.catalogue import CODE_VERSION, resolve
from tests.fakebot import FakeUser
from tests.inprocess import InProcessBot, one

LEILA = FakeUser(66_666_666, "Leila")
ADMIN = FakeUser(77_777_777, "Admin")
CHANNEL = {"id": -100_123_456, "type": "channel", "title": "دیتاساینس فارسی", "username": "data_fa"}

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


class Moved:
    """How far each sample moved since the block began."""

    def __init__(self) -> None:
        self.before = _samples()
        self.after: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}

    def __call__(self, name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return self.after.get(key, 0.0) - self.before.get(key, 0.0)


def _samples() -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for metric in REGISTRY.collect()
        for sample in metric.samples
    }


@contextmanager
def moved() -> Iterator[Moved]:
    change = Moved()
    yield change
    change.after = _samples()


async def test_updates_are_counted_by_kind_where_they_enter_and_each_send_is_timed(
    inproc: InProcessBot,
) -> None:
    poller = Poller(inproc.app, ALLOWED_UPDATES)
    with moved() as change:
        # Telegram sent something this PTB cannot read: skipped, but received all the same.
        unreadable = {"update_id": 10_000, "poll_answer": {"poll_id": []}}
        await poller.handle([inproc.api.text_update(LEILA, "/start"), unreadable])
        assert await poller.dispatcher.drain(10)
    assert change("quizbot_updates_total", kind="message") == 1
    assert change("quizbot_updates_total", kind="poll_answer") == 1
    assert change("quizbot_update_failures_total") == 0
    assert change("quizbot_send_seconds_count") >= 1  # the greeting
    assert one(inproc.api.calls, "sendMessage", LEILA.id).result is not None


async def test_an_update_whose_handling_fails_is_counted(inproc: InProcessBot) -> None:
    inproc.api.fail_next("sendMessage", 400, description="Bad Request: message is too long")
    with moved() as change:
        calls = await inproc.send_text(LEILA, "/start")
    assert calls[-1].params["text"] == texts.TRY_AGAIN
    assert change("quizbot_update_failures_total") == 1


async def _channel_with_posts_due(bot: InProcessBot, kinds: list[ItemKind]) -> None:
    """Posts of these kinds due one minute apart, the clock moved past them."""
    if CHANNEL["id"] not in bot.api.chats:
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
    now = bot.clock.now
    async with bot.runtime.sessions.begin() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        for minute, kind in enumerate(kinds, start=1):
            await planning.schedule_post(
                session, row, kind, None, now + timedelta(minutes=minute), now
            )
    bot.clock.advance(minutes=len(kinds) + 1)


async def test_posts_are_counted_sent_failed_and_missed(inproc: InProcessBot) -> None:
    await _channel_with_posts_due(inproc, [ItemKind.LESSON, ItemKind.QUIZ])
    inproc.api.fail_next("sendMessage", 400, description="Bad Request: not enough rights")
    with moved() as change:
        assert await inproc.tick() == 1  # the lesson refused, the quiz sent
    assert change("quizbot_posts_total", outcome="sent") == 1
    assert change("quizbot_posts_total", outcome="failed") == 1
    assert change("quizbot_posts_total", outcome="uncertain") == 0
    # A post due while the bot was down, past the channel's grace window: missed, not sent.
    await _channel_with_posts_due(inproc, [ItemKind.INTERVIEW])
    inproc.clock.advance(days=1)
    with moved() as change:
        assert await inproc.tick() == 0
    assert change("quizbot_posts_total", outcome="missed") == 1
    assert b'quizbot_posts_total{outcome="missed"}' in exposition()


async def test_demo_requests_are_counted_cached_or_unavailable(inproc: InProcessBot) -> None:
    small = "samples=40 steps=20 seeds=1"
    params = resolve("letters", dict(arg.split("=") for arg in small.split()))
    async with inproc.runtime.sessions.begin() as session:
        session.add(
            DemoResult(
                cache_key=cache_key("letters", params, CODE_VERSION),
                demo="letters",
                params=params,
                code_version=CODE_VERSION,
                png=b"\x89PNG cached",
                caption="cached",
                metrics={},
                device="cpu",
                duration_ms=1,
            )
        )
    with moved() as change:
        one(await inproc.send_text(LEILA, f"/demo letters {small}"), "sendPhoto")
        # Other parameters need a run, and this bot has no worker (no torch, no REDIS_URL).
        await inproc.send_text(LEILA, "/demo letters samples=50 steps=20 seeds=1")
    assert change("quizbot_demo_jobs_total", outcome="cached") == 1
    assert change("quizbot_demo_jobs_total", outcome="unavailable") == 1


async def test_answers_are_counted_recorded_then_duplicate(inproc: InProcessBot) -> None:
    poll = one(await inproc.send_text(LEILA, "/quiz"), "sendPoll")
    poll_id = inproc.poll_id_of(poll)
    answer = inproc.api.poll_answer_update(LEILA, poll_id, inproc.correct_of(poll_id))
    with moved() as change:
        await inproc.process(answer)
        await inproc.process(answer)  # Telegram delivers it again
    assert change("quizbot_answers_total", kind="recorded") == 1
    assert change("quizbot_answers_total", kind="duplicate") == 1
