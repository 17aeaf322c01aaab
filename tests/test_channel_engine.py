"""The channel engine's passes with the real Bot API sender, against the fake Telegram in process.

No Application and no polling: a PTB Bot whose requests go to the fake core, the engine's
sender and notifier over it, and a real database. What a failure leads to is checked here:
a retry that keeps the quiz number, a refusal told to the admins, a timeout never resent.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.bank.loader import load_bank
from bot.channel_engine.publisher import publish_due
from bot.config import Settings
from bot.db.models import AdminNotice, ItemKind, PostState, ScheduledPost
from bot.handlers.channel.sender import TelegramChannelSender, TelegramNotifier
from bot.services.channel import planning, registry
from bot.services.channel.views import ChannelView
from bot.services.content.sync import sync_bank
from bot.services.privacy import ChatSealer
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import FakeTelegram, InProcessRequest
from tests.fakebot.transport import BASE_URL
from tests.harness import HASH_KEY, TOKEN

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
CHANNEL = {"id": -100_777, "type": "channel", "title": "کانال آزمایشی"}
ADMIN_CHAT = -100_999
Sessions = async_sessionmaker[AsyncSession]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def api() -> FakeTelegram:
    fake = FakeTelegram(TOKEN)
    fake.chats[CHANNEL["id"]] = CHANNEL
    fake.chats[ADMIN_CHAT] = {"id": ADMIN_CHAT, "type": "supergroup", "title": "admins"}
    return fake


@pytest.fixture
async def bot(api: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{BASE_URL}/bot", request=InProcessRequest(api)) as client:
        yield client


@pytest.fixture
async def channel(session_factory: Sessions, tmp_path: Path) -> ChannelView:
    async with session_factory.begin() as session:
        await sync_bank(session, load_bank(write_bank(tmp_path / "content", learner_bank_data())))
        return await registry.bot_added(session, CHANNEL["id"], CHANNEL["title"], None, NOW)


def settings(admin_chat: int | None) -> Settings:
    return Settings(_env_file=None, admin_chat_id=admin_chat)  # type: ignore[call-arg]


async def run_pass(
    sessions: Sessions, bot: Bot, clock: Clock, admin_chat: int | None = ADMIN_CHAT
) -> int:
    sender, notifier = (
        TelegramChannelSender(bot),
        TelegramNotifier(bot, settings(admin_chat), ChatSealer(HASH_KEY)),
    )
    return await publish_due(sessions, sender, notifier, clock, "test-worker")


async def schedule(sessions: Sessions, channel: ChannelView, kind: ItemKind) -> int:
    async with sessions.begin() as session:
        return await planning.schedule_post(
            session, channel, kind, None, NOW + timedelta(minutes=1), NOW
        )


async def post(sessions: Sessions, post_id: int) -> ScheduledPost:
    async with sessions() as session:
        found = await session.get(ScheduledPost, post_id)
        assert found is not None
        session.expunge(found)
        return found


def questions(api: FakeTelegram) -> list[str]:
    return [
        call.params["question"]
        for call in api.calls
        if call.method == "sendPoll" and call.result is not None
    ]


async def test_a_server_error_is_retried_later_with_the_same_number(
    session_factory: Sessions, bot: Bot, api: FakeTelegram, channel: ChannelView
) -> None:
    clock = Clock()
    post_id = await schedule(session_factory, channel, ItemKind.QUIZ)
    clock.now = NOW + timedelta(minutes=2)
    api.fail_next("sendPoll", 500)
    assert await run_pass(session_factory, bot, clock) == 0
    waiting = await post(session_factory, post_id)
    assert waiting.state is PostState.PENDING
    assert waiting.due_at > clock.now  # not hammered: tried again a little later
    assert waiting.quiz_number == 1
    clock.now = waiting.due_at
    assert await run_pass(session_factory, bot, clock) == 1
    assert questions(api) == [questions(api)[0]]
    assert questions(api)[0].startswith("❓کوییز شماره ۱: ")  # the number stayed with it


async def test_a_refusal_fails_the_post_and_the_admins_are_told(
    session_factory: Sessions, bot: Bot, api: FakeTelegram, channel: ChannelView
) -> None:
    clock = Clock()
    post_id = await schedule(session_factory, channel, ItemKind.LESSON)
    clock.now = NOW + timedelta(minutes=2)
    api.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    assert await run_pass(session_factory, bot, clock) == 0
    assert (await post(session_factory, post_id)).state is PostState.FAILED
    (told,) = [
        c for c in api.calls if c.method == "sendMessage" and c.params["chat_id"] == ADMIN_CHAT
    ]
    assert "پست #۱ «کانال آزمایشی»" in told.params["text"]
    assert "Chat not found" in told.params["text"]  # Telegram's words, as PTB passes them
    assert await run_pass(session_factory, bot, clock) == 0  # neither resent nor told twice
    assert [c for c in api.calls if c.params.get("chat_id") == ADMIN_CHAT] == [told]


async def test_a_timeout_is_in_doubt_reported_so_and_never_resent_on_its_own(
    session_factory: Sessions, api: FakeTelegram, channel: ChannelView
) -> None:
    clock = Clock()
    post_id = await schedule(session_factory, channel, ItemKind.LESSON)
    clock.now = NOW + timedelta(minutes=2)
    # Slower than the client waits: the post may well have reached the channel.
    api.fail_next("sendMessage", 200, delay=0.5)
    request = InProcessRequest(api, read_timeout=0.1)
    async with Bot(TOKEN, base_url=f"{BASE_URL}/bot", request=request) as impatient:
        await run_pass(session_factory, impatient, clock)
        # Not "failed": it may be in the channel, and a "failed" would invite a resend.
        assert (await post(session_factory, post_id)).state is PostState.UNCERTAIN
        await run_pass(session_factory, impatient, clock)
    posts = [
        c for c in api.calls if c.method == "sendMessage" and c.params["chat_id"] == CHANNEL["id"]
    ]
    assert len(posts) == 1
    told = [c for c in api.calls if c.params.get("chat_id") == ADMIN_CHAT]
    assert len(told) == 1
    assert "معلوم نیست" in told[0].params["text"]  # the in-doubt notice, once


async def test_a_notice_waits_for_someone_to_tell(
    session_factory: Sessions, bot: Bot, api: FakeTelegram, channel: ChannelView
) -> None:
    clock = Clock()
    await schedule(session_factory, channel, ItemKind.LESSON)
    clock.now = NOW + timedelta(hours=3)  # far past the hour of grace: missed
    await run_pass(session_factory, bot, clock, admin_chat=None)
    async with session_factory() as session:
        (notice,) = (await session.scalars(select(AdminNotice))).all()
        assert notice.delivered_at is None  # no one to tell: kept, not dropped
    await run_pass(session_factory, bot, clock)
    (told,) = [c for c in api.calls if c.params.get("chat_id") == ADMIN_CHAT]
    assert "منتشر نشد" in told.params["text"]
    async with session_factory() as session:
        (notice,) = (await session.scalars(select(AdminNotice))).all()
        assert notice.delivered_at is not None
