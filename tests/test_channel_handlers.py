"""Channel admins in private chat and the posts that follow, handled in process.

The bot learns its channel from a my_chat_member update, admins set it up and schedule posts
by command and button, and each scheduler pass (what the job and /postnow run) is called by
hand with the clock set where the test needs it. Each helper returns the calls the bot made,
so the tests see exactly what went to the admin and what went to the channel.
"""

import copy
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.app import admin_commands
from bot.bank.telegram_export import parse_export
from bot.config import DEFAULT_CONTENT_DIR
from bot.db.models import (
    AdminContact,
    Base,
    ItemKind,
    Lesson,
    PostState,
    Quiz,
    RecurringSlot,
    ScheduledPost,
    Topic,
)
from bot.handlers.channel.events import refresh_admins
from bot.handlers.channel.results import pack
from bot.limits import MAX_MESSAGE_LENGTH, telegram_length
from bot.persian import fa_number
from bot.services.channel import planning
from bot.services.channel.registry import channel_by_chat
from bot.services.content.history_import import import_history
from tests.fakebot import Call, FakeUser
from tests.inprocess import InProcessBot, button_data, in_process_bot, methods, of, one
from tests.test_history_import import EXPORT

CHANNEL = {"id": -100_123_456, "type": "channel", "title": "دیتاساینس فارسی", "username": "data_fa"}
ADMIN = FakeUser(77_777_777, "Admin")
STRANGER = FakeUser(88_888_888, "Stranger")
NOT_ADMIN = "این بخش مخصوص ادمین‌های کاناله"

# For behaviour that rests on no SQL the two backends treat differently.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
async def channel(real_bank_url: str) -> AsyncIterator[InProcessBot]:
    """The real bank, a channel where the bot and ADMIN are admins, the bot told so."""
    async with in_process_bot(
        real_bank_url, DEFAULT_CONTENT_DIR, admin_ids=frozenset({ADMIN.id})
    ) as bot:
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        yield bot


def channel_posts(calls: list[Call]) -> list[Call]:
    """The polls and messages that went to the channel."""
    return [call for call in calls if call.params.get("chat_id") == CHANNEL["id"]]


async def reply(bot: InProcessBot, user: FakeUser, text: str) -> str:
    """The text of the one message, and nothing else, the bot answers `text` with."""
    calls = await bot.send_text(user, text)
    assert methods(calls) == ["sendMessage"], methods(calls)
    return str(calls[0].params["text"])


async def schedule_lessons(bot: InProcessBot, offsets: list[timedelta]) -> list[int]:
    """Queue lessons for the channel at now + each offset; their post ids."""
    now = bot.clock.now
    async with bot.runtime.sessions.begin() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        return [
            await planning.schedule_post(session, row, ItemKind.LESSON, None, now + offset, now)
            for offset in offsets
        ]


async def postnow(bot: InProcessBot, words: str) -> Call:
    """/postnow …, then the scheduler pass it asks for; the one post that went out."""
    queued = await bot.send_text(ADMIN, f"/postnow {words}")
    assert methods(queued) == ["sendMessage"]
    assert channel_posts(queued) == []  # nothing is sent before the pass
    (post,) = channel_posts(await bot.scheduler_pass())
    return post


# --- the channel and who may work on it ---------------------------------------------------


@sqlite_only
async def test_a_channel_that_adds_the_bot_reads_its_admins_and_greets_the_one_who_added_it(
    real_bank_url: str,
) -> None:
    async with in_process_bot(real_bank_url, DEFAULT_CONTENT_DIR) as bot:
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        added = await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        assert methods(added) == ["getChatAdministrators", "setMyCommands", "sendMessage"]
        greeting = one(added, "sendMessage", ADMIN.id).params["text"]
        assert greeting.startswith("✅ کانال «دیتاساینس فارسی» ثبت شد.")
        assert "شمارهٔ کوییز بعدی: ۱" in await reply(bot, ADMIN, "/settings")


def menu(bot: InProcessBot, user: FakeUser) -> list[str]:
    """The commands the menu of the user's private chat with the bot lists."""
    return [command["command"] for command in bot.api.menu_of(user.id)]


