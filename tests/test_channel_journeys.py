"""Channel journeys with the real bot polling the fake Bot API over HTTP.

The channel's commands, buttons and scheduler passes are tested in process
(tests/test_channel_handlers.py). These stay over HTTP because they need the polling bot:
the channel is learned from a my_chat_member update, which Telegram delivers only to a bot
that asked for that type when it polled; /schedule's steps arrive as separate updates to a
running bot and its post goes out from a scheduler pass beside it; a post claimed by a bot
process that died is found by the live one; two bot processes post from one PostgreSQL
database at once, with real Bot API calls between their claims; and a post added from the
CLI goes out by the real scheduler job on the wall clock. Journeys run on SQLite (the claims
are tested on both backends below them), but for two processes on one database, which needs
PostgreSQL's row locks.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.bank.telegram_export import parse_export
from bot.channel_engine import claims
from bot.cli.main import app as cli
from bot.config import DEFAULT_CONTENT_DIR
from bot.db.engine import create_engine
from bot.db.models import ItemKind, PostState, Quiz, ScheduledPost
from bot.handlers.channel.jobs import run_scheduler_pass
from bot.runtime import Runtime
from bot.services.channel import planning
from bot.services.channel.registry import channel_by_chat
from bot.services.content.history_import import import_history
from tests.fakebot import Call, FakeUser
from tests.harness import HASH_KEY, Harness, button_data, running_harness
from tests.test_history_import import EXPORT

CHANNEL = {"id": -100_123_456, "type": "channel", "title": "دیتاساینس فارسی", "username": "data_fa"}
ADMIN = FakeUser(77_777_777, "Admin")
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
async def channel(real_bank_url: str) -> AsyncIterator[Harness]:
    """The real bank, a channel where the bot and ADMIN are admins, the admin greeted."""
    async with running_harness(
        real_bank_url, DEFAULT_CONTENT_DIR, admin_ids=frozenset({ADMIN.id})
    ) as harness:
        harness.api.chats[CHANNEL["id"]] = CHANNEL
        harness.api.set_admins(CHANNEL["id"], [ADMIN])
        since = harness.api.mark()
        await harness.api.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        await harness.api.wait_for("sendMessage", lambda p: p["chat_id"] == ADMIN.id, since=since)
        yield harness


def channel_posts(harness: Harness, since: int = 0) -> list[Call]:
    """The polls and messages sent to the channel after position `since`."""
    return [
        c
        for c in harness.api.calls[since:]
        if c.method in ("sendPoll", "sendMessage") and c.params["chat_id"] == CHANNEL["id"]
    ]


async def schedule_via_chat(harness: Harness, kind: str = "کوییز") -> tuple[Call, Call]:
    """/schedule, a kind, today at 18:00, confirmed; the preview and the confirmation."""
    kinds = await harness.say(ADMIN, "/schedule")
    since = harness.api.mark()
    await harness.api.press(ADMIN, harness.message_of(kinds), button_data(kinds, kind))
    when = await harness.api.wait_for("sendMessage", since=since)
    since = harness.api.mark()
    await harness.api.press(ADMIN, harness.message_of(when), button_data(when, "امروز ۱۸"))
    preview = await harness.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == ADMIN.id, since=since
    )
    confirm = await harness.api.wait_for("sendMessage", lambda p: "تأیید" in p["text"], since=since)
    assert "۱۸:۰۰" in confirm.params["text"]
    since = harness.api.mark()
    await harness.api.press(ADMIN, harness.message_of(confirm), button_data(confirm, "تأیید"))
    done = await harness.api.wait_for(
        "sendMessage", lambda p: "زمان‌بندی شد" in p["text"], since=since
    )
    return preview, done


@sqlite_only
async def test_the_bot_learns_its_channel_and_greets_the_admin(channel: Harness) -> None:
    greeting = channel.api.texts_to(ADMIN.id)[0]
    assert greeting.startswith("✅ کانال «دیتاساینس فارسی» ثبت شد.")
    settings = await channel.say(ADMIN, "/settings")
    assert "شمارهٔ کوییز بعدی: ۱" in settings.params["text"]


@sqlite_only
async def test_schedule_in_chat_previews_then_posts_once_on_time(channel: Harness) -> None:
    preview, done = await schedule_via_chat(channel)
    assert preview.params["question"].startswith("❓کوییز شماره ۱: ")
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


@sqlite_only
async def test_a_crash_between_claim_and_send_is_reported_not_repeated(channel: Harness) -> None:
    await schedule_via_chat(channel)
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
    # The admin looked at the channel, saw nothing, and sends it: /postnow wakes the job.
    since = channel.api.mark()
    await channel.api.send_text(ADMIN, f"/postnow {claimed}")
    poll = await channel.api.wait_for(
        "sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since=since
    )
    # A pass of this process waits for the one /postnow started: then nothing is left to send.
    assert await channel.tick() == 0
    assert channel_posts(channel, since) == [poll]
    async with channel.runtime.sessions() as session:
        post = await session.get(ScheduledPost, claimed)
        assert post is not None
        assert post.state is PostState.SENT


async def schedule_lessons(harness: Harness, offsets: list[timedelta]) -> list[int]:
    """Queue lessons for the channel at now + each offset; their post ids."""
    assert harness.runtime is not None
    now = harness.clock.now
    async with harness.runtime.sessions.begin() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        return [
            await planning.schedule_post(session, row, ItemKind.LESSON, None, now + offset, now)
            for offset in offsets
        ]


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


@sqlite_only
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
    due = datetime.now(UTC).isoformat()  # due at once: the job's next tick sends it
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


# --- the whole of issue 11 in one journey: Telegram only, no YAML, no CLI ------------------

QUESTION = "کدام لایه ابعاد نقشهٔ ویژگی را با برداشتن بیشینهٔ هر پنجره کم می‌کند؟"
OPTIONS = ["لایهٔ کانولوشن", "لایهٔ ادغام بیشینه", "لایهٔ نرمال‌سازی دسته‌ای", "لایهٔ دراپ‌اوت"]
INTERVIEW = (
    "💡سوال مصاحبه: چرا Precision = TP/(TP+FP) به تنهایی برای داده‌های نامتوازن کافی نیست؟\n"
    "🔵 چون از نمونه‌های مثبتی که مدل ندیده (FN) چیزی نمی‌گوید.\n"
    "🔵 برای همین کنار آن Recall را هم گزارش می‌کنیم.\n"
    "#Evaluation"
)


async def press_for(harness: Harness, call: Call, label: str, expect: str = "sendMessage") -> Call:
    """ADMIN presses the button labelled `label` under `call`'s message; the bot's answer."""
    since = harness.api.mark()
    await harness.api.press(ADMIN, harness.message_of(call), button_data(call, label))
    return await harness.api.wait_for(
        expect, lambda p: int(p.get("chat_id", 0)) == ADMIN.id, since=since
    )


def saved_id(call: Call) -> str:
    """The id the bot's «saved» message names."""
    assert call.shown.startswith("✅"), call.shown
    return call.shown.split("شناسهٔ ")[1].split()[0]


