"""Posts due in many channels at once: sent across channels together, each channel in order.

The engine's pass with the real Bot API sender and the bot's real send pacing on the real
clock, against the fake Telegram in process, which refuses (429) anything past Telegram's
limits: 30 messages a second overall, 20 a minute per channel. More posts are due than one
second allows, so the overall window is crossed. No timing is asserted: what went out, once,
in which order, and what the admins heard.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import ExtBot

from bot.channel_engine import claims
from bot.channel_engine.publisher import Broadcaster, publish_due
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import ItemKind, PostState, ScheduledPost
from bot.handlers.channel.sender import TelegramChannelSender, TelegramNotifier
from bot.pacing import PacingLimiter
from bot.services.channel import planning, registry
from bot.services.privacy import ChatSealer
from tests.fakebot import Call, FakeTelegram, InProcessRequest
from tests.fakebot.transport import BASE_URL
from tests.harness import HASH_KEY, TOKEN, paced_for_tests

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
ADMIN_CHAT = -100_999
# Each channel: two quizzes and a lesson, a minute apart, in this order.
PLAN = (ItemKind.QUIZ, ItemKind.QUIZ, ItemKind.LESSON)
Sessions = async_sessionmaker[AsyncSession]
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def chat(n: int) -> dict[str, object]:
    return {"id": -100_500_000 - n, "type": "channel", "title": f"کانال {n}"}


class Channels:
    """Channels known to the bot, a fake Telegram, the bot's client with its real pacing."""

    def __init__(self, sessions: Sessions, api: FakeTelegram, bot: ExtBot[None]) -> None:
        self.sessions = sessions
        self.api = api
        self.bot = bot
        self.clock = Clock()
        self.broadcaster = Broadcaster()  # one process's, shared by its passes

    async def add(
        self, count: int, plan: tuple[ItemKind, ...] = PLAN, after: int = 0
    ) -> dict[int, list[int]]:
        """`count` channels, each with `plan` scheduled a minute apart from `after` minutes on;
        post ids by chat id."""
        posts: dict[int, list[int]] = {}
        async with self.sessions.begin() as session:
            for n in range(len(self.api.chats), len(self.api.chats) + count):
                telegram = chat(n)
                self.api.chats[int(str(telegram["id"]))] = telegram
                view = await registry.bot_added(
                    session, int(str(telegram["id"])), str(telegram["title"]), None, NOW
                )
                posts[view.chat_id] = [
                    await planning.schedule_post(
                        session, view, kind, None, NOW + timedelta(minutes=after + k + 1), NOW
                    )
                    for k, kind in enumerate(plan)
                ]
        return posts

    async def run_pass(self) -> int:
        notifier = TelegramNotifier(
            self.bot,
            Settings(_env_file=None, admin_chat_id=ADMIN_CHAT),  # type: ignore[call-arg]
            ChatSealer(HASH_KEY),
        )
        sender = TelegramChannelSender(self.bot)
        return await publish_due(
            self.sessions, sender, notifier, self.clock, "test-worker", self.broadcaster
        )

    def posts_to(self, chat_id: int) -> list[Call]:
        """What reached a channel, in the order Telegram took it."""
        return [
            call
            for call in self.api.calls
            if call.method in ("sendPoll", "sendMessage")
            and int(call.params["chat_id"]) == chat_id
            and call.result is not None
        ]

    def told(self) -> list[str]:
        return [
            str(call.params["text"])
            for call in self.api.calls
            if call.method == "sendMessage" and int(call.params["chat_id"]) == ADMIN_CHAT
        ]

    async def states(self, ids: list[int]) -> list[PostState]:
        async with self.sessions() as session:
            rows = await session.scalars(select(ScheduledPost).where(ScheduledPost.id.in_(ids)))
            by_id = {post.id: post.state for post in rows}
        return [by_id[post_id] for post_id in ids]


@pytest.fixture
async def channels(real_bank_url: str) -> AsyncIterator[Channels]:
    api = FakeTelegram(TOKEN)  # its limits on the real monotonic clock, as the pacing's
    api.chats[ADMIN_CHAT] = {"id": ADMIN_CHAT, "type": "supergroup", "title": "admins"}
    engine = create_engine(real_bank_url)
    bot: ExtBot[None] = ExtBot(
        TOKEN,
        base_url=f"{BASE_URL}/bot",
        request=InProcessRequest(api),
        rate_limiter=PacingLimiter(),
    )
    try:
        async with bot:
            yield Channels(create_session_factory(engine), api, bot)
    finally:
        await engine.dispose()


