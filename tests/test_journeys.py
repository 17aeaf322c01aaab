"""Learner journeys with the real bot polling the fake Bot API over HTTP.

Most behaviour is tested in process (tests/test_*_handlers.py), where each update's calls are
read directly. These few stay over HTTP because what they check lives in what the in-process
harness leaves out: the bot's own long polling (`bot/polling.py`: the update types it asks for,
updates handled one after another as they arrive and confirmed only once handled, one it cannot
read skipped, a restart with polls still open), PTB's HTTP client and its real waits (a server
error retried after a pause, flood control waited out, a slow answer within the read timeout,
retries exhausted), and a demo run in a worker process. Each takes about a second. They run on
SQLite: what the backends do differently is tested on both by the service and handler tests,
and these journeys are about the transport.

The bot handles updates one at a time, in order, so `Harness.caught_up` (a /help and its
answer) tells when everything sent before it has been handled: nothing here sleeps.
"""

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from bot import texts
from bot.db.models import (
    Base,
    LearnerAnswer,
    Publication,
    Reminder,
    ReviewCard,
    TestSession,
)
from bot.demos_runner.local import LocalRunner
from bot.handlers.learning.jobs import run_reminders
from bot.persian import jalali_date
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import Call, FakeUser
from tests.harness import Harness, answer, answer_then, button_data, running_harness, wrong_option

ALI = FakeUser(11_111_111, "Ali", "ali_learns")
SARA = FakeUser(22_222_222, "Sara", "sara_ml")
REZA = FakeUser(33_333_333, "Reza", "reza_dl")
NEDA = FakeUser(987_654_321, "Nedaxyz", "neda_private_handle")
LEILA = FakeUser(66_666_666, "Leila")
CNN_QUESTIONS = {
    "یک Conv2d با ۳ کانال ورودی، ۱۶ فیلتر ۳×۳ و بایاس چند پارامتر داره؟",
    "Max Pooling ۲×۲ با گام ۲ روی نقشهٔ ۸×۸ چه اندازه‌ای می‌ده؟",
}
TEHRAN = ZoneInfo("Asia/Tehran")
SORRY = "⚠️ الان نتونستم انجامش بدم؛ چند لحظه بعد دوباره امتحان کن."

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


# --- polling ----------------------------------------------------------------------------


async def test_start_shows_the_menu_registers_persian_commands_and_asks_for_poll_answers(
    harness: Harness,
) -> None:
    call = await harness.say(ALI, "/start")
    assert "کوییزبات" in call.params["text"]
    rows = [[button["text"] for button in row] for row in call.params["reply_markup"]["keyboard"]]
    assert ["🎯 کوییز", "📝 آزمون"] in rows
    # Telegram remembers the list a bot last polled with; without these no answer arrives.
    assert {"poll", "poll_answer", "my_chat_member"} <= set(harness.api.allowed_updates or [])
    descriptions = {c["command"]: c["description"] for c in harness.api.commands}
    assert descriptions["quiz"] == "یک کوییز تصادفی یا از یک موضوع"
    assert set(descriptions) == {
        "start",
        "demo",
        "quiz",
        "test",
        "interview",
        "topics",
        "review",
        "me",
        "remind",
        "forget",
        "help",
    }


async def test_a_quiz_answered_then_the_next_one_of_the_topic(harness: Harness) -> None:
    poll_id, call = await harness.poll_for(ALI, "/quiz cnn")
    assert call.params["question"] in CNN_QUESTIONS
    since = harness.api.mark()
    await answer(harness, ALI, poll_id, harness.correct_of(poll_id))
    assert harness.api.texts_to(ALI.id, since) == [texts.HELP]  # no reply to the answer
    assert await harness.count(LearnerAnswer) == 1
    since = harness.api.mark()
    await harness.api.press(ALI, harness.poll_message(poll_id), button_data(call, "بعدی"))
    poll = await harness.api.wait_for("sendPoll", since=since)
    assert poll.params["question"] == (CNN_QUESTIONS - {call.params["question"]}).pop()
    acknowledged = await harness.api.wait_for("answerCallbackQuery", since=since)
    assert "text" not in acknowledged.params


