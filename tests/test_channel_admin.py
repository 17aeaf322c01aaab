"""Channel admins end to end: discovery, rights, settings, scheduling, exactly-once posting."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import admin_commands
from bot.channel_engine import claims
from bot.cli.main import app as cli
from bot.config import DEFAULT_CONTENT_DIR
from bot.db.engine import create_engine
from bot.db.models import ItemKind, PostState, Publication, RecurringSlot, ScheduledPost
from bot.handlers.channel.jobs import run_scheduler_pass
from bot.runtime import Runtime
from bot.services.channel import planning
from bot.services.channel.registry import channel_by_chat
from tests.fakebot import Call, FakeUser
from tests.harness import HASH_KEY, Harness, button_data, eventually, running_harness

CHANNEL = {"id": -100_123_456, "type": "channel", "title": "دیتاساینس فارسی", "username": "data_fa"}
ADMIN = FakeUser(77_777_777, "Admin")
STRANGER = FakeUser(88_888_888, "Stranger")


@pytest.fixture
async def channel(real_bank_url: str) -> AsyncIterator[Harness]:
    """The real bank, a channel where the bot and ADMIN are admins."""
    async with running_harness(
        real_bank_url, DEFAULT_CONTENT_DIR, admin_ids=frozenset({ADMIN.id})
    ) as harness:
        harness.api.chats[CHANNEL["id"]] = CHANNEL
        harness.api.set_admins(CHANNEL["id"], [ADMIN])
        since = harness.api.mark()
        await harness.api.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        await harness.api.wait_for("sendMessage", lambda p: p["chat_id"] == ADMIN.id, since=since)
        yield harness


async def published(harness: Harness, poll_id: str) -> None:
    """Wait until the channel post carrying the poll is recorded as sent.

    The scheduler pass that /postnow asks for runs beside update handling: Telegram's own
    poll updates come only after people vote, but here they follow the post at once.
    """
    assert harness.runtime is not None
    sessions = harness.runtime.sessions

    async def recorded() -> bool:
        async with sessions() as session:
            found = await session.scalar(
                select(Publication.id).where(Publication.poll_id == poll_id)
            )
        return found is not None

    await eventually(recorded)


def channel_posts(harness: Harness, since: int = 0) -> list[Call]:
    return [
        c
        for c in harness.api.calls[since:]
        if c.method in ("sendPoll", "sendMessage") and c.params["chat_id"] == CHANNEL["id"]
    ]


async def test_the_bot_learns_its_channel_and_greets_the_admin(channel: Harness) -> None:
    greeting = channel.api.texts_to(ADMIN.id)[0]
    assert greeting.startswith("✅ کانال «دیتاساینس فارسی» ثبت شد.")
    settings = await channel.say(ADMIN, "/settings")
    assert "شمارهٔ کوییز بعدی: ۱" in settings.params["text"]


async def test_non_admins_are_refused_on_every_admin_path(channel: Harness) -> None:
    for command in [*admin_commands(), "schedule", "export"]:
        reply = await channel.say(STRANGER, f"/{command}")
        assert reply.params["text"].startswith("این بخش مخصوص ادمین‌های کاناله"), command
    menu = await channel.say(STRANGER, "/topics")
    for data in ("qc:1", "st:1:silent", "ch:1", "ql:1"):
        since = channel.api.mark()
        await channel.api.press(STRANGER, channel.message_of(menu), data)
        ack = await channel.api.wait_for("answerCallbackQuery", since=since)
        assert ack.params["text"].startswith("این بخش مخصوص ادمین‌های کاناله"), data
    assert channel_posts(channel) == []


async def test_numbering_continues_from_the_setting_and_never_repeats(channel: Harness) -> None:
    assert (await channel.say(ADMIN, "/quiznumber 96")).params["text"] == "ذخیره شد."
    await channel.say(ADMIN, "/signature @data_fa | دیتاساینس فارسی")
    await channel.say(ADMIN, "/hashtags #Deep_Learning")
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "/postnow quiz")
    first = await channel.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since=since
    )
    assert first.params["question"].startswith("❓کوییز شماره ۹۶: ")
    assert first.params["is_anonymous"] is True
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "/postnow interview")
    interview = await channel.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == CHANNEL["id"], since=since
    )
    text = interview.params["text"]
    assert text.startswith("💡سوال مصاحبه: ")
    assert "\n🔵 " in text
    assert text.endswith("#Deep_Learning\n@data_fa | دیتاساینس فارسی")
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "/postnow quiz")
    second = await channel.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since=since
    )
    assert second.params["question"].startswith("❓کوییز شماره ۹۷: ")
    assert second.params["question"] != first.params["question"].replace("۹۶", "۹۷")


async def test_schedule_in_chat_previews_then_posts_once_on_time(channel: Harness) -> None:
    kinds = await channel.say(ADMIN, "/schedule")
    since = channel.api.mark()
    await channel.api.press(ADMIN, channel.message_of(kinds), button_data(kinds, "کوییز"))
    when = await channel.api.wait_for("sendMessage", since=since)
    data = button_data(when, "امروز ۱۸")
    since = channel.api.mark()
    await channel.api.press(ADMIN, channel.message_of(when), data)
    preview = await channel.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == ADMIN.id, since=since
    )
    assert preview.params["question"].startswith("❓کوییز شماره ۱: ")
    confirm = await channel.api.wait_for("sendMessage", lambda p: "تأیید" in p["text"], since=since)
    assert "۱۸:۰۰" in confirm.params["text"]
    since = channel.api.mark()
    await channel.api.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    done = await channel.api.wait_for(
        "sendMessage", lambda p: "زمان‌بندی شد" in p["text"], since=since
    )
    assert "۱۸:۰۰" in done.params["text"]
    queue = await channel.say(ADMIN, "/queue")
    assert "۱۸:۰۰" in queue.params["text"]

    assert await channel.tick() == 0  # not due yet (the clock says 11:30 in Tehran)
    channel.clock.now = datetime(2026, 11, 26, 14, 31, tzinfo=UTC)  # 18:01 Tehran
    since = channel.api.mark()
    assert await channel.tick() == 1
    assert await channel.tick() == 0  # never twice
    (post,) = channel_posts(channel, since)
    assert post.params["question"] == preview.params["question"]


async def test_a_daily_slot_fills_a_week_without_repeats(channel: Harness) -> None:
    added = await channel.say(ADMIN, "/slot quiz daily 18:00")
    assert added.params["text"].startswith("🔁 زمان ثابت")
    since = channel.api.mark()
    start = datetime(2026, 11, 26, 14, 35, tzinfo=UTC)  # 18:05 in Tehran
    for day in range(7):
        channel.clock.now = start + timedelta(days=day)
        await channel.tick()
    posts = channel_posts(channel, since)
    questions = [post.params["question"] for post in posts]
    assert len(questions) == 7
    assert [q.split(":")[0] for q in questions] == [f"❓کوییز شماره {n}" for n in "۱۲۳۴۵۶۷"]
    assert len({q.split(": ", 1)[1] for q in questions}) == 7  # no quiz twice


async def schedule_lessons(harness: Harness, offsets: list[timedelta]) -> list[int]:
    assert harness.runtime is not None
    now = harness.clock.now
    async with harness.runtime.sessions.begin() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        return [
            await planning.schedule_post(session, row, ItemKind.LESSON, None, now + offset, now)
            for offset in offsets
        ]


async def test_restart_in_the_middle_of_the_queue(channel: Harness) -> None:
    await schedule_lessons(channel, [timedelta(hours=h) for h in (1, 2, 3)])
    since = channel.api.mark()
    channel.clock.advance(hours=1, minutes=1)
    assert await channel.tick() == 1
    await channel.restart()
    for _ in range(2):
        channel.clock.advance(hours=1)
        assert await channel.tick() == 1
    assert await channel.tick() == 0
    texts = [post.params["text"] for post in channel_posts(channel, since)]
    assert len(texts) == 3
    assert len(set(texts)) == 3


async def test_a_crash_between_claim_and_send_is_reported_not_repeated(channel: Harness) -> None:
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "/schedule quiz")
    when = await channel.api.wait_for("sendMessage", since=since)
    since = channel.api.mark()
    await channel.api.press(ADMIN, channel.message_of(when), button_data(when, "امروز ۱۸"))
    confirm = await channel.api.wait_for("sendMessage", lambda p: "تأیید" in p["text"], since=since)
    await channel.api.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    await channel.api.wait_for("sendMessage", lambda p: "زمان‌بندی شد" in p["text"], since=since)
    # Another process claims the post at 18:00 and dies before sending.
    channel.clock.now = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
    assert channel.runtime is not None
    async with channel.runtime.sessions.begin() as session:
        claim = await claims.claim_next(session, channel.clock.now, "dead-process")
        assert claim is not None
        claimed = claim.post_id
    channel.clock.advance(minutes=5)
    since = channel.api.mark()
    assert await channel.tick() == 0
    assert channel_posts(channel, since) == []
    notice = await channel.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == ADMIN.id, since=since
    )
    assert f"/postnow {claimed}" in notice.params["text"]
    assert "معلوم نیست" in notice.params["text"]
    async with channel.runtime.sessions() as session:
        post = await session.get(ScheduledPost, claimed)
        assert post is not None
        assert post.state is PostState.UNCERTAIN
    # The admin looked at the channel, saw nothing, and sends it.
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, f"/postnow {claimed}")
    await channel.api.wait_for("sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since=since)
    assert len(channel_posts(channel, since)) == 1


async def test_posts_due_while_down_go_out_late_or_are_reported_missed(channel: Harness) -> None:
    missed_id, late_id = await schedule_lessons(
        channel, [timedelta(minutes=5), timedelta(minutes=100)]
    )
    channel.clock.advance(minutes=130)  # grace is 60 minutes: one is 30 late, one 125
    since = channel.api.mark()
    assert await channel.tick() == 1
    assert channel.runtime is not None
    async with channel.runtime.sessions() as session:
        states = {p.id: p.state for p in (await session.scalars(select(ScheduledPost))).all()}
    assert states[late_id] is PostState.SENT
    assert states[missed_id] is PostState.MISSED
    notice = await channel.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == ADMIN.id, since=since
    )
    assert "منتشر نشد" in notice.params["text"]
    assert f"/postnow {missed_id}" in notice.params["text"]


async def test_results_show_what_the_channel_voted(channel: Harness) -> None:
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "/postnow quiz fnd-linear-params-mnist")
    poll = await channel.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since=since
    )
    poll_id = channel.poll_id_of(poll)
    await published(channel, poll_id)
    await channel.api.poll_results(poll_id, [21, 63, 11, 5])
    await asyncio.sleep(0.3)
    await channel.api.poll_results(poll_id, [42, 126, 22, 10])  # the latest snapshot counts
    await channel.api.wait_idle()
    results = await channel.say(ADMIN, "/results")
    text = results.params["text"]
    assert "❓کوییز شماره ۱: " in text
    # Each option with its share, the right one marked: the seed channel's own shares.
    options = [line for line in text.splitlines() if line.startswith("• ")]
    assert [line.rsplit(": ", 1)[1] for line in options] == ["۲۱٪", "۶۳٪ ✅", "۱۱٪", "۵٪"]
    assert options[1].startswith(f"• {channel.api.polls[poll_id]['options'][1]['text'][:30]}")
    assert "درست: ۶۳٪ از ۲۰۰ رأی" in text


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_bot_processes_on_postgres_never_post_twice(channel: Harness) -> None:
    ids = await schedule_lessons(channel, [timedelta(minutes=m) for m in range(1, 13)])
    assert channel.runtime is not None
    assert channel.app is not None
    # A second bot process: its own engine and connections, the same database.
    other_engine = create_engine(channel.database_url)
    other = Runtime(channel.runtime.settings, other_engine, HASH_KEY, clock=channel.clock)
    channel.clock.advance(minutes=15)
    since = channel.api.mark()
    try:
        sent = await asyncio.gather(
            run_scheduler_pass(channel.app.bot, channel.runtime, worker="process-a"),
            run_scheduler_pass(channel.app.bot, other, worker="process-b"),
            run_scheduler_pass(channel.app.bot, other, worker="process-c"),
        )
    finally:
        await other_engine.dispose()
    assert sum(sent) == len(ids)
    texts = [post.params["text"] for post in channel_posts(channel, since)]
    assert len(texts) == len(ids)
    assert len(set(texts)) == len(ids)


async def test_a_slot_running_out_is_announced_once_in_advance(channel: Harness) -> None:
    assert channel.runtime is not None
    async with channel.runtime.sessions.begin() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        # The cnn topic has three lessons: a daily lesson slot runs out on the fourth day.
        session.add(
            RecurringSlot(
                channel_id=row.id,
                kind=ItemKind.LESSON,
                weekdays=planning.weekday_mask(range(1, 8)),
                local_time=time(10, 0),
                timezone="Asia/Tehran",
                topic_id="cnn",
                created_at=channel.clock.now,
            )
        )
    since = channel.api.mark()
    await channel.tick()
    warnings = [t for t in channel.api.texts_to(ADMIN.id, since) if "باقی نمونده" in t]
    assert warnings  # told days before the first empty slot
    since = channel.api.mark()
    await channel.tick()
    assert [t for t in channel.api.texts_to(ADMIN.id, since) if "باقی نمونده" in t] == []


async def test_a_post_added_from_the_cli_goes_out_while_the_bot_runs(
    channel: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # This test runs the real scheduler job on the wall clock, as production does.
    channel.scheduler_interval = 0.5
    await channel.restart()
    assert channel.runtime is not None
    channel.runtime.clock = lambda: datetime.now(UTC)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", channel.database_url)
    due = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    since = channel.api.mark()
    # The CLI runs its own event loop, as it would in another process.
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["schedule", "add", "--channel", str(CHANNEL["id"]), "--kind", "quiz", "--at", due],
    )
    assert result.exit_code == 0, result.output
    listed = await asyncio.to_thread(CliRunner().invoke, cli, ["schedule", "list"])
    assert str(CHANNEL["id"]) in listed.output
    poll = await channel.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since=since, patience=30
    )
    assert poll.params["question"].startswith("❓کوییز شماره ۱: ")
    post_id = int(result.output.split()[2])
    cancelled = await asyncio.to_thread(
        CliRunner().invoke, cli, ["schedule", "cancel", str(post_id)]
    )
    assert cancelled.exit_code == 1  # already sent: nothing to cancel


async def test_schedule_by_topic_and_refuse_what_would_not_fit(channel: Harness) -> None:
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "/schedule lesson cnn")
    when = await channel.api.wait_for("sendMessage", since=since)
    since = channel.api.mark()
    await channel.api.press(ADMIN, channel.message_of(when), button_data(when, "فردا ۹"))
    preview = await channel.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == ADMIN.id, since=since
    )
    assert "#CNN" in preview.params["text"]
    # A signature so long that a post could not carry it is refused at scheduling time.
    await channel.say(ADMIN, "/signature " + "امضا " * 900)
    refused = await channel.say(
        ADMIN, "/schedule lesson cnn", where=lambda p: "کی منتشر" in p["text"]
    )
    since = channel.api.mark()
    await channel.api.press(ADMIN, channel.message_of(refused), button_data(refused, "فردا ۹"))
    error = await channel.api.wait_for("sendMessage", since=since)
    assert "کاراکتر می‌شه" in error.params["text"]


async def test_export_in_chat_sends_the_statistics_as_a_document(channel: Harness) -> None:
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "/postnow quiz fnd-linear-params-mnist")
    poll = await channel.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since=since
    )
    await published(channel, channel.poll_id_of(poll))
    await channel.api.poll_results(channel.poll_id_of(poll), [21, 63, 11, 5])
    await channel.api.wait_idle()
    document = await channel.say(ADMIN, "/export json", expect="sendDocument")
    data = json.loads(document.files["document"])
    assert data["views"]["channel_options"][1]["share"] == 0.63
    assert "آمار «دیتاساینس فارسی»" in document.params["caption"]
    xlsx = await channel.say(ADMIN, "/export", expect="sendDocument")
    assert xlsx.files["document"].startswith(b"PK")  # a zip container: the workbook


async def test_a_typed_jalali_date_schedules_in_tehran_time(channel: Harness) -> None:
    await channel.say(ADMIN, "/schedule interview", where=lambda p: "کی منتشر" in p["text"])
    bad = await channel.say(ADMIN, "فردا عصر")
    assert bad.params["text"].startswith("تاریخ و ساعت رو نفهمیدم")
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, "۱۴۰۵/۰۹/۱۰ ۱۸:۳۰")
    confirm = await channel.api.wait_for("sendMessage", lambda p: "تأیید" in p["text"], since=since)
    assert "سه‌شنبه ۱۴۰۵/۰۹/۱۰ ساعت ۱۸:۳۰" in confirm.params["text"]
    since = channel.api.mark()
    await channel.api.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    await channel.api.wait_for("sendMessage", lambda p: "زمان‌بندی شد" in p["text"], since=since)
    assert channel.runtime is not None
    async with channel.runtime.sessions() as session:
        post = (await session.scalars(select(ScheduledPost))).one()
    assert post.due_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 18:30 in Tehran
