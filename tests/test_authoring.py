"""Channel admins write bank items in chat: a forwarded or own quiz poll, or a text in the
channel's interview format, becomes a bank item (source=chat) that posts like any other."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.config import DEFAULT_CONTENT_DIR
from bot.db.models import ContentSource, InterviewQuestion, Quiz
from tests.fakebot import Call, FakeUser
from tests.inprocess import InProcessBot, button_data, in_process_bot, methods, one

CHANNEL = {"id": -100_123_456, "type": "channel", "title": "دیتاساینس فارسی", "username": "data_fa"}
ADMIN = FakeUser(77_777_777, "Admin")
STRANGER = FakeUser(88_888_888, "Stranger")
QUESTION = "کدام لایه ابعاد نقشهٔ ویژگی را با برداشتن بیشینهٔ هر پنجره کم می‌کند؟"
OPTIONS = ["لایهٔ کانولوشن", "لایهٔ ادغام بیشینه", "لایهٔ نرمال‌سازی دسته‌ای", "لایهٔ دراپ‌اوت"]
CNN = "شبکه‌های کانولوشنی"
INTERVIEW = (
    "💡سوال مصاحبه: چرا در ترنسفورمرها از نرمال‌سازی لایه به جای نرمال‌سازی دسته‌ای استفاده می‌شود؟\n"
    "🔵 به اندازهٔ دسته وابسته نیست و برای دسته‌های کوچک هم پایدار است.\n"
    "🔵 طول دنباله‌ها متغیر است و آمار دسته‌ای روی توکن‌های پد شده بی‌معناست.\n"
    "#Deep_Learning"
)

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


async def choose(bot: InProcessBot, call: Call, label: str) -> list[Call]:
    """ADMIN presses the button labelled `label` under the message `call` made."""
    return await bot.press(ADMIN, bot.message_of(call), button_data(call, label))


async def count_chat_items(bot: InProcessBot) -> int:
    """How many quizzes and interview questions were written in chat."""
    async with bot.runtime.sessions() as session:
        quizzes = await session.scalar(
            select(func.count()).where(Quiz.source == ContentSource.CHAT)
        )
        interviews = await session.scalar(
            select(func.count()).where(InterviewQuestion.source == ContentSource.CHAT)
        )
    return (quizzes or 0) + (interviews or 0)


def saved_id(call: Call) -> str:
    """The id the bot's «saved» message names."""
    text = str(call.params["text"])
    assert text.startswith("✅"), text
    return text.split("شناسهٔ ")[1].split()[0]


async def test_a_forwarded_quiz_gets_its_answer_topic_and_difficulty_then_posts_numbered(
    channel: InProcessBot,
) -> None:
    # A quiz forwarded from a channel: Telegram does not tell the bot its right answer.
    sent = await channel.send_poll(ADMIN, QUESTION, OPTIONS, forwarded_from=CHANNEL)
    asked = one(sent, "sendMessage", ADMIN.id)
    assert QUESTION in asked.params["text"]
    assert "کدوم گزینه درسته؟" in asked.params["text"]
    topics = one(await choose(channel, asked, "گزینهٔ ۲"), "sendMessage")
    assert "✅ ۲. لایهٔ ادغام بیشینه" in topics.params["text"]
    assert "▫️ ۱. لایهٔ کانولوشن" in topics.params["text"]
    levels = one(await choose(channel, topics, CNN), "sendMessage")
    assert levels.params["text"] == texts.AUTHOR_ASK_DIFFICULTY
    saved = one(await choose(channel, levels, "متوسط"), "sendMessage")
    quiz_id = saved_id(saved)
    assert quiz_id == "cnn-chat-1"
    assert f"/schedule quiz {quiz_id}" in saved.params["text"]

    # `content sync` leaves it alone: the files never held it.
    await channel.sync_content()
    async with channel.runtime.sessions() as session:
        quiz = await session.get(Quiz, quiz_id)
        assert quiz is not None
        assert (quiz.source, quiz.retired_at, quiz.topic_id, quiz.difficulty) == (
            ContentSource.CHAT,
            None,
            "cnn",
            2,
        )
        assert [option.is_correct for option in quiz.options] == [False, True, False, False]

    # Scheduled like any bank quiz, it goes out with the channel's next number.
    assert (
        "ذخیره شد"
        in one(await channel.send_text(ADMIN, "/quiznumber 96"), "sendMessage").params["text"]
    )
    when = one(await channel.send_text(ADMIN, f"/schedule quiz {quiz_id}"), "sendMessage")
    timed = await channel.press(ADMIN, channel.message_of(when), button_data(when, "امروز ۱۸"))
    confirm = next(call for call in timed if "reply_markup" in call.params)
    await channel.press(ADMIN, channel.message_of(confirm), button_data(confirm, "تأیید"))
    channel.clock.now = datetime(2026, 11, 26, 14, 31, tzinfo=UTC)  # 18:01 Tehran
    (post,) = await channel.scheduler_pass()
    assert post.method == "sendPoll"
    assert post.params["chat_id"] == CHANNEL["id"]
    assert post.params["question"] == f"❓کوییز شماره ۹۶: {QUESTION}"
    assert post.params["correct_option_ids"] == [1]