@sqlite_only
async def test_admins_see_the_admin_commands_in_their_menu_and_learners_do_not(
    real_bank_url: str,
) -> None:
    newcomer = FakeUser(66_666_666, "Newcomer")
    async with in_process_bot(real_bank_url, DEFAULT_CONTENT_DIR) as bot:
        learner_menu = menu(bot, STRANGER)
        assert learner_menu[:3] == ["start", "quiz", "test"]
        assert "schedule" not in learner_menu
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        # The learners' commands, then every admin command (each refuses non-admins itself).
        assert menu(bot, ADMIN) == [*learner_menu, *texts.ADMIN_COMMAND_DESCRIPTIONS]
        assert set(texts.ADMIN_COMMAND_DESCRIPTIONS) == {*admin_commands(), "schedule", "export"}
        assert menu(bot, STRANGER) == learner_menu
        assert menu(bot, newcomer) == learner_menu

        promoted = await bot.process(
            bot.api.chat_member_update(CHANNEL, ADMIN, newcomer, "member", "administrator")
        )
        assert methods(promoted) == ["setMyCommands"]
        assert "slot" in menu(bot, newcomer)
        # Admins already known are not sent their menu again on each reading of the list.
        bot.api.set_admins(CHANNEL["id"], [ADMIN, newcomer])
        since = bot.api.mark()
        await refresh_admins(bot.app.bot, bot.runtime, CHANNEL["id"])
        assert methods(bot.api.calls[since:]) == ["getChatAdministrators"]
        # Demoted, and admin of no other channel: the admin commands leave the menu.
        demoted = await bot.process(
            bot.api.chat_member_update(CHANNEL, ADMIN, newcomer, "administrator", "member")
        )
        assert methods(demoted) == ["deleteMyCommands"]
        assert menu(bot, newcomer) == learner_menu

        # A demotion only the periodic reading of the list sees (its chat_member update was
        # lost): the admin who used the bot loses the admin menu too.
        await reply(bot, ADMIN, "/queue")  # managing through the bot: their chat is known
        bot.api.set_admins(CHANNEL["id"], [newcomer])
        since = bot.api.mark()
        await refresh_admins(bot.app.bot, bot.runtime, CHANNEL["id"])
        assert methods(bot.api.calls[since:]) == [
            "getChatAdministrators",
            "setMyCommands",  # newcomer is an admin again
            "deleteMyCommands",
        ]
        assert menu(bot, ADMIN) == learner_menu
        assert "slot" in menu(bot, newcomer)


@sqlite_only
async def test_admin_ids_get_the_admin_menu_at_start(real_bank_url: str) -> None:
    async with in_process_bot(
        real_bank_url, DEFAULT_CONTENT_DIR, admin_ids=frozenset({ADMIN.id})
    ) as bot:
        assert "queue" in menu(bot, ADMIN)
        assert "queue" not in menu(bot, STRANGER)
        # Not in ADMIN_IDS: an admin of the channel who may not act as one gets no admin menu.
        bot.api.set_admins(CHANNEL["id"], [ADMIN, STRANGER])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        assert "queue" not in menu(bot, STRANGER)


@sqlite_only
async def test_non_admins_are_refused_on_every_admin_path(channel: InProcessBot) -> None:
    since = channel.api.mark()
    for command in [*admin_commands(), "schedule", "export"]:
        assert (await reply(channel, STRANGER, f"/{command}")).startswith(NOT_ADMIN), command
    menu = one(await channel.send_text(STRANGER, "/topics"), "sendMessage")
    for data in ("qc:1", "st:1:silent", "ch:1", "ql:1"):
        pressed = await channel.press(STRANGER, channel.message_of(menu), data)
        assert methods(pressed) == ["answerCallbackQuery"], data
        assert pressed[0].params["text"].startswith(NOT_ADMIN), data
    assert channel_posts(channel.api.calls[since:]) == []
    assert await channel.scheduler_pass() == []  # and nothing was queued


@sqlite_only
async def test_a_toggle_under_settings_that_can_no_longer_be_edited_shows_them_anew(
    channel: InProcessBot,
) -> None:
    shown = one(await channel.send_text(ADMIN, "/settings"), "sendMessage")
    message = channel.message_of(shown)
    del channel.api.messages[(ADMIN.id, message["message_id"])]  # deleted, or too old
    pressed = await channel.press(ADMIN, message, button_data(shown, "بی‌صدا"))
    assert methods(pressed) == ["editMessageText", "sendMessage", "answerCallbackQuery"]
    assert "ارسال بی‌صدا: بله" in pressed[1].params["text"]
    assert "text" not in pressed[2].params  # no "try again": the toggle took effect
    assert "ارسال بی‌صدا: بله" in await reply(channel, ADMIN, "/settings")


# Row ids are INTEGER columns: 32 bits on PostgreSQL, so 2**31 is past every row there.
@pytest.mark.parametrize("number", [2**31, 999_999_999_999])
async def test_ids_past_a_rows_range_are_refused_politely(
    channel: InProcessBot, number: int
) -> None:
    assert (await reply(channel, ADMIN, f"/unslot {number}")).startswith("این‌طوری بنویسید: /slot")
    assert (await reply(channel, ADMIN, f"/postnow {number}")).startswith(
        "این‌طوری بنویسید: /postnow"
    )
    menu = one(await channel.send_text(ADMIN, "/queue"), "sendMessage")
    for data in (f"qc:{number}", f"ql:{number}"):
        pressed = await channel.press(ADMIN, channel.message_of(menu), data)
        assert methods(pressed) == ["answerCallbackQuery"], data
        assert pressed[0].params["text"] == "این پست دیگه در صف نیست.", data


# --- posting now, numbering and signatures -----------------------------------------------


