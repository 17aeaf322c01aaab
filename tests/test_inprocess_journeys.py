"""Journeys of the polling tests, run in process: the same bot, no sockets and no waiting.

Each helper returns once the bot has handled the update, with the calls it made, so these
tests read the bot's answers directly instead of waiting for them.
"""

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.config import DEFAULT_CONTENT_DIR
from bot.db.models import LearnerAnswer
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import Call, FakeUser
from tests.inprocess import InProcessBot, button_data, in_process_bot, of, one

ALI = FakeUser(11_111_111, "Ali", "ali_learns")
SARA = FakeUser(22_222_222, "Sara", "sara_ml")
CNN_QUESTIONS = {
    "یک Conv2d با ۳ کانال ورودی، ۱۶ فیلتر ۳×۳ و بایاس چند پارامتر داره؟",
    "Max Pooling ۲×۲ با گام ۲ روی نقشهٔ ۸×۸ چه اندازه‌ای می‌ده؟",
}
CHANNEL = {"id": -100_123_456, "type": "channel", "title": "دیتاساینس فارسی", "username": "data_fa"}
ADMIN = FakeUser(77_777_777, "Admin")


async def count_answers(bot: InProcessBot) -> int:
    async with bot.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(LearnerAnswer)) or 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # PostgreSQL needs a socket
