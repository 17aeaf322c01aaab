"""The channel services and the engine's claims on a real database session, without a bot."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank.loader import load_bank
from bot.channel_engine import claims, notices
from bot.channel_engine.render import RenderedText
from bot.db.models import AdminNotice, ItemKind, NoticeKind, PostState, ScheduledPost
from bot.services.channel import drafting, planning, registry, rights, settings
from bot.services.channel.outcomes import (
    ChannelChosen,
    ChooseChannel,
    NoChannels,
    NotAdmin,
    PostGone,
    PostMoved,
    PostNowUsage,
    PostQueued,
    Problem,
    Refused,
    Setting,
    SettingRefused,
    SettingSaved,
    SlotAdded,
)
from bot.services.channel.views import ChannelView
from bot.services.content.sync import sync_bank
from tests.banks import learner_bank_data, write_bank

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 11:30 in Tehran
TEHRAN = ZoneInfo("Asia/Tehran")
ALICE = rights.Admin("a" * 64, listed=True)
BOB = rights.Admin("b" * 64, listed=True)
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(session_factory: Sessions, tmp_path: Path) -> Sessions:
    """The sample bank, and two channels: Alice administers the first, Bob the second."""
    async with session_factory.begin() as session:
        await sync_bank(session, load_bank(write_bank(tmp_path / "content", learner_bank_data())))
        for chat_id, title in ((-100_1, "یک"), (-100_2, "دو")):
            await registry.bot_added(session, chat_id, title, None, NOW)
        await rights.replace_admins(session, -100_1, [ALICE.person], NOW)
        await rights.replace_admins(session, -100_2, [BOB.person], NOW)
    return session_factory


async def channel_of(sessions: Sessions, admin: rights.Admin) -> ChannelView:
    async with sessions() as session:
        channel = await rights.acting_channel(session, admin)
    assert isinstance(channel, ChannelView)
    return channel


async def test_rights_follow_telegrams_admin_list(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        assert (await rights.acting_channel(session, ALICE)).title == "یک"  # type: ignore[union-attr]
        stranger = rights.Admin("c" * 64, listed=True)
        assert await rights.acting_channel(session, stranger) == NotAdmin()
        # ADMIN_IDS set and not naming her: refused even though Telegram lists her.
        assert await rights.acting_channel(session, rights.Admin(ALICE.person, False)) == NotAdmin()
        # A chat_member update makes Alice an admin of the second channel too.
        await rights.admin_changed(session, -100_2, ALICE.person, can_post=True)
        both = await rights.acting_channel(session, ALICE)
        assert isinstance(both, ChooseChannel)
        second = both.channels[1]
        assert await rights.choose(session, ALICE, second.id, NOW) == ChannelChosen(second)
        assert (await rights.acting_channel(session, ALICE)) == second
        await rights.admin_changed(session, -100_2, ALICE.person, can_post=False)
        assert (await rights.acting_channel(session, ALICE)).title == "یک"  # type: ignore[union-attr]


async def test_without_channels_people_are_told_so(session_factory: Sessions) -> None:
    async with session_factory() as session:
        assert await rights.acting_channel(session, ALICE) == NoChannels()


async def test_settings_take_persian_digits_and_refuse_what_is_not_valid(
    sessions: Sessions,
) -> None:
    async with sessions.begin() as session:
        assert await settings.change(session, ALICE, Setting.QUIZ_NUMBER, ["۹۶"]) == SettingSaved()
        assert await settings.change(session, ALICE, Setting.GRACE, ["0"]) == SettingRefused(
            Setting.GRACE
        )
        assert await settings.change(session, ALICE, Setting.HASHTAGS, ["#CNN", "cnn"]) == (
            SettingRefused(Setting.HASHTAGS)
        )
        assert await settings.change(session, BOB, Setting.SIGNATURE, ["@b", "|", "دو"]) == (
            SettingSaved()
        )
    assert (await channel_of(sessions, ALICE)).next_quiz_number == 96
    assert (await channel_of(sessions, BOB)).signature == "@b | دو"


async def test_an_admin_cannot_touch_another_channels_posts(sessions: Sessions) -> None:
    bobs = await channel_of(sessions, BOB)
    async with sessions.begin() as session:
        post_id = await planning.schedule_post(
            session, bobs, ItemKind.LESSON, None, NOW + timedelta(hours=2), NOW
        )
        assert await planning.post_now(session, ALICE, [str(post_id)], NOW) == PostNowUsage()
        assert await planning.cancel(session, ALICE, post_id, NOW) == PostGone()
        assert await planning.postpone(session, ALICE, post_id, NOW) == PostGone()
        assert await planning.post_now(session, BOB, [str(post_id)], NOW) == PostQueued(post_id)
        post = await session.get(ScheduledPost, post_id)
        assert post is not None
        assert post.due_at == NOW


async def test_later_moves_an_hour_after_the_time_or_after_now(sessions: Sessions) -> None:
    alices = await channel_of(sessions, ALICE)
    async with sessions.begin() as session:
        soon = await planning.schedule_post(
            session, alices, ItemKind.QUIZ, None, NOW + timedelta(hours=2), NOW
        )
        moved = await planning.postpone(session, ALICE, soon, NOW)
    assert moved == PostMoved(soon, NOW + timedelta(hours=3))


async def test_schedule_refuses_a_past_time_before_the_preview(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        ask = await drafting.begin(session, ALICE, ["lesson", "cnn"], NOW, TEHRAN)
        assert isinstance(ask, drafting.AskWhen)
        # Today 18:00 and 21:00, tomorrow 9:00 and 18:00 (Tehran), all still ahead.
        assert [pick.astimezone(TEHRAN).hour for pick in ask.picks] == [18, 21, 9, 18]
        past = await drafting.choose_time(
            session, ALICE, ask.draft, "۱۴۰۵/۰۹/۰۱ ۱۰:۰۰", NOW, TEHRAN
        )
        assert past == Refused(Problem.PAST)
        unreadable = await drafting.choose_time(session, ALICE, ask.draft, "فردا", NOW, TEHRAN)
        assert unreadable == drafting.BadTime(ask.draft)
        preview = await drafting.choose_time(
            session, ALICE, ask.draft, "۱۴۰۵/۰۹/۱۰ ۱۸:۳۰", NOW, TEHRAN
        )
        assert isinstance(preview, drafting.Preview)
        assert isinstance(preview.post, RenderedText)
        assert preview.due_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        # Bob cannot confirm Alice's draft: it is not his channel.
        assert await drafting.confirm(session, BOB, preview.draft, NOW) == drafting.Expired()
        done = await drafting.confirm(session, ALICE, preview.draft, NOW)
        assert isinstance(done, drafting.Scheduled)
        assert done.label == "پدینگ چیه؟"


async def test_a_slot_fills_its_week_at_once(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        added = await planning.add_slot(
            session, ALICE, ["quiz", "daily", "۱۸:۰۰"], "Asia/Tehran", NOW
        )
        assert isinstance(added, SlotAdded)
        assert await planning.add_slot(session, ALICE, ["quiz", "daily", "25:00"], "x", NOW) == (
            planning.SlotUsage()
        )
        queued = await planning.pending_posts(session)
    # The sample bank has six quizzes: six days of the week are filled, the seventh is not.
    assert len(queued) == 6
    assert {post.due_at.astimezone(TEHRAN).hour for post in queued} == {18}


async def test_claims_take_one_post_at_a_time(sessions: Sessions) -> None:
    alices = await channel_of(sessions, ALICE)
    async with sessions.begin() as session:
        for minutes in (1, 2):
            await planning.schedule_post(
                session, alices, ItemKind.QUIZ, None, NOW + timedelta(minutes=minutes), NOW
            )
    later = NOW + timedelta(minutes=5)
    async with sessions.begin() as session:
        claim = await claims.claim_next(session, later, "worker")
    assert claim is not None
    async with sessions() as session:
        states = sorted((await session.scalars(select(ScheduledPost.state))).all())
    # The second is still pending: a crash now would leave only the first in doubt.
    assert states == [PostState.PENDING, PostState.SENDING]


async def test_a_late_post_past_its_grace_is_missed_and_noticed_once(sessions: Sessions) -> None:
    alices = await channel_of(sessions, ALICE)
    async with sessions.begin() as session:
        post_id = await planning.schedule_post(
            session, alices, ItemKind.LESSON, None, NOW + timedelta(minutes=1), NOW
        )
    async with sessions.begin() as session:
        assert await claims.claim_next(session, NOW + timedelta(hours=2), "worker") is None
        post = await session.get(ScheduledPost, post_id)
        assert post is not None
        assert post.state is PostState.MISSED
        (notice,) = await notices.pending(session)
        assert (notice.kind, notice.post_id, notice.channel_title) == (
            NoticeKind.MISSED,
            post_id,
            "یک",
        )


async def test_the_same_shortage_is_noticed_once(sessions: Sessions) -> None:
    alices = await channel_of(sessions, ALICE)
    async with sessions.begin() as session:
        for _ in range(2):
            await notices.add(
                session, NoticeKind.SHORTAGE, alices.id, NOW, "shortage:1:x", NOW,
                item_kind=ItemKind.QUIZ,
            )  # fmt: skip
        assert await session.scalar(select(func.count()).select_from(AdminNotice)) == 1


async def test_ids_too_long_for_a_row_are_usage_errors_not_crashes(sessions: Sessions) -> None:
    huge = "9" * 30
    async with sessions.begin() as session:
        assert await planning.post_now(session, ALICE, [huge], NOW) == PostNowUsage()
        assert await planning.remove_slot(session, ALICE, [huge]) == planning.SlotUsage()
        assert await settings.change(session, ALICE, Setting.QUIZ_NUMBER, [huge]) == (
            SettingRefused(Setting.QUIZ_NUMBER)
        )