async def test_postnow_numbers_channel_quizzes_from_the_setting(channel: InProcessBot) -> None:
    assert await reply(channel, ADMIN, "/quiznumber 96") == "ذخیره شد."
    await reply(channel, ADMIN, "/signature @data_fa | دیتاساینس فارسی")
    await reply(channel, ADMIN, "/hashtags #Deep_Learning")
    first = await postnow(channel, "quiz")
    assert first.method == "sendPoll"
    assert first.params["question"].startswith("❓کوییز شماره ۹۶: ")
    assert first.params["is_anonymous"] is True
    interview = await postnow(channel, "interview")
    assert interview.method == "sendMessage"
    text = interview.shown
    assert text.startswith("💡سوال مصاحبه: ")
    assert "\n🔵 " in text
    assert text.endswith("#Deep_Learning\n@data_fa | دیتاساینس فارسی")
    # The title is bold in the channel; the signature's «|» and the bullets stay plain.
    (title,) = [entity for entity in interview.entities if entity["type"] == "bold"]
    assert title["text"] == text.split("\n")[0]
    second = await postnow(channel, "quiz")
    assert second.params["question"].startswith("❓کوییز شماره ۹۷: ")
    assert second.params["question"] != first.params["question"].replace("۹۶", "۹۷")


@sqlite_only
async def test_an_overlong_item_id_is_quoted_back_shortened(channel: InProcessBot) -> None:
    # A message can be 4096 characters long: quoted back whole, the id would not fit.
    answer = await reply(channel, ADMIN, "/postnow quiz " + "x" * 4082)
    assert answer.startswith("مورد «xxx")
    assert "…» پیدا نشد" in answer
    assert len(answer) < 400


@sqlite_only
async def test_a_signature_that_is_not_unicode_is_refused_and_not_stored(
    channel: InProcessBot,
) -> None:
    # JSON can carry a lone UTF-16 surrogate as an escape; the database cannot store one.
    assert await reply(channel, ADMIN, "/signature \ud800 @data_fa") == (
        "این پیام نویسه‌هایی داره که نمی‌تونم بخونم؛ لطفاً دوباره بنویسش."
    )
    assert "امضا: —" in await reply(channel, ADMIN, "/settings")


@pytest.mark.parametrize("command", ["/signature " + "ا" * 4000, "/hashtags #" + "a" * 4000])
@sqlite_only
async def test_settings_show_an_overlong_signature_or_hashtag_shortened(
    channel: InProcessBot, command: str
) -> None:
    assert await reply(channel, ADMIN, command) == "ذخیره شد."
    shown = await reply(channel, ADMIN, "/settings")  # whole, it would not fit in a message
    assert "…\n" in shown
    assert shown.endswith("/quiznumber 96 · /grace 60")


@sqlite_only
async def test_the_next_quiz_number_cannot_go_back_to_a_number_already_posted(
    channel: InProcessBot,
) -> None:
    await reply(channel, ADMIN, "/quiznumber 96")
    first = await postnow(channel, "quiz")
    assert first.params["question"].startswith("❓کوییز شماره ۹۶: ")
    assert await reply(channel, ADMIN, "/quiznumber ۹۶") == (
        "شمارهٔ ۹۶ قبلاً به کوییزی از این کانال رسیده؛ شمارهٔ بعدی باید دست‌کم ۹۷ باشه."
    )
    assert "شمارهٔ کوییز بعدی: ۹۷" in await reply(channel, ADMIN, "/settings")
    assert await reply(channel, ADMIN, "/quiznumber 120") == "ذخیره شد."
    second = await postnow(channel, "quiz")
    assert second.params["question"].startswith("❓کوییز شماره ۱۲۰: ")


async def test_a_signature_with_a_nul_character_is_refused_and_not_stored(
    channel: InProcessBot,
) -> None:
    # JSON can carry U+0000; PostgreSQL cannot store it in text.
    assert await reply(channel, ADMIN, "/signature a\x00b") == (
        "این پیام نویسه‌هایی داره که نمی‌تونم بخونم؛ لطفاً دوباره بنویسش."
    )
    assert "امضا: —" in await reply(channel, ADMIN, "/settings")


# --- /schedule ----------------------------------------------------------------------------


async def test_schedule_in_chat_previews_then_posts_once_on_time(channel: InProcessBot) -> None:
    kinds = one(await channel.send_text(ADMIN, "/schedule"), "sendMessage")
    picked = await channel.press(ADMIN, channel.message_of(kinds), button_data(kinds, "کوییز"))
    assert methods(picked) == ["sendMessage", "answerCallbackQuery"]
    when = picked[0]
    timed = await channel.press(ADMIN, channel.message_of(when), button_data(when, "امروز ۱۸"))
    # The post exactly as it will appear, then what to confirm.
    assert methods(timed) == ["sendPoll", "sendMessage", "answerCallbackQuery"]
    preview, confirm = timed[0], timed[1]
    assert preview.params["chat_id"] == ADMIN.id
    assert preview.params["question"].startswith("❓کوییز شماره ۱: ")
    assert "تأیید" in confirm.params["text"]
    assert "۱۸:۰۰" in confirm.params["text"]
    done = await channel.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    assert methods(done) == ["sendMessage", "answerCallbackQuery"]
    assert "زمان‌بندی شد" in done[0].params["text"]
    assert "۱۸:۰۰" in done[0].params["text"]
    assert "۱۸:۰۰" in await reply(channel, ADMIN, "/queue")

    assert await channel.scheduler_pass() == []  # not due yet (the clock says 11:30 in Tehran)
    channel.clock.now = datetime(2026, 11, 26, 14, 31, tzinfo=UTC)  # 18:01 Tehran
    (post,) = await channel.scheduler_pass()
    assert post.method == "sendPoll"
    assert post.params["chat_id"] == CHANNEL["id"]
    assert post.params["question"] == preview.params["question"]
    assert await channel.scheduler_pass() == []  # never twice