async def start_test(harness: Harness, user: FakeUser, text: str) -> Call:
    """/test …, then "no timer" under the offer; the first quiz's sendPoll."""
    offer = await harness.say(user, text)
    since = harness.api.mark()
    await harness.api.press(user, harness.message_of(offer), button_data(offer, "بدون زمان"))
    return await harness.api.wait_for("sendPoll", since=since)


async def test_a_test_runs_from_its_first_quiz_to_its_score_card(harness: Harness) -> None:
    since = harness.api.mark()
    first = await start_test(harness, SARA, "/test cnn 2")
    start = await harness.api.wait_for("editMessageText", since=since)
    assert start.params["text"] == "📝 آزمون ۲ سوالی موضوع «شبکه‌های کانولوشنی» شروع شد. موفق باشی!"
    assert first.params["question"].startswith("(۱/۲) ")
    first_id = harness.poll_id_of(first)
    harness.clock.advance(seconds=40)
    second = await answer_then(
        harness, SARA, first_id, harness.correct_of(first_id), expect="sendPoll"
    )
    assert second.params["question"].startswith("(۲/۲) ")
    second_id = harness.poll_id_of(second)
    harness.clock.advance(seconds=32)
    card = await answer_then(harness, SARA, second_id, [wrong_option(harness, second_id)])
    assert card.params["text"].startswith(
        "🏁 کارنامهٔ آزمون\n\n"
        "درست: ۱ از ۲ (۵۰٪)\n"
        "نادرست: ۱\n"
        "زمان: ۱ دقیقه و ۱۲ ثانیه\n"
        "ضعیف‌ترین موضوع: شبکه‌های کانولوشنی (۱ از ۲)\n\n🔗 "
    )


async def test_a_mistake_comes_back_for_review_and_then_the_next_date_is_named(
    harness: Harness,
) -> None:
    poll_id, first = await harness.poll_for(SARA, "/quiz cnn")
    await answer(harness, SARA, poll_id, [wrong_option(harness, poll_id)])
    harness.clock.advance(minutes=2)  # FSRS brings a lapse back within minutes
    since = harness.api.mark()
    await harness.api.send_text(SARA, "/review")
    header = await harness.api.wait_for("sendMessage", since=since)
    assert header.params["text"] == "🔁 مرور: ۱ سوال آماده داری."
    review = await harness.api.wait_for("sendPoll", since=since)
    assert review.params["question"] == first.params["question"]
    review_id = harness.poll_id_of(review)
    done = await answer_then(harness, SARA, review_id, harness.correct_of(review_id))
    assert harness.runtime is not None
    async with harness.runtime.sessions() as session:
        due_at = await session.scalar(select(ReviewCard.due_at))
    assert due_at is not None
    date = jalali_date(due_at, harness.runtime.settings.tz)
    assert done.params["text"] == f"مرورهای الان تموم شد ✨ مرور بعدی: {date}"


async def test_forget_asks_first_then_deletes_everything(harness: Harness) -> None:
    poll_id, _ = await harness.poll_for(SARA, "/quiz")
    await answer(harness, SARA, poll_id, harness.correct_of(poll_id))
    await start_test(harness, SARA, "/test cnn 1")
    ask = await harness.say(SARA, "/forget")
    since = harness.api.mark()
    await harness.api.press(SARA, harness.message_of(ask), button_data(ask, "بله"))
    done = await harness.api.wait_for("sendMessage", since=since)
    assert done.params["text"].startswith("همهٔ داده‌هات پاک شد")
    for model in (LearnerAnswer, ReviewCard, Publication, TestSession):
        assert await harness.count(model) == 0, model.__name__
    me = await harness.say(SARA, "/me")
    assert me.params["text"].startswith("هنوز به کوییزی جواب ندادی")


async def test_answers_survive_a_restart_and_so_do_polls_sent_before_it(
    harness: Harness,
) -> None:
    poll_id, _ = await harness.poll_for(SARA, "/quiz")
    await answer(harness, SARA, poll_id, harness.correct_of(poll_id))
    await harness.restart()
    me = await harness.say(SARA, "/me")
    assert "پاسخ‌ها: ۱ — درست: ۱ (۱۰۰٪)" in me.params["text"]
    # A poll sent before the restart is still known after it.
    second_id, _ = await harness.poll_for(SARA, "/quiz")
    await harness.restart()
    await answer(harness, SARA, second_id, harness.correct_of(second_id))
    me = await harness.say(SARA, "/me")
    assert "پاسخ‌ها: ۲ — درست: ۲ (۱۰۰٪)" in me.params["text"]


