"""/test, /interview, /topics, /review, /me and /forget, end to end."""

from sqlalchemy import func, select

from bot.db.models import LearnerAnswer, Publication, ReviewCard, TestSession
from bot.persian import jalali_date
from tests.fakebot import FakeUser
from tests.harness import Harness, answer, answer_then, button_data, eventually, wrong_option

SARA = FakeUser(22_222_222, "Sara", "sara_ml")


async def rows(harness: Harness, model: type) -> int:
    assert harness.runtime is not None
    async with harness.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_test_session_numbers_its_quizzes_and_ends_with_a_score_card(
    harness: Harness,
) -> None:
    since = harness.api.mark()
    await harness.api.send_text(SARA, "/test cnn 2")
    start = await harness.api.wait_for("sendMessage", since=since)
    assert start.params["text"] == "📝 آزمون ۲ سوالی موضوع «شبکه‌های کانولوشنی» شروع شد. موفق باشی!"
    first = await harness.api.wait_for("sendPoll", since=since)
    assert first.params["question"].startswith("(۱/۲) ")
    first_id = harness.poll_id_of(first)
    harness.clock.advance(seconds=40)
    second = await answer_then(
        harness, SARA, first_id, harness.correct_of(first_id), expect="sendPoll"
    )
    assert second.params["question"].startswith("(۲/۲) ")
    assert second.params["question"] != first.params["question"]  # no repeat within a test
    second_id = harness.poll_id_of(second)
    harness.clock.advance(seconds=32)
    card = await answer_then(harness, SARA, second_id, [wrong_option(harness, second_id)])
    assert card.params["text"] == (
        "🏁 کارنامهٔ آزمون\n\n"
        "درست: ۱ از ۲ (۵۰٪)\n"
        "زمان: ۱ دقیقه و ۱۲ ثانیه\n"
        "ضعیف‌ترین موضوع: شبکه‌های کانولوشنی (۱ از ۲)"
    )


async def test_test_size_is_capped_by_the_topic(harness: Harness) -> None:
    since = harness.api.mark()
    await harness.api.send_text(SARA, "/test cnn ۱۰")
    notice = await harness.api.wait_for("sendMessage", since=since)
    assert (
        notice.params["text"]
        == "برای موضوع «شبکه‌های کانولوشنی» فقط ۲ کوییز دارم؛ آزمون با همین تعداد برگزار می‌شه."
    )


async def test_bad_test_size_and_unknown_topic_get_helpful_replies(harness: Harness) -> None:
    bad = await harness.say(SARA, "/test cnn 99")
    assert bad.params["text"] == "تعداد سوال‌های آزمون باید بین ۱ و ۲۰ باشه؛ مثلاً /test cnn 10"
    unknown = await harness.say(SARA, "/quiz astrology")
    assert unknown.params["text"].startswith("موضوع «astrology» رو پیدا نکردم")
    assert button_data(unknown, "شبکه‌های کانولوشنی") == "tp:cnn"


async def test_interview_answer_is_revealed_by_its_button(harness: Harness) -> None:
    question = await harness.say(SARA, "/interview cnn")
    assert question.params["text"] == "💡سوال مصاحبه: فرق Max Pooling با کانولوشن گام‌دار چیه؟"
    since = harness.api.mark()
    await harness.api.press(SARA, harness.message_of(question), button_data(question, "پاسخ"))
    edited = await harness.api.wait_for("editMessageText", since=since)
    assert edited.params["text"].endswith(
        "پاسخ نمونه:\n🔵 Max Pooling پارامتر یادگرفتنی نداره.\n"
        "🔵 کانولوشن گام‌دار یاد می‌گیره چه چیزی رو نگه داره.\n🔵 هر دو ابعاد مکانی رو کم می‌کنن."
    )
    assert "reply_markup" not in edited.params  # the button is gone


async def test_topics_menu_leads_to_a_quiz_of_the_topic(harness: Harness) -> None:
    menu = await harness.say(SARA, "/topics")
    labels = [row[0]["text"] for row in menu.params["reply_markup"]["inline_keyboard"]]
    assert labels == ["توابع فعال‌سازی (۴ · ۱)", "شبکه‌های کانولوشنی (۲ · ۱)"]
    since = harness.api.mark()
    await harness.api.press(SARA, harness.message_of(menu), "tp:cnn")
    topic_menu = await harness.api.wait_for("sendMessage", since=since)
    assert topic_menu.params["text"] == "موضوع «شبکه‌های کانولوشنی»: چی می‌خوای؟"
    since = harness.api.mark()
    await harness.api.press(SARA, harness.message_of(topic_menu), button_data(topic_menu, "کوییز"))
    poll = await harness.api.wait_for("sendPoll", since=since)
    assert "Conv2d" in poll.params["question"] or "Pooling" in poll.params["question"]