async def test_a_quiz_preview_forecasts_its_number_after_those_queued_before_it(
    channel: InProcessBot,
) -> None:
    now = channel.clock.now
    async with channel.runtime.sessions.begin() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        await planning.schedule_post(
            session, row, ItemKind.QUIZ, None, now + timedelta(days=1), now
        )

    async def preview_at(words: str) -> tuple[str, str]:
        kinds = one(await channel.send_text(ADMIN, "/schedule"), "sendMessage")
        picked = await channel.press(ADMIN, channel.message_of(kinds), button_data(kinds, "کوییز"))
        assert methods(picked) == ["sendMessage", "answerCallbackQuery"]
        timed = await channel.send_text(ADMIN, words)
        poll, confirm = one(timed, "sendPoll"), timed[-1]
        await channel.send_text(ADMIN, "/cancel")
        return poll.params["question"], confirm.params["text"]

    later, note = await preview_at("پس‌فردا ساعت ۶ عصر")
    assert later.startswith("❓کوییز شماره ۲: ")  # the one queued for tomorrow goes first
    assert "موقع انتشار قطعی می‌شه" in note
    sooner, _ = await preview_at("۲۰:۰۰")  # tonight, before tomorrow's
    assert sooner.startswith("❓کوییز شماره ۱: ")


async def test_schedule_by_topic_previews_a_post_of_that_topic(channel: InProcessBot) -> None:
    when = one(await channel.send_text(ADMIN, "/schedule lesson cnn"), "sendMessage")
    timed = await channel.press(ADMIN, channel.message_of(when), button_data(when, "فردا ۹"))
    assert methods(timed) == ["sendMessage", "sendMessage", "answerCallbackQuery"]
    assert timed[0].params["chat_id"] == ADMIN.id
    assert "#CNN" in timed[0].params["text"]


async def test_a_post_that_could_not_carry_the_signature_is_refused_when_scheduled(
    channel: InProcessBot,
) -> None:
    await reply(channel, ADMIN, "/signature " + "امضا " * 900)
    when = one(await channel.send_text(ADMIN, "/schedule lesson cnn"), "sendMessage")
    assert "کی منتشر" in when.params["text"]
    refused = await channel.press(ADMIN, channel.message_of(when), button_data(when, "فردا ۹"))
    assert methods(refused) == ["sendMessage", "answerCallbackQuery"]  # no preview
    text = refused[0].params["text"]
    assert "کاراکتر می‌شه" in text
    # The lesson is named by its title, not by the bank's id the admin never saw.
    async with channel.runtime.sessions() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        lesson_id = await planning.next_unposted(session, row.id, ItemKind.LESSON, "cnn")
        lesson = await session.get(Lesson, lesson_id)
    assert lesson is not None
    assert " ".join(lesson.title.split()[:3]) in text
    assert lesson.id not in text


async def test_a_typed_jalali_date_schedules_in_tehran_time(channel: InProcessBot) -> None:
    when = one(await channel.send_text(ADMIN, "/schedule interview"), "sendMessage")
    assert "کی منتشر" in when.params["text"]
    assert (await reply(channel, ADMIN, "فردا عصر")).startswith("تاریخ و ساعت رو نفهمیدم")
    typed = await channel.send_text(ADMIN, "۱۴۰۵/۰۹/۱۰ ۱۸:۳۰")
    assert methods(typed) == ["sendMessage", "sendMessage"]  # the preview, then what to confirm
    confirm = typed[1]
    assert "سه‌شنبه ۱۴۰۵/۰۹/۱۰ ساعت ۱۸:۳۰" in confirm.params["text"]
    done = await channel.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    assert "زمان‌بندی شد" in one(done, "sendMessage").params["text"]
    async with channel.runtime.sessions() as session:
        post = (await session.scalars(select(ScheduledPost))).one()
    assert post.due_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 18:30 in Tehran


