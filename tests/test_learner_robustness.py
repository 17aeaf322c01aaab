"""Bad input, stale buttons, duplicate updates and API failures: no crash, nothing lost."""

import logging

import pytest
from sqlalchemy import func, select

from bot.db.models import LearnerAnswer, Publication
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import FakeUser
from tests.harness import Harness, answer, button_data, eventually

REZA = FakeUser(33_333_333, "Reza", "reza_dl")


async def count(harness: Harness, model: type) -> int:
    assert harness.runtime is not None
    async with harness.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_unknown_command_and_free_text_get_a_persian_hint(harness: Harness) -> None:
    unknown = await harness.say(REZA, "/dance")
    assert unknown.params["text"] == "این دستور رو نمی‌شناسم 🤔 برای دیدن دستورها /help رو بزن."
    text = await harness.say(REZA, "سلام، چطوری؟")
    assert text.params["text"] == "برای شروع یکی از دکمه‌های منو رو بزن یا /help رو ببین."


@pytest.mark.parametrize("data", ["q:../../etc", "zz:cnn", "", "a:" + "x" * 60, "q:CNN"])
async def test_tampered_button_data_is_refused_politely(harness: Harness, data: str) -> None:
    menu = await harness.say(REZA, "/topics")
    since = harness.api.mark()
    await harness.api.press(REZA, harness.message_of(menu), data)
    ack = await harness.api.wait_for("answerCallbackQuery", since=since)
    assert ack.params["text"] == "این دکمه معتبر نیست."
    await harness.api.wait_idle()
    assert harness.api.calls_of("sendPoll", since) == []


async def test_button_of_a_retired_item_says_it_is_gone(harness: Harness) -> None:
    question = await harness.say(REZA, "/interview cnn")
    data = learner_bank_data()
    data["interview_questions"] = [
        q for q in data["interview_questions"] if q["id"] != "int-pooling"
    ]
    write_bank(harness.content_dir, data)
    await harness.sync_content()
    since = harness.api.mark()
    await harness.api.press(REZA, harness.message_of(question), button_data(question, "پاسخ"))
    ack = await harness.api.wait_for("answerCallbackQuery", since=since)
    assert ack.params["text"] == "این مورد دیگه در دسترس نیست."
    assert harness.api.calls_of("editMessageText", since) == []


async def test_a_repeated_answer_update_is_recorded_once(harness: Harness) -> None:
    poll_id, _ = await harness.poll_for(REZA, "/quiz")
    await answer(harness, REZA, poll_id, harness.correct_of(poll_id))
    await harness.api.answer_poll(REZA, poll_id, harness.correct_of(poll_id))
    await harness.api.wait_idle()
    assert await count(harness, LearnerAnswer) == 1


async def test_a_retracted_vote_removes_the_answer(harness: Harness) -> None:
    poll_id, _ = await harness.poll_for(REZA, "/quiz")
    await answer(harness, REZA, poll_id, harness.correct_of(poll_id))
    await harness.api.answer_poll(REZA, poll_id, [])

    async def removed() -> bool:
        return await count(harness, LearnerAnswer) == 0

    await eventually(removed)


async def test_answer_to_an_unknown_poll_is_ignored_with_a_log_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.services")
    since = harness.api.mark()
    await harness.api.answer_poll(REZA, "999999", [0])

    async def logged() -> bool:
        return any("unknown poll 999999" in record.getMessage() for record in caplog.records)

    await eventually(logged)
    assert harness.api.calls_of("sendMessage", since) == []
    assert await count(harness, LearnerAnswer) == 0


async def test_a_learner_who_blocked_the_bot_does_not_break_it(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 403)
    since = harness.api.mark()
    await harness.api.send_text(REZA, "/help")
    await harness.api.wait_for("sendMessage", since=since)  # the refused attempt
    await harness.api.wait_idle()
    again = await harness.say(REZA, "/help")  # the bot is still serving
    assert "/quiz" in again.params["text"]


async def test_a_server_error_is_retried_and_the_quiz_still_arrives(harness: Harness) -> None:
    harness.api.fail_next("sendPoll", 502)
    since = harness.api.mark()
    await harness.api.send_text(REZA, "/quiz")
    failed = await harness.api.wait_for("sendPoll", since=since)
    retried = await harness.api.wait_for("sendPoll", since=failed.index + 1)
    poll_id = harness.poll_id_of(retried)
    await answer(harness, REZA, poll_id, harness.correct_of(poll_id))
    assert await count(harness, Publication) == 1  # the failed attempt recorded nothing


async def test_flood_control_is_waited_out(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 429, retry_after=1)
    since = harness.api.mark()
    await harness.api.send_text(REZA, "/help")
    await harness.api.wait_for("sendMessage", since=since)
    delivered = await harness.api.wait_for(
        "sendMessage", lambda p: "/quiz" in p["text"], since=since + 1
    )
    assert delivered.index > since


async def test_a_slow_api_answer_still_completes(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 200, delay=1.5)
    reply = await harness.say(REZA, "/help")
    assert "/quiz" in reply.params["text"]


async def test_a_lasting_failure_is_reported_to_the_learner_and_the_admin_chat(
    harness: Harness,
) -> None:
    harness.api.chats[-100_555] = {"id": -100_555, "type": "supergroup", "title": "admins"}
    harness.admin_chat_id = -100_555
    await harness.restart()
    for _ in range(3):
        harness.api.fail_next("sendPoll", 500)
    since = harness.api.mark()
    await harness.api.send_text(REZA, "/quiz")
    sorry = await harness.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == REZA.id, since=since
    )
    assert sorry.params["text"] == "⚠️ الان نتونستم انجامش بدم؛ چند لحظه بعد دوباره امتحان کن."
    report = await harness.api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == -100_555, since=since
    )
    assert report.params["text"].startswith("⚠️ خطا در پردازش یک آپدیت (message):")
    assert str(REZA.id) not in report.params["text"]
    assert await count(harness, Publication) == 0