async def test_the_bot_in_process_opens_no_socket(
    inproc: InProcessBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    started = await inproc.send_text(ALI, "/start")
    assert "کوییزبات" in one(started, "sendMessage").params["text"]
    assert one(await inproc.send_text(ALI, "/quiz"), "sendPoll").params["type"] == "quiz"


async def test_a_quiz_answer_needs_no_reply_and_next_stays_in_the_topic(
    inproc: InProcessBot,
) -> None:
    poll = one(await inproc.send_text(ALI, "/quiz cnn"), "sendPoll")
    assert poll.params["type"] == "quiz"
    assert poll.params["is_anonymous"] is False
    assert poll.params["question"] in CNN_QUESTIONS
    assert button_data(poll, "کوییز بعدی") == "q:cnn"
    poll_id = inproc.poll_id_of(poll)
    answered = await inproc.answer_poll(ALI, poll_id, inproc.correct_of(poll_id))
    assert answered == []  # Telegram shows right/wrong itself
    assert await count_answers(inproc) == 1
    pressed = await inproc.press(ALI, inproc.poll_message(poll_id), button_data(poll, "بعدی"))
    assert one(pressed, "sendPoll").params["question"] in CNN_QUESTIONS
    assert "text" not in one(pressed, "answerCallbackQuery").params


async def test_a_test_session_numbers_its_quizzes_and_ends_with_a_score_card(
    inproc: InProcessBot,
) -> None:
    started = await inproc.send_text(SARA, "/test cnn 2")
    assert one(started, "sendMessage").params["text"] == (
        "📝 آزمون ۲ سوالی موضوع «شبکه‌های کانولوشنی» شروع شد. موفق باشی!"
    )
    first = one(started, "sendPoll")
    assert first.params["question"].startswith("(۱/۲) ")
    first_id = inproc.poll_id_of(first)
    inproc.clock.advance(seconds=40)
    second = one(await inproc.answer_poll(SARA, first_id, inproc.correct_of(first_id)), "sendPoll")
    assert second.params["question"].startswith("(۲/۲) ")
    assert second.params["question"] != first.params["question"]  # no repeat within a test
    second_id = inproc.poll_id_of(second)
    inproc.clock.advance(seconds=32)
    ended = await inproc.answer_poll(SARA, second_id, [inproc.wrong_option(second_id)])
    assert one(ended, "sendMessage", SARA.id).params["text"] == (
        "🏁 کارنامهٔ آزمون\n\n"
        "درست: ۱ از ۲ (۵۰٪)\n"
        "زمان: ۱ دقیقه و ۱۲ ثانیه\n"
        "ضعیف‌ترین موضوع: شبکه‌های کانولوشنی (۱ از ۲)"
    )


async def test_the_button_of_an_item_retired_meanwhile_says_it_is_gone(
    inproc: InProcessBot,
) -> None:
    question = one(await inproc.send_text(ALI, "/interview cnn"), "sendMessage")
    data = learner_bank_data()
    data["interview_questions"] = [
        q for q in data["interview_questions"] if q["id"] != "int-pooling"
    ]
    write_bank(inproc.content_dir, data)
    await inproc.sync_content()
    pressed = await inproc.press(ALI, inproc.message_of(question), button_data(question, "پاسخ"))
    assert one(pressed, "answerCallbackQuery").params["text"] == "این مورد دیگه در دسترس نیست."
    assert of(pressed, "editMessageText") == []


@pytest.fixture
async def channel(real_bank_url: str) -> AsyncIterator[InProcessBot]:
    """The real bank, a channel where the bot and ADMIN are admins, the admin greeted."""
    async with in_process_bot(
        real_bank_url, DEFAULT_CONTENT_DIR, admin_ids=frozenset({ADMIN.id})
    ) as bot:
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        added = await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        greeting = one(added, "sendMessage", ADMIN.id).params["text"]
        assert greeting.startswith("✅ کانال «دیتاساینس فارسی» ثبت شد.")
        yield bot


def channel_posts(calls: list[Call]) -> list[Call]:
    return [*of(calls, "sendPoll", CHANNEL["id"]), *of(calls, "sendMessage", CHANNEL["id"])]


async def reply(bot: InProcessBot, user: FakeUser, text: str) -> str:
    """The text of the one message the bot answers `text` with."""
    return str(one(await bot.send_text(user, text), "sendMessage", user.id).params["text"])


async def test_postnow_numbers_channel_quizzes_from_the_setting(channel: InProcessBot) -> None:
    assert await reply(channel, ADMIN, "/quiznumber 96") == "ذخیره شد."
    await reply(channel, ADMIN, "/signature @data_fa | دیتاساینس فارسی")
    await reply(channel, ADMIN, "/hashtags #Deep_Learning")
    await channel.send_text(ADMIN, "/postnow quiz")
    first = one(await channel.scheduler_pass(), "sendPoll", CHANNEL["id"])
    assert first.params["question"].startswith("❓کوییز شماره ۹۶: ")
    assert first.params["is_anonymous"] is True
    await channel.send_text(ADMIN, "/postnow interview")
    interview = one(await channel.scheduler_pass(), "sendMessage", CHANNEL["id"])
    text = interview.params["text"]
    assert text.startswith("💡سوال مصاحبه: ")
    assert "\n🔵 " in text
    assert text.endswith("#Deep_Learning\n@data_fa | دیتاساینس فارسی")
    await channel.send_text(ADMIN, "/postnow quiz")
    second = one(await channel.scheduler_pass(), "sendPoll", CHANNEL["id"])
    assert second.params["question"].startswith("❓کوییز شماره ۹۷: ")
    assert second.params["question"] != first.params["question"].replace("۹۶", "۹۷")


async def test_schedule_in_chat_previews_then_posts_once_on_time(channel: InProcessBot) -> None:
    kinds = one(await channel.send_text(ADMIN, "/schedule"), "sendMessage")
    picked = await channel.press(ADMIN, channel.message_of(kinds), button_data(kinds, "کوییز"))
    when = one(picked, "sendMessage")
    timed = await channel.press(ADMIN, channel.message_of(when), button_data(when, "امروز ۱۸"))
    preview = one(timed, "sendPoll", ADMIN.id)
    assert preview.params["question"].startswith("❓کوییز شماره ۱: ")
    (confirm,) = [c for c in of(timed, "sendMessage") if "تأیید" in c.params["text"]]
    assert "۱۸:۰۰" in confirm.params["text"]
    done = await channel.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    assert any("زمان‌بندی شد" in c.params["text"] for c in of(done, "sendMessage"))
    assert "۱۸:۰۰" in await reply(channel, ADMIN, "/queue")

    assert await channel.tick() == 0  # not due yet (the clock says 11:30 in Tehran)
    channel.clock.now = datetime(2026, 11, 26, 14, 31, tzinfo=UTC)  # 18:01 Tehran
    since = channel.api.mark()
    assert await channel.tick() == 1
    assert await channel.tick() == 0  # never twice
    (post,) = channel_posts(channel.api.calls[since:])
    assert post.params["question"] == preview.params["question"]


async def test_results_show_what_the_channel_voted(channel: InProcessBot) -> None:
    await channel.send_text(ADMIN, "/postnow quiz fnd-linear-params-mnist")
    poll_id = channel.poll_id_of(one(await channel.scheduler_pass(), "sendPoll", CHANNEL["id"]))
    assert await channel.poll_results(poll_id, [21, 63, 11, 5]) == []
    assert await channel.poll_results(poll_id, [42, 126, 22, 10]) == []  # the latest counts
    text = await reply(channel, ADMIN, "/results")
    assert "❓کوییز شماره ۱: " in text
    options = [line for line in text.splitlines() if line.startswith("• ")]
    assert [line.rsplit(": ", 1)[1] for line in options] == ["۲۱٪", "۶۳٪ ✅", "۱۱٪", "۵٪"]
    assert "درست: ۶۳٪ از ۲۰۰ رأی" in text