async def test_typed_persian_times_preview_and_past_ones_are_refused_at_once(
    channel: InProcessBot,
) -> None:
    # The clock says Thursday 11:30 in Tehran.
    when = one(await channel.send_text(ADMIN, "/schedule درس cnn"), "sendMessage")
    assert "کی منتشر" in when.params["text"]
    assert await reply(channel, ADMIN, "امروز ۱۰:۰۰") == "این زمان گذشته؛ یک زمان آینده انتخاب کن."
    typed = await channel.send_text(ADMIN, "فردا ساعت ۶ عصر")
    assert methods(typed) == ["sendMessage", "sendMessage"]  # the preview, then what to confirm
    assert "جمعه ۱۴۰۵/۰۹/۰۶ ساعت ۱۸:۰۰" in typed[1].params["text"]

    one(await channel.send_text(ADMIN, "/schedule کوییز"), "sendMessage")
    typed = await channel.send_text(ADMIN, "۱۸:۳۰")  # a time alone: the next one, today
    assert methods(typed) == ["sendPoll", "sendMessage"]
    confirm = typed[1]
    assert "پنج‌شنبه ۱۴۰۵/۰۹/۰۵ ساعت ۱۸:۳۰" in confirm.params["text"]
    done = await channel.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    assert "زمان‌بندی شد" in one(done, "sendMessage").params["text"]
    async with channel.runtime.sessions() as session:
        post = (await session.scalars(select(ScheduledPost))).one()
    assert post.due_at == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 18:30 in Tehran


# --- slots and the queue over time --------------------------------------------------------


async def test_a_slot_typed_in_persian_queues_its_week(channel: InProcessBot) -> None:
    added = await reply(channel, ADMIN, "/slot کوییز هر روز ۱۸:۰۰")
    assert added.startswith("🔁 زمان ثابت #۱ ثبت شد: کوییز هر روز ساعت ۱۸:۰۰")
    queue = await reply(channel, ADMIN, "/queue")
    assert queue.count("ساعت ۱۸:۰۰ · کوییز") == 7
    async with channel.runtime.sessions() as session:
        posts = (await session.scalars(select(ScheduledPost))).all()
    assert len({post.quiz_id for post in posts}) == 7
    assert sorted(post.due_at for post in posts)[0] == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
    assert (await reply(channel, ADMIN, "/slot کوییز هر شب ۱۸:۰۰")).startswith(
        "این‌طوری بنویسید: /slot کوییز هر روز"
    )


async def test_a_daily_slot_fills_a_week_without_repeats(channel: InProcessBot) -> None:
    assert (await reply(channel, ADMIN, "/slot quiz daily 18:00")).startswith("🔁 زمان ثابت")
    posts = []
    start = datetime(2026, 11, 26, 14, 35, tzinfo=UTC)  # 18:05 in Tehran
    for day in range(7):
        channel.clock.now = start + timedelta(days=day)
        posts += channel_posts(await channel.scheduler_pass())
    questions = [post.params["question"] for post in posts]
    assert [q.split(":")[0] for q in questions] == [f"❓کوییز شماره {n}" for n in "۱۲۳۴۵۶۷"]
    assert len({q.split(": ", 1)[1] for q in questions}) == 7  # no quiz twice


async def test_a_daily_slot_takes_the_topics_in_turn(channel: InProcessBot) -> None:
    await reply(channel, ADMIN, "/slot کوییز هر روز ۱۸:۰۰")
    async with channel.runtime.sessions() as session:
        week = (
            await session.execute(
                select(Quiz.topic_id, Topic.position)
                .join(ScheduledPost, ScheduledPost.quiz_id == Quiz.id)
                .join(Topic, Topic.id == Quiz.topic_id)
                .order_by(ScheduledPost.due_at)
            )
        ).all()
        topics = (await session.scalars(select(Topic.id).order_by(Topic.position))).all()
    assert len(week) == 7
    # A different topic each day, in the bank's order (not two weeks of the first topic).
    assert [topic for topic, _ in week] == list(topics[:7])
    # The next week goes on from there, round the end, without repeats.
    channel.clock.advance(days=7)
    async with channel.runtime.sessions.begin() as session:
        row = await channel_by_chat(session, CHANNEL["id"])
        assert row is not None
        nxt = await planning.next_unposted(session, row.id, ItemKind.QUIZ)
        topic = await session.scalar(select(Quiz.topic_id).where(Quiz.id == nxt))
    assert topic == topics[7 % len(topics)]


async def test_lists_name_posts_by_their_words_never_by_item_ids(channel: InProcessBot) -> None:
    await reply(channel, ADMIN, "/slot quiz daily 18:00")
    await reply(channel, ADMIN, "/slot درس هر روز ۹ صبح")
    queue = await reply(channel, ADMIN, "/queue")
    slots = await reply(channel, ADMIN, "/slots")
    async with channel.runtime.sessions() as session:
        posts = (await session.scalars(select(ScheduledPost).order_by(ScheduledPost.due_at))).all()
        words = {
            post.item_id: await planning.item_label(session, post.kind, post.item_id)
            for post in posts
        }
    assert len(posts) == 14
    for item_id, label in words.items():
        assert item_id is not None
        assert item_id not in queue
        assert item_id not in slots
        assert " ".join(label.split()[:3]) in queue, label
    # Each slot shows what it posts next: the first quiz at 18:00, the first lesson at 9:00.
    assert "#۱ · کوییز · هر روز ساعت ۱۸:۰۰\n   بعدی: پنج‌شنبه" in slots
    assert "#۲ · درس · هر روز ساعت ۰۹:۰۰\n   بعدی: جمعه" in slots
    first_quiz = next(p for p in posts if p.kind is ItemKind.QUIZ)
    assert " ".join(words[first_quiz.item_id].split()[:3]) in slots.split("#۲")[0]
    # A long question is cut between words, one line per post.
    for line in queue.splitlines()[1:]:
        assert not line.endswith(" …")
        assert len(line.split(": ", 1)[1]) <= 60