@sqlite_only
async def test_an_admin_runs_the_channel_from_telegram_alone(real_bank_url: str) -> None:
    # No ADMIN_IDS, no ADMIN_CHAT_ID: the only admin the bot knows is the one who adds it.
    async with running_harness(real_bank_url, DEFAULT_CONTENT_DIR) as bot:
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        since = bot.api.mark()
        await bot.api.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        await bot.api.wait_for("sendMessage", lambda p: p["chat_id"] == ADMIN.id, since=since)
        # The operator imported another channel's history once; its quizzes lack their answer.
        assert bot.runtime is not None
        async with bot.runtime.sessions.begin() as session:
            await import_history(session, parse_export(EXPORT), "activations", bot.clock.now)

        # 1. A forwarded quiz poll becomes a bank item: its right option, topic, difficulty.
        since = bot.api.mark()
        await bot.api.send_poll(ADMIN, QUESTION, OPTIONS, forwarded_from=CHANNEL)
        asked = await bot.api.wait_for("sendMessage", lambda p: "درسته؟" in p["text"], since=since)
        topics = await press_for(bot, asked, "گزینهٔ ۲")
        levels = await press_for(bot, topics, "شبکه‌های کانولوشنی")
        quiz_id = saved_id(await press_for(bot, levels, "متوسط"))

        # 2. Scheduled for 18:00 today; the preview is the post as the channel will see it.
        when = await bot.say(ADMIN, f"/schedule quiz {quiz_id}")
        confirm = await press_for(bot, when, "امروز ۱۸")
        assert "تأیید" in confirm.shown
        preview = bot.api.calls_of("sendPoll")[-1]
        assert preview.params["question"] == f"❓کوییز شماره ۱: {QUESTION}"
        assert "زمان‌بندی شد" in (await press_for(bot, confirm, "تأیید")).shown

        # 3. A text in the channel's interview format is saved and posted, title in bold and
        # its formula in code.
        topics = await bot.say(ADMIN, INTERVIEW)
        interview_id = saved_id(await press_for(bot, topics, "ارزیابی مدل"))
        since = bot.api.mark()
        await bot.say(ADMIN, f"/postnow interview {interview_id}")
        await bot.tick()  # /postnow asks for a pass itself; whichever runs first posts it
        await bot.api.wait_for("sendMessage", lambda p: p["chat_id"] == CHANNEL["id"], since)
        (interview,) = channel_posts(bot, since)
        assert interview.shown.startswith("💡سوال مصاحبه: چرا Precision = TP/(TP+FP)")
        assert interview.entities[0]["type"] == "bold"
        assert {"type": "code", "text": "Precision = TP/(TP+FP)"} in interview.entities

        # 4. An imported quiz gets its right option from a button.
        since = bot.api.mark()
        listed = await bot.say(ADMIN, "/needsreview")
        assert listed.shown.startswith("🔎 ۲ کوییز واردشده پاسخ درست ندارن")
        quiz = await bot.api.wait_for(
            "sendMessage", lambda p: "کدوم تابع خروجی" in p["text"], since=since
        )
        fixed = await press_for(bot, quiz, "Sigmoid", expect="editMessageText")
        assert fixed.shown.startswith("✅ گزینهٔ درست ثبت شد: «Sigmoid»")
        assert (await bot.say(ADMIN, "/needsreview")).shown.startswith("🔎 ۱ کوییز")

        # 5. At 18:01 Telegram refuses the quiz: the admin who added the bot hears it, with a
        # button that sends it again; it then goes out with the channel's next number.
        bot.clock.now = datetime(2026, 11, 26, 14, 31, tzinfo=UTC)
        bot.api.fail_next("sendPoll", 400, description="Bad Request: CHAT_SEND_POLLS_FORBIDDEN")
        since = bot.api.mark()
        assert await bot.tick() == 0  # nothing went out
        notice = await bot.api.wait_for(
            "sendMessage", lambda p: p["chat_id"] == ADMIN.id and "منتشر نشد" in p["text"], since
        )
        since = bot.api.mark()
        await press_for(bot, notice, "الان بفرست")
        await bot.tick()  # the button asks for a pass too: the post goes out once either way
        await bot.api.wait_for("sendPoll", lambda p: p["chat_id"] == CHANNEL["id"], since)
        (post,) = channel_posts(bot, since)
        assert post.params["question"] == f"❓کوییز شماره ۱: {QUESTION}"

        # 6. The channel votes; /results shows the options' words, the right one marked.
        poll_id = post.result["poll"]["id"]
        await bot.api.poll_results(poll_id, [10, 70, 15, 5])
        await bot.api.delivered()  # the totals are stored before the admin asks
        results = await bot.say(ADMIN, "/results", where=lambda p: "کوییز شماره ۱" in p["text"])
        assert "۷۰٪ لایهٔ ادغام بیشینه ✅" in results.shown

        # 7. A daily slot typed in Persian queues a week across several topics.
        await bot.say(ADMIN, "/slot کوییز هر روز ۱۸:۰۰")
        queue = await bot.say(ADMIN, "/queue")
        assert queue.shown.count("ساعت ۱۸:۰۰ · کوییز") == 7
        async with bot.runtime.sessions() as session:
            topics_of_week = (
                await session.scalars(
                    select(Quiz.topic_id)
                    .join(ScheduledPost, ScheduledPost.quiz_id == Quiz.id)
                    .where(ScheduledPost.state == PostState.PENDING)
                )
            ).all()
        assert len(topics_of_week) == 7
        assert len(set(topics_of_week)) == 7
