"""Learner commands, buttons and answers, handled in process: exactly what the bot sends back.

Each helper hands one update to the real application and returns the Bot API calls it made
while handling it, so each test checks the whole answer to an update (and that nothing else
was sent). Tests whose behaviour does not rest on SQL that differs between the backends run
on SQLite only; the rest (right or wrong worked out in SQL, dates, durations, streaks, the
unique answer) run on both.
"""

import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.models import (
    Audience,
    LearnerAnswer,
    Publication,
    Reminder,
    ReviewCard,
    TestSession,
)
from bot.persian import fa_number, jalali_date
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import Call, FakeUser
from tests.inprocess import InProcessBot, button_data, in_process_bot, methods, one

ALI = FakeUser(11_111_111, "Ali", "ali_learns")
SARA = FakeUser(22_222_222, "Sara", "sara_ml")
REZA = FakeUser(33_333_333, "Reza", "reza_dl")
CNN_QUESTIONS = {
    "یک Conv2d با ۳ کانال ورودی، ۱۶ فیلتر ۳×۳ و بایاس چند پارامتر داره؟",
    "Max Pooling ۲×۲ با گام ۲ روی نقشهٔ ۸×۸ چه اندازه‌ای می‌ده؟",
}
ADMIN_CHAT = {"id": -100_555, "type": "supergroup", "title": "admins"}

# For behaviour that rests on no SQL the two backends treat differently.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def reply(bot: InProcessBot, user: FakeUser, text: str) -> str:
    """The text of the one message, and nothing else, the bot answers `text` with."""
    calls = await bot.send_text(user, text)
    assert methods(calls) == ["sendMessage"], methods(calls)
    return str(calls[0].params["text"])


async def start_test(
    bot: InProcessBot, user: FakeUser, text: str, timer: str = "بدون زمان"
) -> list[Call]:
    """/test …, then a timer button under the offer: the calls of the press."""
    offer = one(await bot.send_text(user, text), "sendMessage")
    return await bot.press(user, bot.message_of(offer), button_data(offer, timer))


async def quiz_poll(bot: InProcessBot, user: FakeUser, text: str = "/quiz") -> str:
    """Ask for a single quiz; the id of its poll."""
    calls = await bot.send_text(user, text)
    assert methods(calls) == ["sendPoll"], methods(calls)
    return bot.poll_id_of(calls[0])


# --- /start, /help, the menu --------------------------------------------------------------


@sqlite_only
async def test_a_deep_link_to_a_quiz_welcomes_then_sends_the_quiz(inproc: InProcessBot) -> None:
    calls = await inproc.send_text(ALI, "/start quiz_cnn-params")
    assert methods(calls) == ["sendMessage", "sendPoll"]
    assert "کوییزبات" in calls[0].params["text"]
    assert calls[1].params["question"].startswith("یک Conv2d با ۳ کانال")


@sqlite_only
async def test_a_deep_link_to_an_interview_question_shows_it(inproc: InProcessBot) -> None:
    calls = await inproc.send_text(ALI, "/start interview_int-why-relu")
    assert methods(calls) == ["sendMessage", "sendMessage"]
    assert calls[1].shown == "💡سوال مصاحبه: چرا ReLU در لایه‌های پنهان رایج‌تر از سیگموید شده؟"
    assert [entity["type"] for entity in calls[1].entities] == ["bold"]


@sqlite_only
async def test_a_deep_link_to_a_missing_item_says_it_is_gone(inproc: InProcessBot) -> None:
    calls = await inproc.send_text(ALI, "/start quiz_no-such-quiz")
    assert methods(calls) == ["sendMessage", "sendMessage"]
    assert calls[1].params["text"] == "این مورد دیگه در دسترس نیست."


@sqlite_only
async def test_help_lists_the_commands(inproc: InProcessBot) -> None:
    text = await reply(inproc, SARA, "/help")
    for command in ("/quiz", "/test", "/interview", "/topics", "/review", "/me", "/forget"):
        assert command in text


@sqlite_only
async def test_menu_buttons_stand_for_their_commands(inproc: InProcessBot) -> None:
    poll = await inproc.send_text(SARA, "🎯 کوییز")
    assert methods(poll) == ["sendPoll"]
    assert poll[0].params["type"] == "quiz"
    assert (await reply(inproc, SARA, "📚 موضوع‌ها")).startswith("📚 موضوع‌ها")


@sqlite_only
async def test_an_unknown_command_gets_a_persian_hint(inproc: InProcessBot) -> None:
    assert (
        await reply(inproc, REZA, "/dance")
        == "این دستور رو نمی‌شناسم 🤔 برای دیدن دستورها /help رو بزن."
    )


@sqlite_only
async def test_free_text_points_to_the_menu(inproc: InProcessBot) -> None:
    assert (
        await reply(inproc, REZA, "سلام، چطوری؟")
        == "برای شروع یکی از دکمه‌های منو رو بزن یا /help رو ببین."
    )