async def test_a_slot_running_out_is_announced_once_in_advance(channel: InProcessBot) -> None:
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
    first = await channel.scheduler_pass()
    warnings = [c.params["text"] for c in of(first, "sendMessage", ADMIN.id)]
    # Today's 10:00 has passed; Friday to Sunday take the three lessons; the four days after
    # them have none: each is told once, days before it comes.
    assert len(warnings) == 4
    assert all("باقی نمونده" in text for text in warnings)
    assert "دوشنبه ۱۴۰۵/۰۹/۰۹ ساعت ۱۰:۰۰" in warnings[0]
    assert "پنج‌شنبه ۱۴۰۵/۰۹/۱۲ ساعت ۱۰:۰۰" in warnings[3]
    assert of(await channel.scheduler_pass(), "sendMessage", ADMIN.id) == []


async def test_a_restart_in_the_middle_of_the_queue_posts_each_post_once(
    channel: InProcessBot,
) -> None:
    await schedule_lessons(channel, [timedelta(hours=h) for h in (1, 2, 3)])
    since = channel.api.mark()
    channel.clock.advance(hours=1, minutes=1)
    assert await channel.tick() == 1
    await channel.restart()
    for _ in range(2):
        channel.clock.advance(hours=1)
        assert await channel.tick() == 1
    assert await channel.tick() == 0
    texts = [post.params["text"] for post in channel_posts(channel.api.calls[since:])]
    assert len(texts) == 3
    assert len(set(texts)) == 3


async def test_posts_due_while_down_go_out_late_or_are_reported_missed(
    channel: InProcessBot,
) -> None:
    missed_id, late_id = await schedule_lessons(
        channel, [timedelta(minutes=5), timedelta(minutes=100)]
    )
    channel.clock.advance(minutes=130)  # grace is 60 minutes: one is 30 late, one 125
    calls = await channel.scheduler_pass()
    assert len(channel_posts(calls)) == 1
    async with channel.runtime.sessions() as session:
        states = {p.id: p.state for p in (await session.scalars(select(ScheduledPost))).all()}
    assert states == {late_id: PostState.SENT, missed_id: PostState.MISSED}
    notice = one(calls, "sendMessage", ADMIN.id).params["text"]
    assert "منتشر نشد" in notice
    assert f"/postnow {missed_id}" in notice


async def test_channel_quizzes_and_interviews_link_into_the_bot_for_practice(
    channel: InProcessBot,
) -> None:
    quiz = await postnow(channel, "quiz fnd-linear-params-mnist")
    (row,) = quiz.params["reply_markup"]["inline_keyboard"]
    link = row[0]["url"]
    assert link == "https://t.me/quizbot_test_bot?start=quiz_fnd-linear-params-mnist"
    # A reader follows it: the bot opens that quiz in their private chat.
    payload = link.split("start=")[1]
    opened = one(await channel.send_text(STRANGER, f"/start {payload}"), "sendPoll")
    assert opened.params["question"] in quiz.params["question"]  # the same, unnumbered
    interview = await postnow(channel, "interview")
    (row,) = interview.params["reply_markup"]["inline_keyboard"]
    assert row[0]["url"].startswith("https://t.me/quizbot_test_bot?start=interview_")
    lesson = await postnow(channel, "lesson")
    assert "reply_markup" not in lesson.params  # a lesson is read, not practised


# --- who hears about failures -------------------------------------------------------------

OTHER_ADMIN = FakeUser(66_666_660, "Other")
REFUSED = "Bad Request: not enough rights to send text messages to the chat"


@pytest.fixture
async def unconfigured(real_bank_url: str) -> AsyncIterator[InProcessBot]:
    """A channel added by ADMIN, with OTHER_ADMIN beside; no ADMIN_IDS, no ADMIN_CHAT_ID."""
    async with in_process_bot(real_bank_url, DEFAULT_CONTENT_DIR) as bot:
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN, OTHER_ADMIN])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        yield bot


async def fail_one_lesson(bot: InProcessBot) -> tuple[int, list[Call]]:
    """A lesson due now that Telegram refuses; its id and the pass's calls."""
    (post_id,) = await schedule_lessons(bot, [timedelta(minutes=1)])
    bot.clock.advance(minutes=2)
    bot.api.fail_next("sendMessage", 400, description=REFUSED)
    return post_id, await bot.scheduler_pass()