# --- polling: what Telegram is told we have ---------------------------------------------------


async def test_an_update_is_confirmed_to_telegram_only_once_it_is_handled(
    harness: Harness,
) -> None:
    harness.api.fail_next("sendMessage", 200, delay=1.0)  # the handler is still at work
    await harness.api.send_text(REZA, "/help")
    (pending,) = harness.api.unconfirmed()
    await harness.api.wait_for("sendMessage")
    # Mid-handling: were the bot killed now, Telegram would send the update again.
    assert pending in harness.api.unconfirmed()
    await harness.caught_up(REZA)
    assert pending not in harness.api.unconfirmed()


async def test_an_update_the_library_cannot_read_is_skipped_and_the_rest_handled(
    harness: Harness,
) -> None:
    # A command entity without its length: PTB raises on it. Its updater would fetch the
    # same batch again and again and handle nothing more.
    unreadable = await harness.api.push_raw(
        {
            "message": {
                "message_id": 9_999,
                "date": 1,
                "chat": REZA.private_chat(),
                "from": REZA.as_json(),
                "text": "/quiz",
                "entities": [{"type": "bot_command", "offset": 0}],
            }
        }
    )
    answered = await harness.caught_up(REZA)
    assert answered.params["text"] == texts.HELP
    await harness.caught_up(REZA)  # the poll that brought this /help confirmed all before it
    assert harness.api.confirmed_below > unreadable["update_id"]  # not fetched again
    assert harness.api.calls_of("sendPoll") == []  # nor half-handled


async def test_a_vote_under_a_name_no_database_holds_is_refused_and_the_next_one_stored(
    harness: Harness,
) -> None:
    # JSON can carry a lone UTF-16 surrogate as an escape. A vote is taken from Telegram's
    # JSON before PTB parses it, but not one carrying such text: PTB's guard refuses that.
    poll_id, _call = await harness.poll_for(ALI, "/quiz cnn")
    unreadable = FakeUser(ALI.id, "علی \ud800", ALI.username)
    await answer(harness, unreadable, poll_id, harness.correct_of(poll_id))
    assert await harness.count(LearnerAnswer) == 0
    await answer(harness, ALI, poll_id, harness.correct_of(poll_id))
    assert await harness.count(LearnerAnswer) == 1


# --- the Bot API failing or slow ------------------------------------------------------------


async def test_a_server_error_is_retried_and_the_quiz_still_arrives(harness: Harness) -> None:
    harness.api.fail_next("sendPoll", 502)
    since = harness.api.mark()
    await harness.api.send_text(REZA, "/quiz")
    failed = await harness.api.wait_for("sendPoll", since=since)
    retried = await harness.api.wait_for("sendPoll", since=failed.index + 1)
    assert retried.params["question"] == failed.params["question"]
    poll_id = harness.poll_id_of(retried)
    await answer(harness, REZA, poll_id, harness.correct_of(poll_id))
    assert harness.api.texts_to(REZA.id, since) == [texts.HELP]  # no apology: it worked
    assert await harness.count(Publication) == 1  # the failed attempt recorded nothing
    assert await harness.count(LearnerAnswer) == 1


async def test_flood_control_is_waited_out_and_the_message_delivered(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 429, retry_after=1)
    since = harness.api.mark()
    await harness.api.send_text(REZA, "/help")
    refused = await harness.api.wait_for("sendMessage", since=since)
    delivered = await harness.api.wait_for("sendMessage", since=refused.index + 1)
    assert delivered.params["text"] == refused.params["text"] == texts.HELP
    await harness.caught_up(REZA)
    assert harness.api.texts_to(REZA.id, since) == [texts.HELP] * 3  # no apology either