# --- /quiz and answers --------------------------------------------------------------------


@sqlite_only
async def test_quiz_is_a_non_anonymous_quiz_poll_with_explanation(inproc: InProcessBot) -> None:
    calls = await inproc.send_text(ALI, "/quiz cnn")
    assert methods(calls) == ["sendPoll"]
    params = calls[0].params
    assert params["type"] == "quiz"
    assert params["is_anonymous"] is False
    assert params["question"] in CNN_QUESTIONS
    assert params["explanation"]
    assert len(params["correct_option_ids"]) == 1
    assert "correct_option_id" not in params


@sqlite_only
async def test_a_topic_can_be_named_by_its_persian_title(inproc: InProcessBot) -> None:
    poll = one(await inproc.send_text(ALI, "/quiz شبکه‌های کانولوشنی"), "sendPoll")
    assert poll.params["question"] in CNN_QUESTIONS


@sqlite_only
async def test_a_quiz_answer_is_recorded_and_needs_no_reply(inproc: InProcessBot) -> None:
    poll_id = await quiz_poll(inproc, ALI, "/quiz cnn")
    answered = await inproc.answer_poll(ALI, poll_id, inproc.correct_of(poll_id))
    assert answered == []  # Telegram shows right/wrong itself
    assert await inproc.count(LearnerAnswer) == 1


@sqlite_only
async def test_the_next_quiz_button_stays_in_the_topic(inproc: InProcessBot) -> None:
    poll = one(await inproc.send_text(ALI, "/quiz cnn"), "sendPoll")
    assert button_data(poll, "کوییز بعدی") == "q:cnn"
    poll_id = inproc.poll_id_of(poll)
    await inproc.answer_poll(ALI, poll_id, inproc.correct_of(poll_id))
    pressed = await inproc.press(ALI, inproc.poll_message(poll_id), button_data(poll, "بعدی"))
    assert methods(pressed) == ["sendPoll", "answerCallbackQuery"]
    assert pressed[0].params["question"] in CNN_QUESTIONS
    assert "text" not in pressed[1].params  # no alert, the spinner just stops


@sqlite_only
async def test_without_a_topic_the_next_button_covers_the_bank(inproc: InProcessBot) -> None:
    poll = one(await inproc.send_text(ALI, "/quiz"), "sendPoll")
    assert button_data(poll, "کوییز بعدی") == "q:*"


# Right or wrong is worked out in SQL (a bit mask of the right options): on both backends.
async def test_answers_record_right_and_wrong(inproc: InProcessBot) -> None:
    first = await quiz_poll(inproc, ALI)
    await inproc.answer_poll(ALI, first, inproc.correct_of(first))
    second = await quiz_poll(inproc, ALI)
    await inproc.answer_poll(ALI, second, [inproc.wrong_option(second)])
    async with inproc.runtime.sessions() as session:
        marks = (
            await session.scalars(select(LearnerAnswer.is_correct).order_by(LearnerAnswer.id))
        ).all()
    assert marks == [True, False]


async def test_no_quiz_repeats_until_the_topic_is_exhausted(inproc: InProcessBot) -> None:
    seen = []
    for _ in range(2):
        seen.append(one(await inproc.send_text(ALI, "/quiz cnn"), "sendPoll").params["question"])
        inproc.clock.advance(minutes=1)
    assert set(seen) == CNN_QUESTIONS  # two different quizzes, the whole topic
    again = await inproc.send_text(ALI, "/quiz cnn")
    assert methods(again) == ["sendMessage", "sendPoll"]
    assert (
        again[0].params["text"]
        == "همهٔ کوییزهای موضوع «شبکه‌های کانولوشنی» رو دیدی 👏 از اول مرورشون می‌کنیم."
    )
    assert again[1].params["question"] == seen[0]  # the one seen longest ago


@sqlite_only
async def test_a_private_quiz_is_recorded_under_the_learners_hash_without_a_chat_id(
    inproc: InProcessBot,
) -> None:
    await quiz_poll(inproc, ALI)
    async with inproc.runtime.sessions() as session:
        (publication,) = (await session.scalars(select(Publication))).all()
    assert publication.audience is Audience.PRIVATE
    assert publication.channel_id is None
    assert publication.learner_hash == inproc.runtime.person(ALI.id)


async def test_a_repeated_answer_update_is_recorded_once(inproc: InProcessBot) -> None:
    # In a test an answer brings the next quiz, so a duplicate handled twice would show.
    first = inproc.poll_id_of(one(await start_test(inproc, REZA, "/test cnn 2"), "sendPoll"))
    update = inproc.api.poll_answer_update(REZA, first, inproc.correct_of(first))
    second = inproc.poll_id_of(one(await inproc.process(update), "sendPoll"))
    # Telegram delivers the very same update again (e.g. after a lost confirmation).
    assert await inproc.process(update) == []
    async with inproc.runtime.sessions() as session:
        cards = (await session.scalars(select(ReviewCard))).all()
    assert [(card.learner_hash, card.reviews) for card in cards] == [
        (inproc.runtime.person(REZA.id), 1)  # FSRS saw one review, not two
    ]
    assert await inproc.count(LearnerAnswer) == 1
    ended = await inproc.answer_poll(REZA, second, [inproc.wrong_option(second)])
    assert "درست: ۱ از ۲ (۵۰٪)" in one(ended, "sendMessage").params["text"]