@sqlite_only
async def test_a_failed_post_reaches_the_admin_who_added_the_bot_with_a_retry_button(
    unconfigured: InProcessBot,
) -> None:
    bot = unconfigured
    post_id, calls = await fail_one_lesson(bot)
    notice = one(calls, "sendMessage", ADMIN.id)
    assert "منتشر نشد" in notice.params["text"]
    assert "Not enough rights" in notice.params["text"]  # Telegram's reason, as PTB gives it
    # An admin who never used the bot is not written to (they never started it).
    assert [c for c in calls if c.params.get("chat_id") == OTHER_ADMIN.id] == []
    # A stranger pressing the button changes nothing.
    data = button_data(notice, "الان بفرست")
    pressed = await bot.press(STRANGER, bot.message_of(notice), data)
    assert pressed[-1].params["text"].startswith(NOT_ADMIN)
    assert channel_posts(await bot.scheduler_pass()) == []
    # The admin presses it: the next pass posts it.
    assert methods(await bot.press(ADMIN, bot.message_of(notice), data)) == [
        "sendMessage",
        "answerCallbackQuery",
    ]
    (sent,) = channel_posts(await bot.scheduler_pass())
    assert sent.result is not None
    async with bot.runtime.sessions() as session:
        post = await session.get(ScheduledPost, post_id)
        assert post is not None
        assert post.state is PostState.SENT


@sqlite_only
async def test_admins_who_manage_through_the_bot_hear_until_telegram_drops_them(
    unconfigured: InProcessBot,
) -> None:
    bot = unconfigured
    await bot.send_text(OTHER_ADMIN, "/queue")  # managing the channel through the bot
    post_id, calls = await fail_one_lesson(bot)
    assert "منتشر نشد" in one(calls, "sendMessage", OTHER_ADMIN.id).params["text"]
    told = one(calls, "sendMessage", ADMIN.id)
    # "An hour later" puts it back in the queue, an hour from now.
    moved = await bot.press(ADMIN, bot.message_of(told), button_data(told, "یک ساعت بعد"))
    assert methods(moved) == ["answerCallbackQuery"]
    assert f"#{fa_number(post_id)}" in moved[0].params["text"]
    assert channel_posts(await bot.scheduler_pass()) == []  # not before its hour
    bot.clock.advance(minutes=61)
    assert len(channel_posts(await bot.scheduler_pass())) == 1
    # Telegram no longer lists OTHER_ADMIN: the next failure reaches ADMIN alone.
    await bot.process(
        bot.api.chat_member_update(CHANNEL, ADMIN, OTHER_ADMIN, "administrator", "left")
    )
    _, calls = await fail_one_lesson(bot)
    assert [c.params["chat_id"] for c in calls if c.method == "sendMessage"][1:] == [ADMIN.id]


async def test_admins_told_of_failures_are_kept_sealed_never_in_the_clear(
    unconfigured: InProcessBot,
) -> None:
    bot = unconfigured
    await bot.send_text(OTHER_ADMIN, "/queue")
    await fail_one_lesson(bot)
    secrets = [str(ADMIN.id), str(OTHER_ADMIN.id), ADMIN.first_name, OTHER_ADMIN.first_name]
    found = []
    async with bot.runtime.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                found += [(table.name, str(v)) for v in row for x in secrets if x in str(v)]
        sealed = (await session.scalars(select(AdminContact.sealed_chat))).all()
    assert found == []
    # Only the bot's key opens them: the two admins' private chats.
    assert sorted(bot.runtime.sealer.unseal(token) for token in sealed) == sorted(
        [ADMIN.id, OTHER_ADMIN.id]
    )


@sqlite_only
async def test_a_failed_post_stays_in_the_queue_until_the_admin_decides(
    unconfigured: InProcessBot,
) -> None:
    bot = unconfigured
    post_id, _ = await fail_one_lesson(bot)
    await schedule_lessons(bot, [timedelta(hours=2)])
    queue = one(await bot.send_text(ADMIN, "/queue"), "sendMessage")
    text = queue.params["text"]
    assert text.startswith("⚠️ منتظر تصمیم شما")
    assert f"منتشر نشد · #{fa_number(post_id)}" in text
    assert "🗓 صف انتشار" in text  # the pending one below
    # Dismissed: it leaves the list (resending it is the other button, tested above).
    dismissed = await bot.press(ADMIN, bot.message_of(queue), button_data(queue, "کنار بذار"))
    assert methods(dismissed) == ["answerCallbackQuery"]
    assert "منتظر تصمیم" not in await reply(bot, ADMIN, "/queue")


@sqlite_only
async def test_the_bot_removed_from_a_channel_tells_its_admins_and_keeps_its_results(
    unconfigured: InProcessBot,
) -> None:
    bot = unconfigured
    poll_id = bot.poll_id_of(await postnow_as(bot, ADMIN, "quiz fnd-linear-params-mnist"))
    assert await bot.poll_results(poll_id, [1, 3, 0, 0]) == []
    await schedule_lessons(bot, [timedelta(minutes=30)])
    await bot.chat_member_change(CHANNEL, ADMIN, "administrator", "left")
    calls = await bot.scheduler_pass()
    told = one(calls, "sendMessage", ADMIN.id)
    assert "دیگه ادمین کانال «دیتاساینس فارسی» نیست" in told.params["text"]
    assert "reply_markup" not in told.params  # nothing to retry: the bot cannot post there
    bot.clock.advance(hours=1)
    assert channel_posts(await bot.scheduler_pass()) == []  # its queue does not go out
    # Its history stays reachable: the quiz it posted, with the channel's votes.
    assert "❓کوییز شماره ۱: " in await reply(bot, ADMIN, "/results")