async def test_review_brings_back_a_mistake_and_then_names_the_next_date(
    harness: Harness,
) -> None:
    empty = await harness.say(SARA, "/review")
    assert empty.params["text"] == "هنوز کوییزی جواب ندادی که مرور بخواد. با /quiz شروع کن."
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
    assert due_at > harness.clock.now
    date = jalali_date(due_at, harness.runtime.settings.tz)
    assert done.params["text"] == f"مرورهای الان تموم شد ✨ مرور بعدی: {date}"
    later = await harness.say(SARA, "/review")
    assert later.params["text"] == f"چیزی برای مرور نداری ✨ مرور بعدی: {date}"


async def test_me_shows_totals_per_topic_and_streak_in_persian_digits(harness: Harness) -> None:
    empty = await harness.say(SARA, "/me")
    assert empty.params["text"] == "هنوز به کوییزی جواب ندادی. با /quiz شروع کن!"
    for day, right in enumerate([True, False, True]):
        poll_id, _ = await harness.poll_for(SARA, "/quiz cnn" if day < 2 else "/quiz activations")
        options = harness.correct_of(poll_id) if right else [wrong_option(harness, poll_id)]
        await answer(harness, SARA, poll_id, options)
        if day < 2:
            harness.clock.advance(days=1)
    me = await harness.say(SARA, "/me")
    assert me.params["text"] == (
        "📊 پیشرفت تو\n\n"
        "پاسخ‌ها: ۳ — درست: ۲ (۶۷٪)\n"
        "زنجیرهٔ روزانه: ۳ روز\n"
        "مرورهای آماده: ۲\n"
        "\nبه تفکیک موضوع:\n"
        "• توابع فعال‌سازی: ۱ از ۱ (۱۰۰٪)\n"
        "• شبکه‌های کانولوشنی: ۱ از ۲ (۵۰٪)"
    )


async def test_forget_needs_confirmation_then_deletes_everything(harness: Harness) -> None:
    poll_id, _ = await harness.poll_for(SARA, "/quiz")
    await answer(harness, SARA, poll_id, harness.correct_of(poll_id))
    await harness.say(SARA, "/test cnn 1", expect="sendPoll")
    ask = await harness.say(SARA, "/forget")
    since = harness.api.mark()
    await harness.api.press(SARA, harness.message_of(ask), button_data(ask, "نه"))
    kept = await harness.api.wait_for("sendMessage", since=since)
    assert kept.params["text"] == "باشه، چیزی پاک نشد."
    assert await rows(harness, LearnerAnswer) == 1
    # The conversation ended with "no": its old buttons say so and delete nothing.
    since = harness.api.mark()
    await harness.api.press(SARA, harness.message_of(ask), button_data(ask, "بله"))
    stale = await harness.api.wait_for("answerCallbackQuery", since=since)
    assert stale.params["text"].startswith("این گفتگو تموم شده")
    assert await rows(harness, LearnerAnswer) == 1
    ask = await harness.say(SARA, "/forget")
    since = harness.api.mark()
    await harness.api.press(SARA, harness.message_of(ask), button_data(ask, "بله"))
    done = await harness.api.wait_for("sendMessage", since=since)
    assert done.params["text"].startswith("همهٔ داده‌هات پاک شد")
    for model in (LearnerAnswer, ReviewCard, Publication, TestSession):
        assert await rows(harness, model) == 0, model.__name__
    me = await harness.say(SARA, "/me")
    assert me.params["text"].startswith("هنوز به کوییزی جواب ندادی")


async def test_help_lists_the_commands(harness: Harness) -> None:
    help_message = await harness.say(SARA, "/help")
    for command in ("/quiz", "/test", "/interview", "/topics", "/review", "/me", "/forget"):
        assert command in help_message.params["text"]


async def test_menu_buttons_stand_for_their_commands(harness: Harness) -> None:
    poll = await harness.say(SARA, "🎯 کوییز", expect="sendPoll")
    assert poll.params["type"] == "quiz"
    topics = await harness.say(SARA, "📚 موضوع‌ها")
    assert topics.params["text"].startswith("📚 موضوع‌ها")


async def test_answers_survive_a_restart(harness: Harness) -> None:
    poll_id, _ = await harness.poll_for(SARA, "/quiz")
    await answer(harness, SARA, poll_id, harness.correct_of(poll_id))
    await harness.restart()
    me = await harness.say(SARA, "/me")
    assert "پاسخ‌ها: ۱ — درست: ۱ (۱۰۰٪)" in me.params["text"]

    # A poll sent before the restart is still known after it.
    second_id, _ = await harness.poll_for(SARA, "/quiz")
    await harness.restart()
    await answer(harness, SARA, second_id, harness.correct_of(second_id))

    async def two() -> bool:
        return await rows(harness, LearnerAnswer) == 2

    await eventually(two)
