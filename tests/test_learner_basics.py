"""Learner commands end to end: real PTB client, fake Bot API over HTTP, real database."""

from sqlalchemy import func, select

from bot.db.models import Audience, LearnerAnswer, Publication
from tests.fakebot import FakeUser
from tests.harness import Harness, answer, button_data, eventually, wrong_option

ALI = FakeUser(11_111_111, "Ali", "ali_learns")
CNN_QUESTIONS = {
    "یک Conv2d با ۳ کانال ورودی، ۱۶ فیلتر ۳×۳ و بایاس چند پارامتر داره؟",
    "Max Pooling ۲×۲ با گام ۲ روی نقشهٔ ۸×۸ چه اندازه‌ای می‌ده؟",
}


async def count_answers(harness: Harness) -> int:
    assert harness.runtime is not None
    async with harness.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(LearnerAnswer)) or 0


async def test_start_shows_menu_and_registers_persian_commands(harness: Harness) -> None:
    call = await harness.say(ALI, "/start")
    assert "کوییزبات" in call.params["text"]
    rows = [[button["text"] for button in row] for row in call.params["reply_markup"]["keyboard"]]
    assert ["🎯 کوییز", "📝 آزمون"] in rows
    assert {"poll", "poll_answer"} <= set(harness.api.allowed_updates or [])
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
        "forget",
        "help",
    }


async def test_deep_links_open_the_item(harness: Harness) -> None:
    since = harness.api.mark()
    await harness.api.send_text(ALI, "/start quiz_cnn-params")
    poll = await harness.api.wait_for("sendPoll", since=since)
    assert poll.params["question"].startswith("یک Conv2d با ۳ کانال")
    interview = await harness.say(
        ALI, "/start interview_int-why-relu", where=lambda p: "سوال مصاحبه" in p["text"]
    )
    assert (
        interview.params["text"]
        == "💡سوال مصاحبه: چرا ReLU در لایه‌های پنهان رایج‌تر از سیگموید شده؟"
    )
    gone = await harness.say(
        ALI, "/start quiz_no-such-quiz", where=lambda p: "در دسترس" in p["text"]
    )
    assert gone.params["text"] == "این مورد دیگه در دسترس نیست."


async def test_quiz_is_a_non_anonymous_quiz_poll_with_explanation(harness: Harness) -> None:
    _, call = await harness.poll_for(ALI, "/quiz cnn")
    params = call.params
    assert params["type"] == "quiz"
    assert params["is_anonymous"] is False
    assert params["question"] in CNN_QUESTIONS
    assert params["explanation"]
    assert len(params["correct_option_ids"]) == 1
    assert "correct_option_id" not in params


async def test_topic_by_persian_title(harness: Harness) -> None:
    _, call = await harness.poll_for(ALI, "/quiz شبکه‌های کانولوشنی")
    assert call.params["question"] in CNN_QUESTIONS


async def test_quiz_carries_a_next_button_and_the_answer_needs_no_reply(
    harness: Harness,
) -> None:
    poll_id, call = await harness.poll_for(ALI, "/quiz cnn")
    assert button_data(call, "کوییز بعدی") == "q:cnn"
    since = harness.api.mark()
    await answer(harness, ALI, poll_id, harness.correct_of(poll_id))
    assert await count_answers(harness) == 1
    await harness.api.wait_idle()
    assert harness.api.texts_to(ALI.id, since) == []  # Telegram shows right/wrong itself


async def test_answers_record_right_and_wrong(harness: Harness) -> None:
    first, _ = await harness.poll_for(ALI, "/quiz")
    await answer(harness, ALI, first, harness.correct_of(first))
    second, _ = await harness.poll_for(ALI, "/quiz")
    await answer(harness, ALI, second, [wrong_option(harness, second)])
    assert harness.runtime is not None
    async with harness.runtime.sessions() as session:
        marks = (
            await session.scalars(select(LearnerAnswer.is_correct).order_by(LearnerAnswer.id))
        ).all()
    assert marks == [True, False]


async def test_no_repeats_until_the_topic_is_exhausted(harness: Harness) -> None:
    seen = []
    for _ in range(2):
        _, call = await harness.poll_for(ALI, "/quiz cnn")
        seen.append(call.params["question"])
        harness.clock.advance(minutes=1)
    assert set(seen) == CNN_QUESTIONS  # two different quizzes, the whole topic
    since = harness.api.mark()
    await harness.api.send_text(ALI, "/quiz cnn")
    notice = await harness.api.wait_for("sendMessage", since=since)
    assert (
        notice.params["text"]
        == "همهٔ کوییزهای موضوع «شبکه‌های کانولوشنی» رو دیدی 👏 از اول مرورشون می‌کنیم."
    )
    again = await harness.api.wait_for("sendPoll", since=since)
    assert again.params["question"] == seen[0]  # the one seen longest ago


async def test_next_quiz_button_stays_in_the_topic(harness: Harness) -> None:
    poll_id, call = await harness.poll_for(ALI, "/quiz cnn")
    await answer(harness, ALI, poll_id, harness.correct_of(poll_id))
    since = harness.api.mark()
    await harness.api.press(ALI, harness.poll_message(poll_id), button_data(call, "بعدی"))
    poll = await harness.api.wait_for("sendPoll", since=since)
    assert poll.params["question"] in CNN_QUESTIONS
    acknowledged = await harness.api.wait_for("answerCallbackQuery", since=since)
    assert "text" not in acknowledged.params


async def test_without_a_topic_the_next_button_covers_the_bank(harness: Harness) -> None:
    _, call = await harness.poll_for(ALI, "/quiz")
    assert button_data(call, "کوییز بعدی") == "q:*"


async def test_publications_in_private_chat_hold_no_chat_id(harness: Harness) -> None:
    await harness.poll_for(ALI, "/quiz")
    assert harness.runtime is not None
    sessions = harness.runtime.sessions

    async def recorded() -> bool:
        async with sessions() as session:
            return await session.scalar(select(func.count()).select_from(Publication)) == 1

    await eventually(recorded)
    async with sessions() as session:
        publication = await session.scalar(select(Publication))
    assert publication is not None
    assert publication.audience is Audience.PRIVATE
    assert publication.channel_id is None
    assert publication.learner_hash == harness.runtime.person(ALI.id)