async def postnow_as(bot: InProcessBot, admin: FakeUser, words: str) -> Call:
    """/postnow … by `admin`, then the pass it asks for; the one post that went out."""
    assert methods(await bot.send_text(admin, f"/postnow {words}")) == ["sendMessage"]
    (post,) = channel_posts(await bot.scheduler_pass())
    return post


# --- what the channel voted ---------------------------------------------------------------


async def test_results_show_each_option_with_a_bar_and_the_right_one_marked(
    channel: InProcessBot,
) -> None:
    poll_id = channel.poll_id_of(await postnow(channel, "quiz fnd-linear-params-mnist"))
    assert await channel.poll_results(poll_id, [21, 63, 11, 5]) == []
    assert await channel.poll_results(poll_id, [42, 126, 22, 10]) == []  # the latest counts
    text = await reply(channel, ADMIN, "/results")
    assert "❓کوییز شماره ۱: " in text
    # Each option on its line: a bar as long as its share, the share, its first words.
    options = [line.removeprefix("\u200f") for line in text.splitlines() if "▱" in line]
    assert [line.split(" ", 2)[:2] for line in options] == [
        ["▰▰▱▱▱▱▱▱▱▱", "۲۱٪"],
        ["▰▰▰▰▰▰▱▱▱▱", "۶۳٪"],
        ["▰▱▱▱▱▱▱▱▱▱", "۱۱٪"],
        ["▰▱▱▱▱▱▱▱▱▱", "۵٪"],  # half a cell rounds up
    ]
    sent = [option["text"] for option in channel.api.polls[poll_id]["options"]]
    for line, option in zip(options, sent, strict=True):
        shown = line.split(" ", 2)[2].removesuffix(" ✅")
        # The first words, or all of them; a shortened option ends with an ellipsis.
        assert shown == option or (shown.endswith("…") and option.startswith(shown[:-1]))
    assert [line.endswith(" ✅") for line in options] == [False, True, False, False]
    assert "درست: ۶۳٪ از ۲۰۰ رأی" in text


@sqlite_only
async def test_results_of_an_imported_quiz_say_the_right_answer_is_unknown(
    channel: InProcessBot,
) -> None:
    history = copy.deepcopy(EXPORT)
    history["id"] = 123_456  # how the export names CHANNEL: its id without the -100
    async with channel.runtime.sessions.begin() as session:
        await import_history(session, parse_export(history), "activations", channel.clock.now)
    text = await reply(channel, ADMIN, "/results")
    (imported,) = [block for block in text.split("❓") if block.startswith("کوییز شماره ۹۰: ")]
    assert imported.startswith("کوییز شماره ۹۰: کدوم تابع خروجی بین صفر و یک داره؟\n")
    options = [line.removeprefix("\u200f") for line in imported.splitlines() if "▱" in line]
    assert options == [  # none marked right: the export does not say which one is
        "▰▰▱▱▱▱▱▱▱▱ ۲۱٪ ReLU",
        "▰▱▱▱▱▱▱▱▱▱ ۱۱٪ Tanh",
        "▰▰▰▰▰▰▱▱▱▱ ۶۳٪ Sigmoid",
        "▰▱▱▱▱▱▱▱▱▱ ۵٪ Linear",
    ]
    assert "درست: نامعلوم" in imported
    assert "٪ از" not in imported  # no share correct: it is not 0٪, it is unknown


def test_results_too_long_for_one_message_go_out_whole_in_several() -> None:
    blocks = [f"❓کوییز شماره {n}\n" + "▰" * 1500 for n in range(5)]
    messages = pack(blocks)
    assert len(messages) > 1
    assert all(telegram_length(message) <= MAX_MESSAGE_LENGTH for message in messages)
    assert "\n\n".join(messages) == "\n\n".join(blocks)  # nothing cut, nothing lost


async def test_export_json_carries_the_channels_vote_shares(channel: InProcessBot) -> None:
    poll_id = channel.poll_id_of(await postnow(channel, "quiz fnd-linear-params-mnist"))
    await channel.poll_results(poll_id, [21, 63, 11, 5])
    calls = await channel.send_and_finish(ADMIN, "/export json")
    # A progress message at once, the file, then the message says it is done.
    assert methods(calls) == ["sendMessage", "sendDocument", "editMessageText"]
    assert "در حال آماده‌سازی آمار «دیتاساینس فارسی»" in calls[0].params["text"]
    data = json.loads(calls[1].files["document"])
    assert data["views"]["channel_options"][1]["share"] == 0.63
    assert "آمار «دیتاساینس فارسی»" in calls[1].params["caption"]
    assert calls[2].params["message_id"] == calls[0].result["message_id"]
    assert calls[2].params["text"].startswith("✅")


async def test_export_without_a_format_sends_an_excel_workbook(channel: InProcessBot) -> None:
    calls = await channel.send_and_finish(ADMIN, "/export")
    workbook = one(calls, "sendDocument").files["document"]
    assert workbook.startswith(b"PK")  # a zip container: the workbook