@sqlite_only
async def test_an_own_quiz_with_its_answer_and_explanation_goes_straight_to_the_topic(
    channel: InProcessBot,
) -> None:
    sent = await channel.send_poll(
        ADMIN,
        QUESTION,
        OPTIONS,
        correct=[1],
        explanation="ادغام بیشینه بزرگ‌ترین مقدار را نگه می‌دارد.",
    )
    topics = one(sent, "sendMessage", ADMIN.id)
    text = topics.params["text"]
    assert "✅ ۲. لایهٔ ادغام بیشینه" in text
    assert "💬 توضیح: ادغام بیشینه بزرگ‌ترین مقدار را نگه می‌دارد." in text
    assert "موضوعش کدومه؟" in text
    labels = [b["text"] for row in topics.params["reply_markup"]["inline_keyboard"] for b in row]
    assert CNN in labels
    assert "توابع فعال‌سازی" in labels
    levels = one(await choose(channel, topics, CNN), "sendMessage")
    saved = one(await choose(channel, levels, "سخت"), "sendMessage")
    async with channel.runtime.sessions() as session:
        quiz = await session.get(Quiz, saved_id(saved))
        assert quiz is not None
        assert quiz.difficulty == 3
        assert quiz.explanation == "ادغام بیشینه بزرگ‌ترین مقدار را نگه می‌دارد."


@sqlite_only
async def test_a_regular_poll_is_asked_its_right_option_and_arabic_letters_are_normalised(
    channel: InProcessBot,
) -> None:
    sent = await channel.send_poll(ADMIN, "كدام گزينه درست است؟", ["يك", "دو"], quiz=False)
    asked = one(sent, "sendMessage", ADMIN.id)
    assert "کدام گزینه درست است؟" in asked.params["text"]
    topics = one(await choose(channel, asked, "گزینهٔ ۱"), "sendMessage")
    levels = one(await choose(channel, topics, CNN), "sendMessage")
    saved = one(await choose(channel, levels, "آسان"), "sendMessage")
    async with channel.runtime.sessions() as session:
        quiz = await session.get(Quiz, saved_id(saved))
        assert quiz is not None
        assert [o.text for o in quiz.options] == ["یک", "دو"]


@sqlite_only
async def test_a_poll_the_bank_would_refuse_is_refused_in_persian_and_nothing_is_saved(
    channel: InProcessBot,
) -> None:
    async with channel.runtime.sessions() as session:
        existing = await session.scalar(
            select(Quiz.question).where(Quiz.source == ContentSource.BANK).limit(1)
        )
    assert existing is not None
    refused = one(
        await channel.send_poll(ADMIN, existing + "؟", OPTIONS, correct=[0]), "sendMessage"
    )
    assert refused.params["text"].startswith("❌ با قاعده‌های بانک جور نیست و ذخیره نشد")
    assert "سوال: تقریباً همان سوالِ" in refused.params["text"]
    repeated = await channel.send_poll(ADMIN, QUESTION, ["ReLU", "relu", "tanh"], correct=[0])
    assert "گزینه‌ها: گزینهٔ ۲ همان گزینهٔ ۱ است" in one(repeated, "sendMessage").params["text"]
    assert await count_chat_items(channel) == 0


@sqlite_only
async def test_a_poll_from_someone_who_is_no_channel_admin_is_answered_and_not_stored(
    channel: InProcessBot,
) -> None:
    sent = await channel.send_poll(STRANGER, QUESTION, OPTIONS, correct=[1])
    assert methods(sent) == ["sendMessage"]
    assert sent[0].params["text"] == texts.NOT_ADMIN
    assert await count_chat_items(channel) == 0


async def test_an_interview_text_is_saved_after_its_topic_and_posted_by_postnow(
    channel: InProcessBot,
) -> None:
    topics = one(await channel.send_text(ADMIN, INTERVIEW), "sendMessage")
    assert "📝 سوال مصاحبه برای بانک" in topics.params["text"]
    assert "🔵 به اندازهٔ دسته وابسته نیست" in topics.params["text"]
    saved = one(await choose(channel, topics, "مدل‌های دنباله‌ای"), "sendMessage")
    question_id = saved_id(saved)
    assert question_id == "sequence-chat-1"
    await channel.sync_content()
    queued = await channel.send_text(ADMIN, f"/postnow interview {question_id}")
    assert methods(queued) == ["sendMessage"]
    (post,) = [
        c for c in await channel.scheduler_pass() if c.params.get("chat_id") == CHANNEL["id"]
    ]
    text = post.params["text"]
    assert text.startswith("💡سوال مصاحبه: چرا در ترنسفورمرها")
    assert "\n🔵 طول دنباله‌ها متغیر است" in text


@sqlite_only
async def test_cancel_saves_nothing(channel: InProcessBot) -> None:
    asked = one(await channel.send_poll(ADMIN, QUESTION, OPTIONS), "sendMessage")
    cancelled = await choose(channel, asked, texts.AUTHOR_CANCEL)
    assert texts.AUTHOR_ABORTED in [c.params.get("text") for c in cancelled]
    stale = await choose(channel, asked, "گزینهٔ ۱")
    assert methods(stale) == ["answerCallbackQuery"]
    assert await count_chat_items(channel) == 0