async def test_a_slow_api_answer_still_completes(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 200, delay=1.5)  # within PTB's 5 s read timeout
    since = harness.api.mark()
    await harness.say(REZA, "/help")
    await harness.caught_up(REZA)
    # Had the slow answer timed out, the learner would have been told to try again.
    assert harness.api.texts_to(REZA.id, since) == [texts.HELP, texts.HELP]


ADMIN_CHAT = {"id": -100_555, "type": "supergroup", "title": "admins"}


@pytest.fixture
async def with_admin_chat(tmp_path: Path, sample_bank_url: str) -> AsyncIterator[Harness]:
    """A running bot that reports errors to an admin chat."""
    content = write_bank(tmp_path / "content", learner_bank_data())
    async with running_harness(sample_bank_url, content, admin_chat_id=ADMIN_CHAT["id"]) as harness:
        harness.api.chats[ADMIN_CHAT["id"]] = ADMIN_CHAT
        yield harness


async def test_a_lasting_failure_is_reported_to_the_learner_and_the_admin_chat(
    with_admin_chat: Harness,
) -> None:
    harness = with_admin_chat
    for _ in range(3):
        harness.api.fail_next("sendPoll", 500)
    since = harness.api.mark()
    await harness.api.send_text(REZA, "/quiz")
    sorry = await harness.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == REZA.id, since=since
    )
    assert sorry.params["text"] == SORRY
    report = await harness.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == ADMIN_CHAT["id"], since=since
    )
    assert report.params["text"].startswith("⚠️ خطا در پردازش یک آپدیت (message):")
    assert str(REZA.id) not in report.params["text"]
    assert len(harness.api.calls_of("sendPoll", since)) == 3  # every attempt, then it gave up
    assert await harness.count(Publication) == 0


async def test_a_vote_that_cannot_be_stored_is_told_to_the_learner_and_the_admin_chat(
    with_admin_chat: Harness,
) -> None:
    # A vote is taken from Telegram's JSON before PTB parses it (bot/dispatch.py); when its
    # batch fails, the update is parsed then and reported as any other update's failure.
    harness = with_admin_chat
    poll_id, _call = await harness.poll_for(ALI, "/quiz cnn")
    assert harness.runtime is not None
    async with harness.runtime.sessions.begin() as session:
        await session.execute(text("DROP TABLE review_cards"))  # every batch's SELECT reads it
    since = harness.api.mark()
    await harness.api.answer_poll(ALI, poll_id, harness.correct_of(poll_id))
    sorry = await harness.api.wait_for("sendMessage", lambda p: p["chat_id"] == ALI.id, since=since)
    assert sorry.params["text"] == SORRY
    report = await harness.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == ADMIN_CHAT["id"], since=since
    )
    assert report.params["text"].startswith("⚠️ خطا در پردازش یک آپدیت (poll_answer):")
    assert str(ALI.id) not in report.params["text"]
    assert await harness.count(LearnerAnswer) == 0


# --- privacy --------------------------------------------------------------------------------


async def test_after_a_full_session_no_table_holds_the_learners_id_or_name(
    harness: Harness,
) -> None:
    await harness.say(NEDA, "/start")
    poll_id, _ = await harness.poll_for(NEDA, "/quiz")
    await answer(harness, NEDA, poll_id, [wrong_option(harness, poll_id)])
    first = await start_test(harness, NEDA, "/test activations 2")
    first_id = harness.poll_id_of(first)
    second = await answer_then(
        harness, NEDA, first_id, harness.correct_of(first_id), expect="sendPoll"
    )
    await answer_then(harness, NEDA, harness.poll_id_of(second), [0])
    question = await harness.say(NEDA, "/interview")
    since = harness.api.mark()
    await harness.api.press(NEDA, harness.message_of(question), button_data(question, "پاسخ"))
    await harness.api.wait_for("editMessageText", since=since)
    harness.clock.advance(minutes=5)
    review = await harness.say(NEDA, "/review", expect="sendPoll")
    await harness.api.answer_poll(NEDA, harness.poll_id_of(review), [1])
    await harness.say(NEDA, "/me", where=lambda p: "پیشرفت" in p["text"])
    await harness.say(NEDA, "/remind ۲۱")  # her chat is kept for it, sealed

    secrets = [str(NEDA.id), NEDA.username, NEDA.first_name]
    assert harness.runtime is not None
    found = []
    scanned = 0
    async with harness.runtime.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                scanned += 1
                for column, value in zip(table.columns, row, strict=True):
                    text = str(value)
                    found += [(table.name, column.name) for s in secrets if s and s in text]
    assert scanned > 20  # the session really wrote answers, cards, publications, tests
    assert found == []
    async with harness.runtime.sessions() as session:
        sealed = await session.scalar(select(Reminder.sealed_chat))
    assert sealed is not None
    assert harness.runtime.sealer.unseal(sealed) == NEDA.id  # opens only with the bot's key