@sqlite_only
async def test_a_retracted_vote_removes_the_answer(inproc: InProcessBot) -> None:
    poll_id = await quiz_poll(inproc, REZA)
    await inproc.answer_poll(REZA, poll_id, inproc.correct_of(poll_id))
    assert await inproc.answer_poll(REZA, poll_id, []) == []
    assert await inproc.count(LearnerAnswer) == 0


@sqlite_only
async def test_an_answer_to_an_unknown_poll_is_ignored_with_a_log_line(
    inproc: InProcessBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.services")
    assert await inproc.answer_poll(REZA, "999999", [0]) == []
    assert any("unknown poll 999999" in record.getMessage() for record in caplog.records)
    assert await inproc.count(LearnerAnswer) == 0


async def vote(
    bot: InProcessBot, user: FakeUser, poll_id: str, option_ids: list[int]
) -> list[Call]:
    """`user` votes with any option ids, even ones no poll has (Telegram never sends those)."""
    update = bot.api.poll_answer_update(user, poll_id, [])
    update["poll_answer"]["option_ids"] = option_ids
    return await bot.process(update)


@pytest.mark.parametrize("option_ids", [[-1], [4], [31], [63], [2**70], [0, 99]])
async def test_an_answer_with_options_the_poll_does_not_have_is_ignored(
    inproc: InProcessBot, option_ids: list[int]
) -> None:
    poll_id = await quiz_poll(inproc, REZA, "/quiz cnn")
    assert len(inproc.api.polls[poll_id]["options"]) == 4
    assert await vote(inproc, REZA, poll_id, option_ids) == []  # no error reply either
    assert await inproc.count(LearnerAnswer) == 0
    assert await inproc.answer_poll(REZA, poll_id, inproc.correct_of(poll_id)) == []
    assert await inproc.count(LearnerAnswer) == 1


@sqlite_only
async def test_a_vote_in_someone_elses_forwarded_quiz_is_not_recorded(
    inproc: InProcessBot,
) -> None:
    poll_id = inproc.poll_id_of(one(await start_test(inproc, ALI, "/test cnn 2"), "sendPoll"))
    # Sara votes in Ali's forwarded poll: his test does not move on, she is sent nothing.
    assert await inproc.answer_poll(SARA, poll_id, inproc.correct_of(poll_id)) == []
    assert await inproc.count(LearnerAnswer) == 0
    asked = one(await inproc.send_text(ALI, "/forget"), "sendMessage")
    forgotten = await inproc.press(ALI, inproc.message_of(asked), "f:yes")
    assert methods(forgotten) == ["sendMessage", "answerCallbackQuery"]
    assert forgotten[0].params["text"] == "همهٔ داده‌هات پاک شد. اگه خواستی دوباره از /start شروع کن."


# --- /test -----------------------------------------------------------------------------------


async def test_a_test_numbers_its_quizzes_and_ends_with_a_score_card(inproc: InProcessBot) -> None:
    offer = one(await inproc.send_text(SARA, "/test cnn 2"), "sendMessage")
    assert offer.params["text"] == (
        "📝 آزمون ۲ سوالی موضوع «شبکه‌های کانولوشنی»: با زمان‌سنج یا بدون زمان؟"
    )
    started = await inproc.press(SARA, inproc.message_of(offer), button_data(offer, "بدون زمان"))
    assert methods(started) == ["editMessageText", "sendPoll", "answerCallbackQuery"]
    assert started[0].params["text"] == (
        "📝 آزمون ۲ سوالی موضوع «شبکه‌های کانولوشنی» شروع شد. موفق باشی!"
    )
    assert "reply_markup" not in inproc.message_of(offer)  # the timer buttons are gone
    first = started[1]
    assert first.params["question"].startswith("(۱/۲) ")
    assert "open_period" not in first.params
    first_id = inproc.poll_id_of(first)
    inproc.clock.advance(seconds=40)
    answered = await inproc.answer_poll(SARA, first_id, inproc.correct_of(first_id))
    assert methods(answered) == ["sendPoll"]
    second = answered[0]
    assert second.params["question"].startswith("(۲/۲) ")
    assert second.params["question"] != first.params["question"]  # no repeat within a test
    second_id = inproc.poll_id_of(second)
    inproc.clock.advance(seconds=32)
    ended = await inproc.answer_poll(SARA, second_id, [inproc.wrong_option(second_id)])
    assert methods(ended) == ["sendMessage"]
    card, share = ended[0].params["text"].split("\n\n🔗 ")
    assert card == (
        "🏁 کارنامهٔ آزمون\n\n"
        "درست: ۱ از ۲ (۵۰٪)\n"
        "نادرست: ۱\n"
        "زمان: ۱ دقیقه و ۱۲ ثانیه\n"
        "ضعیف‌ترین موضوع: شبکه‌های کانولوشنی (۱ از ۲)"
    )
    assert re.fullmatch(
        r"همین سوال‌ها برای یک دوست \(فقط نمره‌ها مقایسه می‌شن، نه اسم‌ها\):\n"
        r"https://t\.me/quizbot_test_bot\?start=test_[a-z2-9]{10}",
        share,
    )


@sqlite_only
async def test_a_test_larger_than_its_topic_is_shortened_with_a_notice(
    inproc: InProcessBot,
) -> None:
    calls = await inproc.send_text(SARA, "/test cnn ۱۰")
    assert methods(calls) == ["sendMessage", "sendMessage"]
    assert (
        calls[0].params["text"]
        == "برای موضوع «شبکه‌های کانولوشنی» فقط ۲ کوییز دارم؛ آزمون با همین تعداد برگزار می‌شه."
    )
    assert calls[1].params["text"].startswith("📝 آزمون ۲ سوالی")
    assert button_data(calls[1], "بدون زمان") == "tt:cnn:2:0"


@sqlite_only
async def test_a_test_size_out_of_range_is_explained(inproc: InProcessBot) -> None:
    assert (
        await reply(inproc, SARA, "/test cnn 99")
        == "تعداد سوال‌های آزمون باید بین ۱ و ۲۰ باشه؛ مثلاً /test cnn 10"
    )
    assert await inproc.count(TestSession) == 0


@sqlite_only
async def test_an_unknown_topic_offers_the_topics_there_are(inproc: InProcessBot) -> None:
    calls = await inproc.send_text(SARA, "/quiz astrology")
    assert methods(calls) == ["sendMessage"]
    assert calls[0].params["text"].startswith("موضوع «astrology» رو پیدا نکردم")
    assert button_data(calls[0], "شبکه‌های کانولوشنی") == "tp:cnn"


@pytest.mark.parametrize("command", ["/quiz", "/test", "/interview"])
@sqlite_only
async def test_an_overlong_unknown_topic_is_quoted_back_shortened(
    inproc: InProcessBot, command: str
) -> None:
    # A message can be 4096 characters long: quoted back whole, the topic would not fit.
    answer = await reply(inproc, SARA, f"{command} {'ب' * (4095 - len(command))}")
    assert answer.startswith("موضوع «ببب")
    assert "…» رو پیدا نکردم" in answer
    assert len(answer) < 400


# --- /interview and /topics -------------------------------------------------------------


@sqlite_only
async def test_an_interview_answer_is_revealed_by_its_button(inproc: InProcessBot) -> None:
    question = one(await inproc.send_text(SARA, "/interview cnn"), "sendMessage")
    assert question.shown == "💡سوال مصاحبه: فرق Max Pooling با کانولوشن گام‌دار چیه؟"
    pressed = await inproc.press(SARA, inproc.message_of(question), button_data(question, "پاسخ"))
    assert methods(pressed) == ["editMessageText", "answerCallbackQuery"]
    edited = pressed[0]
    assert edited.params["text"].endswith(
        "پاسخ نمونه:\n🔵 Max Pooling پارامتر یادگرفتنی نداره.\n"
        "🔵 کانولوشن گام‌دار یاد می‌گیره چه چیزی رو نگه داره.\n🔵 هر دو ابعاد مکانی رو کم می‌کنن."
    )
    assert "reply_markup" not in edited.params  # the button is gone
    assert "reply_markup" not in inproc.message_of(question)


@sqlite_only
async def test_an_answer_revealed_under_a_question_that_cannot_be_edited_comes_anew(
    inproc: InProcessBot,
) -> None:
    question = one(await inproc.send_text(REZA, "/interview cnn"), "sendMessage")
    message = inproc.message_of(question)
    del inproc.api.messages[(REZA.id, message["message_id"])]  # deleted, or too old
    pressed = await inproc.press(REZA, message, button_data(question, "پاسخ"))
    assert methods(pressed) == ["editMessageText", "sendMessage", "answerCallbackQuery"]
    assert "پاسخ نمونه:\n🔵 " in pressed[1].params["text"]
    assert "text" not in pressed[2].params


@sqlite_only
async def test_the_button_of_an_item_retired_meanwhile_says_it_is_gone(
    inproc: InProcessBot,
) -> None:
    question = one(await inproc.send_text(REZA, "/interview cnn"), "sendMessage")
    data = learner_bank_data()
    data["interview_questions"] = [
        q for q in data["interview_questions"] if q["id"] != "int-pooling"
    ]
    write_bank(inproc.content_dir, data)
    await inproc.sync_content()
    pressed = await inproc.press(REZA, inproc.message_of(question), button_data(question, "پاسخ"))
    assert methods(pressed) == ["answerCallbackQuery"]  # nothing edited
    assert pressed[0].params["text"] == "این مورد دیگه در دسترس نیست."


@sqlite_only
async def test_the_topics_menu_leads_to_a_quiz_of_the_topic(inproc: InProcessBot) -> None:
    menu = one(await inproc.send_text(SARA, "/topics"), "sendMessage")
    labels = [row[0]["text"] for row in menu.params["reply_markup"]["inline_keyboard"]]
    assert labels == ["توابع فعال‌سازی (۴ · ۱)", "شبکه‌های کانولوشنی (۲ · ۱)"]
    opened = await inproc.press(SARA, inproc.message_of(menu), "tp:cnn")
    assert methods(opened) == ["sendMessage", "answerCallbackQuery"]
    topic_menu = opened[0]
    assert topic_menu.params["text"] == "موضوع «شبکه‌های کانولوشنی»: چی می‌خوای؟"
    pressed = await inproc.press(
        SARA, inproc.message_of(topic_menu), button_data(topic_menu, "کوییز")
    )
    assert methods(pressed) == ["sendPoll", "answerCallbackQuery"]
    assert pressed[0].params["question"] in CNN_QUESTIONS


@pytest.mark.parametrize("data", ["q:../../etc", "zz:cnn", "", "a:" + "x" * 60, "q:CNN"])
@sqlite_only
async def test_tampered_button_data_is_refused_politely(inproc: InProcessBot, data: str) -> None:
    menu = one(await inproc.send_text(REZA, "/topics"), "sendMessage")
    pressed = await inproc.press(REZA, inproc.message_of(menu), data)
    assert methods(pressed) == ["answerCallbackQuery"]
    assert pressed[0].params["text"] == "این دکمه معتبر نیست."


# JSON can carry a lone UTF-16 surrogate as an escape; such text can be neither stored nor sent.
@pytest.mark.parametrize("text", ["/quiz \ud800", "سلام \udc00"])
@sqlite_only
async def test_text_that_is_not_unicode_gets_a_clear_answer(
    inproc: InProcessBot, text: str
) -> None:
    assert await reply(inproc, REZA, text) == (
        "این پیام نویسه‌هایی داره که نمی‌تونم بخونم؛ لطفاً دوباره بنویسش."
    )


@sqlite_only
async def test_a_button_or_vote_that_is_not_unicode_is_refused(inproc: InProcessBot) -> None:
    menu = one(await inproc.send_text(REZA, "/topics"), "sendMessage")
    pressed = await inproc.press(REZA, inproc.message_of(menu), "tp:\ud800")
    assert methods(pressed) == ["answerCallbackQuery"]
    assert pressed[0].params["text"] == "این دکمه معتبر نیست."
    assert await inproc.answer_poll(REZA, "5000\udbff", [0]) == []


# --- /review and /me ----------------------------------------------------------------------


@sqlite_only
async def test_review_before_any_answer_says_how_to_start(inproc: InProcessBot) -> None:
    assert (
        await reply(inproc, SARA, "/review")
        == "هنوز کوییزی جواب ندادی که مرور بخواد. با /quiz شروع کن."
    )


async def test_review_brings_back_a_mistake_within_minutes(inproc: InProcessBot) -> None:
    poll = one(await inproc.send_text(SARA, "/quiz cnn"), "sendPoll")
    poll_id = inproc.poll_id_of(poll)
    await inproc.answer_poll(SARA, poll_id, [inproc.wrong_option(poll_id)])
    inproc.clock.advance(minutes=2)  # FSRS brings a lapse back within minutes
    calls = await inproc.send_text(SARA, "/review")
    assert methods(calls) == ["sendMessage", "sendPoll"]
    assert calls[0].params["text"] == "🔁 مرور: ۱ سوال آماده داری."
    assert calls[1].params["question"] == poll.params["question"]


async def test_after_the_due_reviews_the_next_date_is_named(inproc: InProcessBot) -> None:
    poll_id = await quiz_poll(inproc, SARA, "/quiz cnn")
    await inproc.answer_poll(SARA, poll_id, [inproc.wrong_option(poll_id)])
    inproc.clock.advance(minutes=2)
    review_id = inproc.poll_id_of(one(await inproc.send_text(SARA, "/review"), "sendPoll"))
    done = await inproc.answer_poll(SARA, review_id, inproc.correct_of(review_id))
    async with inproc.runtime.sessions() as session:
        due_at = await session.scalar(select(ReviewCard.due_at))
    assert due_at is not None
    assert due_at > inproc.clock.now
    date = jalali_date(due_at, inproc.runtime.settings.tz)
    assert methods(done) == ["sendMessage"]
    assert done[0].params["text"] == f"مرورهای الان تموم شد ✨ مرور بعدی: {date}"
    assert await reply(inproc, SARA, "/review") == f"چیزی برای مرور نداری ✨ مرور بعدی: {date}"


@sqlite_only
async def test_me_before_any_answer_says_how_to_start(inproc: InProcessBot) -> None:
    assert await reply(inproc, SARA, "/me") == "هنوز به کوییزی جواب ندادی. با /quiz شروع کن!"


async def test_me_shows_totals_per_topic_and_streak_in_persian_digits(
    inproc: InProcessBot,
) -> None:
    for day, right in enumerate([True, False, True]):
        poll_id = await quiz_poll(inproc, SARA, "/quiz cnn" if day < 2 else "/quiz activations")
        options = inproc.correct_of(poll_id) if right else [inproc.wrong_option(poll_id)]
        await inproc.answer_poll(SARA, poll_id, options)
        if day < 2:
            inproc.clock.advance(days=1)
    assert await reply(inproc, SARA, "/me") == (
        "📊 پیشرفت تو\n\n"
        "پاسخ‌ها: ۳ — درست: ۲ (۶۷٪)\n"
        "زنجیرهٔ روزانه: ۳ روز\n"
        "مرورهای آماده: ۲\n"
        "\nبه تفکیک موضوع:\n"
        "• توابع فعال‌سازی: ۱ از ۱ (۱۰۰٪)\n"
        "• شبکه‌های کانولوشنی: ۱ از ۲ (۵۰٪)"
    )


# --- /forget --------------------------------------------------------------------------------


async def answered_quiz_and_test(bot: InProcessBot, user: FakeUser) -> None:
    """Something of every kind to forget: an answer, its review card, a test under way."""
    poll_id = await quiz_poll(bot, user)
    await bot.answer_poll(user, poll_id, bot.correct_of(poll_id))
    one(await start_test(bot, user, "/test cnn 1"), "sendPoll")
    await reply(bot, user, "/remind ۲۱")


@sqlite_only
async def test_forget_answered_no_deletes_nothing(inproc: InProcessBot) -> None:
    await answered_quiz_and_test(inproc, SARA)
    ask = one(await inproc.send_text(SARA, "/forget"), "sendMessage")
    pressed = await inproc.press(SARA, inproc.message_of(ask), button_data(ask, "نه"))
    assert methods(pressed) == ["sendMessage", "answerCallbackQuery"]
    assert pressed[0].params["text"] == "باشه، چیزی پاک نشد."
    assert await inproc.count(LearnerAnswer) == 1


@sqlite_only
async def test_forget_buttons_pressed_after_no_say_the_conversation_is_over(
    inproc: InProcessBot,
) -> None:
    await answered_quiz_and_test(inproc, SARA)
    ask = one(await inproc.send_text(SARA, "/forget"), "sendMessage")
    await inproc.press(SARA, inproc.message_of(ask), button_data(ask, "نه"))
    stale = await inproc.press(SARA, inproc.message_of(ask), button_data(ask, "بله"))
    assert methods(stale) == ["answerCallbackQuery"]
    assert stale[0].params["text"].startswith("این گفتگو تموم شده")
    assert await inproc.count(LearnerAnswer) == 1


async def test_forget_answered_yes_deletes_everything(inproc: InProcessBot) -> None:
    await answered_quiz_and_test(inproc, SARA)
    ask = one(await inproc.send_text(SARA, "/forget"), "sendMessage")
    pressed = await inproc.press(SARA, inproc.message_of(ask), button_data(ask, "بله"))
    assert methods(pressed) == ["sendMessage", "answerCallbackQuery"]
    assert pressed[0].params["text"].startswith("همهٔ داده‌هات پاک شد")
    for model in (LearnerAnswer, ReviewCard, Publication, TestSession, Reminder):
        assert await inproc.count(model) == 0, model.__name__
    assert (await reply(inproc, SARA, "/me")).startswith("هنوز به کوییزی جواب ندادی")


async def test_a_quiz_asked_while_forget_waits_for_its_answer_leaves_the_question_open(
    inproc: InProcessBot,
) -> None:
    await answered_quiz_and_test(inproc, SARA)
    ask = one(await inproc.send_text(SARA, "/forget"), "sendMessage")
    one(await inproc.send_text(SARA, "/quiz"), "sendPoll")
    pressed = await inproc.press(SARA, inproc.message_of(ask), button_data(ask, "بله"))
    assert pressed[0].params["text"].startswith("همهٔ داده‌هات پاک شد")
    for model in (LearnerAnswer, ReviewCard, Publication, TestSession, Reminder):
        assert await inproc.count(model) == 0, model.__name__


# --- Telegram refusing the bot ------------------------------------------------------------


@pytest.fixture
async def with_admin_chat(tmp_path: Path, sample_bank_url: str) -> AsyncIterator[InProcessBot]:
    """The bot in process with an admin chat for error reports."""
    content = write_bank(tmp_path / "content", learner_bank_data())
    async with in_process_bot(sample_bank_url, content, admin_chat_id=ADMIN_CHAT["id"]) as bot:
        bot.api.chats[ADMIN_CHAT["id"]] = ADMIN_CHAT
        yield bot


@sqlite_only
async def test_a_learner_who_blocked_the_bot_causes_no_error_report(
    with_admin_chat: InProcessBot,
) -> None:
    bot = with_admin_chat
    bot.api.fail_next("sendMessage", 403)
    refused = await bot.send_text(REZA, "/help")
    assert methods(refused) == ["sendMessage"]  # the refused attempt only: no retry, no report
    assert refused[0].result is None
    assert "/quiz" in await reply(bot, REZA, "/help")  # the bot is still serving


# --- timed tests, shared tests, review reminders ------------------------------------------


@sqlite_only
async def test_a_timed_test_moves_on_when_time_runs_out_and_counts_it_unanswered(
    inproc: InProcessBot,
) -> None:
    started = await start_test(inproc, SARA, "/test cnn 2", timer="۳۰ ثانیه")
    assert methods(started) == ["editMessageText", "sendPoll", "answerCallbackQuery"]
    assert started[0].params["text"] == (
        "📝 آزمون ۲ سوالی موضوع «شبکه‌های کانولوشنی» شروع شد (⏱ ۳۰ ثانیه برای هر سوال). موفق باشی!"
    )
    first = started[1]
    assert first.params["open_period"] == 30  # Telegram closes the poll itself
    inproc.clock.advance(seconds=20)
    assert await inproc.timed_tests_pass() == []  # time is not up yet
    inproc.clock.advance(seconds=13)
    second = one(await inproc.timed_tests_pass(), "sendPoll", SARA.id)
    assert second.params["question"].startswith("(۲/۲) ")
    assert second.params["open_period"] == 30
    # An answer to the first question arriving now is too late: it changes nothing.
    first_id = inproc.poll_id_of(first)
    assert await inproc.answer_poll(SARA, first_id, inproc.correct_of(first_id)) == []
    inproc.clock.advance(seconds=33)
    ended = await inproc.timed_tests_pass()
    card = one(ended, "sendMessage", SARA.id)
    assert card.params["text"].startswith(
        "🏁 کارنامهٔ آزمون\n\n"
        "درست: ۰ از ۲ (۰٪)\n"
        "نادرست: ۰ · بی‌پاسخ (وقتش تموم شد): ۲\n"
        "زمان: ۱ دقیقه و ۶ ثانیه\n\n🔗 "  # no "all right" line: nothing was answered
    )
    assert methods(ended) == ["sendMessage"]
    assert await inproc.timed_tests_pass() == []  # settled once
    assert await inproc.count(LearnerAnswer) == 0


@sqlite_only
async def test_a_timed_test_whose_learner_blocked_the_bot_stops_and_forgets_the_chat(
    inproc: InProcessBot,
) -> None:
    one(await start_test(inproc, REZA, "/test cnn 2", timer="۶۰ ثانیه"), "sendPoll")
    inproc.api.block(REZA)
    inproc.clock.advance(seconds=63)
    refused = one(await inproc.timed_tests_pass(), "sendPoll", REZA.id)
    assert refused.result is None  # 403
    async with inproc.runtime.sessions() as session:
        test = await session.scalar(select(TestSession))
    assert test is not None
    assert (test.sealed_chat, test.deadline) == (None, None)
    inproc.clock.advance(seconds=63)
    assert await inproc.timed_tests_pass() == []


def share_code(card: Call) -> str:
    """The code of the shared-test link a score card offers."""
    found = re.search(r"\?start=test_([a-z2-9]{10})$", card.params["text"])
    assert found is not None, card.params["text"]
    return found.group(1)


@sqlite_only
async def test_a_shared_link_gives_a_friend_the_same_questions_and_a_comparison(
    inproc: InProcessBot,
) -> None:
    poll = one(await start_test(inproc, SARA, "/test activations 2"), "sendPoll")
    questions = [poll.params["question"]]
    poll_id = inproc.poll_id_of(poll)
    poll = one(await inproc.answer_poll(SARA, poll_id, inproc.correct_of(poll_id)), "sendPoll")
    questions.append(poll.params["question"])
    poll_id = inproc.poll_id_of(poll)
    card = one(await inproc.answer_poll(SARA, poll_id, inproc.correct_of(poll_id)), "sendMessage")
    code = share_code(card)
    share_url = card.params["reply_markup"]["inline_keyboard"][1][0]["url"]
    assert share_url.startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fquizbot_test_bot")

    opened = await inproc.send_text(ALI, f"/start test_{code}")
    assert methods(opened) == ["sendMessage", "sendMessage", "sendPoll"]
    assert opened[1].params["text"] == (
        "📝 آزمونی که برات فرستادن: ۲ سوال، همون سوال‌ها به همون ترتیب. موفق باشی!"
    )
    friend = [opened[2].params["question"]]
    poll_id = inproc.poll_id_of(opened[2])
    poll = one(await inproc.answer_poll(ALI, poll_id, [inproc.wrong_option(poll_id)]), "sendPoll")
    friend.append(poll.params["question"])
    assert friend == questions  # the same questions in the same order
    poll_id = inproc.poll_id_of(poll)
    ended = await inproc.answer_poll(ALI, poll_id, [inproc.wrong_option(poll_id)])
    text = one(ended, "sendMessage").params["text"]
    assert (
        "\n\nشما ۰ از ۲ — کسی که لینک رو فرستاده ۲ از ۲\nهنوز کس دیگه‌ای با این لینک آزمون نداده."
        in text
    )
    assert share_code(one(ended, "sendMessage")) == code  # Ali can pass on the same link

    compared = await inproc.press(SARA, inproc.message_of(card), f"sr:{code}")
    assert methods(compared) == ["sendMessage", "answerCallbackQuery"]
    assert compared[0].params["text"] == (
        "📊 نتیجهٔ این آزمون مشترک\n\nنمرهٔ خودت: ۲ از ۲\n"
        "۱ نفر دیگه هم این آزمون رو دادن؛ میانهٔ نمره‌ها: ۰ از ۲، بهترین: ۰"
    )
    for payload in ("test_zzzzzzzzzz", "test_../../x", f"test_{code.upper()}"):
        unknown = await inproc.send_text(REZA, f"/start {payload}")
        assert methods(unknown) == ["sendMessage", "sendMessage"]
        assert unknown[1].params["text"].startswith("این لینک آزمون معتبر نیست")


@sqlite_only
async def test_remind_sets_an_hour_by_button_shows_it_and_turns_off(inproc: InProcessBot) -> None:
    panel = one(await inproc.send_text(SARA, "/remind"), "sendMessage")
    assert panel.params["text"].startswith("⏰ یادآور مرور خاموشه.")
    rows = panel.params["reply_markup"]["inline_keyboard"]
    assert [button["text"] for row in rows for button in row] == [
        fa_number(hour) for hour in range(24)
    ]
    pressed = await inproc.press(SARA, inproc.message_of(panel), button_data(panel, "۲۱"))
    assert methods(pressed) == ["editMessageText", "answerCallbackQuery"]
    assert pressed[0].params["text"] == (
        "✅ هر روز ساعت ۲۱:۰۰ به وقت تهران، اگه مروری آماده باشه، یادت می‌ندازم."
    )
    for typed in ("یادآور", "⏰ یادآور"):  # a Persian word, the menu button
        shown = one(await inproc.send_text(SARA, typed), "sendMessage")
        assert shown.params["text"].startswith("⏰ یادآور مرور: روشن، هر روز ساعت ۲۱:۰۰")
        assert button_data(shown, "✅ ۲۱") == "rm:21"
        assert button_data(shown, "خاموش") == "rm:*"
    assert await reply(inproc, SARA, "/remind ۹ صبح") == (
        "✅ هر روز ساعت ۹:۰۰ به وقت تهران، اگه مروری آماده باشه، یادت می‌ندازم."
    )
    refused = await reply(inproc, SARA, "/remind 9:30")
    assert refused.startswith("«9:30» رو به‌عنوان ساعت نفهمیدم")
    assert await reply(inproc, SARA, "/remind خاموش") == "🔕 یادآور مرور خاموش شد."
    assert await inproc.count(Reminder) == 0


@sqlite_only
async def test_a_reminder_comes_at_its_hour_and_one_who_blocked_the_bot_is_switched_off(
    inproc: InProcessBot,
) -> None:
    for user in (ALI, SARA):
        poll_id = await quiz_poll(inproc, user, "/quiz cnn")
        await inproc.answer_poll(user, poll_id, [inproc.wrong_option(poll_id)])
        await reply(inproc, user, "/remind ۲۱")
    inproc.clock.now = datetime(2026, 11, 26, 21, 0, tzinfo=ZoneInfo("Asia/Tehran"))
    inproc.api.block(SARA)
    calls = await inproc.reminders_pass()
    assert sorted(int(call.params["chat_id"]) for call in calls) == [ALI.id, SARA.id]
    refused = one(calls, "sendMessage", SARA.id)
    assert refused.result is None  # 403: bot was blocked by the user
    reminder = one(calls, "sendMessage", ALI.id)
    assert reminder.params["text"] == "🔔 وقت مروره! ۱ سوال برای مرور آماده داری."
    assert await inproc.count(Reminder) == 1  # Sara's is switched off, Ali's stays
    review = await inproc.press(ALI, inproc.message_of(reminder), "rv")
    assert methods(review) == ["sendMessage", "sendPoll", "answerCallbackQuery"]
    assert review[0].params["text"] == "🔁 مرور: ۱ سوال آماده داری."
    inproc.clock.advance(minutes=30)
    assert await inproc.reminders_pass() == []  # one a day