async def test_many_channels_each_get_their_posts_once_in_schedule_order(
    channels: Channels,
) -> None:
    posts = await channels.add(12)  # 36 posts: more than one second's worth
    channels.clock.now = NOW + timedelta(minutes=5)
    assert await channels.run_pass() == 36
    assert channels.api.refused_for_flood == 0  # no send went past a limit
    for chat_id, ids in posts.items():
        assert await channels.states(ids) == [PostState.SENT] * 3
        sent = channels.posts_to(chat_id)
        assert [call.method for call in sent] == ["sendPoll", "sendPoll", "sendMessage"]
        # Numbered in schedule order, and seen in that order.
        assert sent[0].params["question"].startswith("❓کوییز شماره ۱: ")
        assert sent[1].params["question"].startswith("❓کوییز شماره ۲: ")
    assert await channels.run_pass() == 0  # never twice


@sqlite_only
async def test_a_channel_held_by_a_429_or_refused_does_not_stop_the_others(
    channels: Channels,
) -> None:
    posts = await channels.add(8, (ItemKind.LESSON,))
    held, refused, *others = posts
    channels.api.fail_next("sendMessage", 429, retry_after=1, chat_id=held)
    channels.api.fail_next(
        "sendMessage", 403, description="Forbidden: bot is not a member", chat_id=refused
    )
    channels.clock.now = NOW + timedelta(minutes=5)
    assert await channels.run_pass() == 7
    # Every other channel had its post while the held one waited out Telegram's second.
    (late,) = channels.posts_to(held)
    assert all(channels.posts_to(other)[0].index < late.index for other in others)
    assert await channels.states(posts[held]) == [PostState.SENT]
    assert await channels.states(posts[refused]) == [PostState.FAILED]
    (notice,) = channels.told()  # the refusal reached the admins, once
    assert "bot is not a member" in notice  # Telegram's words


@sqlite_only
async def test_a_pass_while_lanes_send_takes_what_fell_due_once(channels: Channels) -> None:
    posts = await channels.add(3, (ItemKind.QUIZ, ItemKind.QUIZ))
    busy, quiet, idle = posts
    # `busy` sends its first post held by a 429: its lane is still running when the clock
    # reaches the second posts and another pass starts.
    channels.api.fail_next("sendPoll", 429, retry_after=1, chat_id=busy)
    channels.clock.now = NOW + timedelta(minutes=1, seconds=30)  # the first posts only
    first = asyncio.create_task(channels.run_pass())
    await channels.api.wait_for("sendPoll", lambda params: params["chat_id"] == quiet)
    assert not first.done()
    channels.clock.now = NOW + timedelta(minutes=5)
    second = await channels.run_pass()  # waits for the running lane too
    assert first.done()
    assert await first + second == 6
    assert channels.api.refused_for_flood == 0
    for chat_id in (busy, quiet, idle):
        assert await channels.states(posts[chat_id]) == [PostState.SENT] * 2
        numbers = [call.params["question"].split(":")[0] for call in channels.posts_to(chat_id)]
        assert numbers == ["❓کوییز شماره ۱", "❓کوییز شماره ۲"]


@sqlite_only
async def test_a_claim_cut_short_by_a_crash_is_reported_while_the_others_post(
    channels: Channels,
) -> None:
    posts = await channels.add(4, (ItemKind.LESSON,))
    dead, *others = posts
    channels.clock.now = NOW + timedelta(minutes=1)
    async with channels.sessions.begin() as session:  # another process claims, then dies
        row = await session.get(ScheduledPost, posts[dead][0])
        assert row is not None
        claimed = await claims.claim_next(session, channels.clock.now, "dead", row.channel_id)
        assert claimed is not None
    channels.clock.now = NOW + timedelta(minutes=5)
    assert await channels.run_pass() == 3
    assert channels.posts_to(dead) == []  # never resent on its own
    assert await channels.states(posts[dead]) == [PostState.UNCERTAIN]
    for other in others:
        assert await channels.states(posts[other]) == [PostState.SENT]
    (notice,) = channels.told()
    assert f"/postnow {posts[dead][0]}" in notice


@sqlite_only
async def test_a_channel_at_its_limit_of_twenty_a_minute_waits_alone(channels: Channels) -> None:
    # The minute this takes passes at once: the pacing and the fake share a clock that skips
    # its waits (tests/harness.py), on which the fake still counts every limit.
    async with ExtBot(
        TOKEN,
        base_url=f"{BASE_URL}/bot",
        request=InProcessRequest(channels.api),
        rate_limiter=paced_for_tests(channels.api),
    ) as bot:
        channels.bot = bot
        (busy,) = await channels.add(1, (ItemKind.QUIZ,) * 21)
        # Due after every post of `busy`: one post after another, it waits out busy's minute.
        (other,) = await channels.add(1, (ItemKind.QUIZ,), after=25)
        channels.clock.now = NOW + timedelta(minutes=30)
        assert await channels.run_pass() == 22
    assert channels.api.refused_for_flood == 0
    late = channels.posts_to(busy)[20]  # the 21st, a minute after the first
    assert channels.posts_to(other)[0].index < late.index