# --- review reminders -------------------------------------------------------------------------


async def test_a_learner_with_due_reviews_is_reminded_once_at_the_chosen_hour(
    harness: Harness,
) -> None:
    """Over HTTP: the job's pass sends through PTB's client; the reminder's button is pressed."""
    poll_id, quiz = await harness.poll_for(LEILA, "/quiz cnn")
    await answer(harness, LEILA, poll_id, [wrong_option(harness, poll_id)])
    panel = await harness.say(LEILA, "/remind")
    since = harness.api.mark()
    await harness.api.press(LEILA, harness.message_of(panel), button_data(panel, "۲۱"))
    await harness.api.wait_for("editMessageText", since=since)
    await harness.say(REZA, "/remind ۲۱")  # nothing to review: he is not reminded
    app, runtime = harness.app, harness.runtime
    assert app is not None
    assert runtime is not None

    async def reminders_at(hour: int, minute: int, day: int = 26) -> list[Call]:
        harness.clock.now = datetime(2026, 11, day, hour, minute, tzinfo=TEHRAN)
        since = harness.api.mark()
        await run_reminders(app.bot, runtime)
        return harness.api.calls_of("sendMessage", since)

    assert await reminders_at(20, 59) == []
    (reminder,) = await reminders_at(21, 0)
    assert int(reminder.params["chat_id"]) == LEILA.id
    assert reminder.params["text"] == "🔔 وقت مروره! ۱ سوال برای مرور آماده داری."
    assert await reminders_at(21, 30) == []  # one a day
    since = harness.api.mark()
    message = harness.api.messages[(LEILA.id, reminder.result["message_id"])]
    await harness.api.press(LEILA, message, button_data(reminder, "شروع مرور"))
    review = await harness.api.wait_for("sendPoll", since=since)
    assert review.params["question"] == quiz.params["question"]


# --- a demo in a worker ---------------------------------------------------------------------


@pytest.fixture
async def demo_bot(tmp_path: Path, sample_bank_url: str) -> AsyncIterator[Harness]:
    """A running bot with a local worker process for demos."""
    runner = LocalRunner(concurrency=1, timeout=120)
    content = write_bank(tmp_path / "content", learner_bank_data())
    try:
        async with running_harness(sample_bank_url, content, demo_runner=runner) as harness:
            yield harness
    finally:
        await runner.close()


async def test_a_demo_runs_in_a_worker_and_sends_its_plot_then_serves_it_from_the_cache(
    demo_bot: Harness,
) -> None:
    harness = demo_bot
    small = "samples=40 steps=20 seeds=1"
    since = harness.api.mark()
    await harness.api.send_text(LEILA, f"/demo letters {small}")
    queued = await harness.api.wait_for("sendMessage", since=since)
    assert queued.params["text"].startswith("⏳")
    photo = await harness.api.wait_for("sendPhoto", since=since, patience=120)
    caption = photo.params["caption"]
    assert "تکرار: /demo letters" in caption
    assert "samples=40" in caption
    assert photo.files["photo"].startswith(b"\x89PNG")
    deleted = await harness.api.wait_for("deleteMessage", since=since)  # the progress goes
    assert deleted.params["message_id"] == queued.result["message_id"]
    # The same request again comes from the cache, even inside the cooldown.
    since = harness.api.mark()
    await harness.api.send_text(LEILA, f"/demo letters {small}")
    again = await harness.api.wait_for("sendPhoto", since=since)
    assert again.files["photo"] == photo.files["photo"]
