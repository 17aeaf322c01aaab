"""Channel admins write bank items in chat: a forwarded or own quiz poll, or a text in the
channel's interview format, becomes a bank item (source=chat) that posts like any other."""

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot import texts
from bot.bank.loader import load_bank
from bot.cli.main import app as cli_app
from bot.config import DEFAULT_CONTENT_DIR
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import ContentSource, InterviewQuestion, Quiz, QuizOption
from bot.persian import fa_number
from tests.banks import learner_bank_data, write_bank
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
    text = post.shown
    assert text.startswith("💡سوال مصاحبه: چرا در ترنسفورمرها")
    assert "\n🔵 طول دنباله‌ها متغیر است" in text


LESSON = (
    "📚 دراپ‌اوت چطور جلوی بیش‌برازش را می‌گیرد؟\n"
    "در هر گام آموزش، دراپ‌اوت بخشی از نورون‌ها را به تصادف خاموش می‌کند تا شبکه نتواند به "
    "چند نورون خاص تکیه کند. نتیجه شبیه میانگین‌گیری از شبکه‌های کوچک‌تر بسیاری است که وزن‌ها را "
    "با هم شریک‌اند. هنگام ارزیابی همهٔ نورون‌ها روشن‌اند و خروجی‌ها به اندازهٔ احتمال نگه‌داشتن "
    "مقیاس می‌شوند تا میانگین سیگنال تغییر نکند.\n"
    "#Deep_Learning #Regularization"
)


async def test_a_lesson_text_with_hashtags_is_saved_after_its_topic_and_posted(
    channel: InProcessBot,
) -> None:
    topics = one(await channel.send_text(ADMIN, LESSON), "sendMessage")
    assert "📝 درس برای بانک" in topics.params["text"]
    saved = one(await choose(channel, topics, "منظم‌سازی"), "sendMessage")
    lesson_id = saved_id(saved)
    assert lesson_id == "regularization-chat-1"
    queued = await channel.send_text(ADMIN, f"/postnow lesson {lesson_id}")
    assert methods(queued) == ["sendMessage"]
    posts = [c for c in await channel.scheduler_pass() if c.params.get("chat_id") == CHANNEL["id"]]
    (post,) = posts
    assert "دراپ‌اوت چطور جلوی بیش‌برازش را می‌گیرد؟" in post.params["text"]
    assert "#Regularization" in post.params["text"]


@sqlite_only
async def test_once_the_files_quizzes_are_all_posted_the_next_pick_is_the_chat_quiz(
    tmp_path: Path, sample_bank_url: str
) -> None:
    content = write_bank(tmp_path / "content", learner_bank_data())
    async with in_process_bot(sample_bank_url, content, admin_ids=frozenset({ADMIN.id})) as bot:
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        async with bot.runtime.sessions() as session:
            in_files = await session.scalar(select(func.count()).select_from(Quiz)) or 0
        for _ in range(in_files):
            await bot.send_text(ADMIN, "/postnow quiz")
            await bot.scheduler_pass()
        asked = one(await bot.send_poll(ADMIN, QUESTION, OPTIONS, correct=[1]), "sendMessage")
        levels = one(await choose(bot, asked, CNN), "sendMessage")
        one(await choose(bot, levels, "آسان"), "sendMessage")
        # /postnow quiz picks the next unposted quiz, as slots do: only the chat quiz is left.
        await bot.send_text(ADMIN, "/postnow quiz")
        (post,) = [
            c for c in await bot.scheduler_pass() if c.params.get("chat_id") == CHANNEL["id"]
        ]
        number = fa_number(in_files + 1)
        assert post.params["question"] == f"❓کوییز شماره {number}: {QUESTION}"


@sqlite_only
async def test_an_admins_other_text_gets_the_usual_answer(channel: InProcessBot) -> None:
    short = "💡سوال مصاحبه: بدون پاسخ؟ #Deep_Learning"  # no 🔵 bullets: not the format
    (answer,) = await channel.send_text(ADMIN, short)
    assert "برای بانک" not in answer.params["text"]
    assert await count_chat_items(channel) == 0


@sqlite_only
async def test_cancel_saves_nothing(channel: InProcessBot) -> None:
    asked = one(await channel.send_poll(ADMIN, QUESTION, OPTIONS), "sendMessage")
    cancelled = await choose(channel, asked, texts.AUTHOR_CANCEL)
    assert texts.AUTHOR_ABORTED in [c.params.get("text") for c in cancelled]
    stale = await choose(channel, asked, "گزینهٔ ۱")
    assert methods(stale) == ["answerCallbackQuery"]
    assert await count_chat_items(channel) == 0


# --- chat-authored items back into content files ------------------------------------------

cli = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with the sample bank synced into its own SQLite database."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "ANSWER_HASH_KEY", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONTENT_DIR", str(write_bank(tmp_path / "content")))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    synced = cli.invoke(cli_app, ["content", "sync"])
    assert synced.exit_code == 0, synced.output
    return tmp_path


async def write_in_chat(workdir: Path) -> None:
    """A quiz and an interview question as the chat flow stores them."""
    engine = create_engine(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
    async with create_session_factory(engine).begin() as session:
        session.add(
            Quiz(
                id="cnn-chat-1",
                topic_id="cnn",
                difficulty=2,
                question=QUESTION,
                explanation=None,
                tags=[],
                content_hash="0" * 64,
                source=ContentSource.CHAT,
                options=[
                    QuizOption(position=i, text=text, is_correct=i == 1)
                    for i, text in enumerate(OPTIONS)
                ],
            )
        )
        session.add(
            InterviewQuestion(
                id="cnn-chat-2",
                topic_id="cnn",
                question="چرا کانولوشن وزن‌ها را در مکان‌های مختلف تصویر به اشتراک می‌گذارد؟",
                answer=["پارامترها کم می‌شوند.", "یک الگو هرجای تصویر شناخته می‌شود."],
                tags=[],
                content_hash="0" * 64,
                source=ContentSource.CHAT,
            )
        )
    await engine.dispose()


def test_chat_items_exported_as_yaml_are_a_content_file_the_bank_accepts(workdir: Path) -> None:
    asyncio.run(write_in_chat(workdir))
    target = workdir / "content" / "items" / "chat.yaml"
    result = cli.invoke(
        cli_app,
        ["content", "export", "--format", "yaml", "--source", "chat", "--out", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 2 items" in result.output
    bank = load_bank(workdir / "content")
    chat = [located.item for located in bank.quizzes if located.file.endswith("chat.yaml")]
    assert [(quiz.id, quiz.options, quiz.correct) for quiz in chat] == [
        ("cnn-chat-1", OPTIONS, [2])
    ]
    assert "cnn-chat-2" in {located.item.id for located in bank.interview_questions}
    validated = cli.invoke(cli_app, ["content", "validate"])
    assert validated.exit_code == 0, validated.output
    # Synced from the files now, they are file items under the same ids.
    assert cli.invoke(cli_app, ["content", "sync"]).exit_code == 0

    # Without --source every item in service is written: a whole bank with its topics.
    whole = workdir / "whole"
    (whole / "items").mkdir(parents=True)
    shutil.copy(workdir / "content" / "topics.yaml", whole / "topics.yaml")
    everything = cli.invoke(
        cli_app,
        ["content", "export", "--format", "yaml", "--out", str(whole / "items" / "all.yaml")],
    )
    assert everything.exit_code == 0, everything.output
    assert len(load_bank(whole).quizzes) == len(bank.quizzes)


def test_content_sync_never_retires_items_written_in_chat(workdir: Path) -> None:
    asyncio.run(write_in_chat(workdir))
    assert cli.invoke(cli_app, ["content", "sync"]).exit_code == 0

    async def retired() -> list[object]:
        engine = create_engine(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
        async with create_session_factory(engine)() as session:
            quiz = await session.get(Quiz, "cnn-chat-1")
            question = await session.get(InterviewQuestion, "cnn-chat-2")
        await engine.dispose()
        assert quiz is not None
        assert question is not None
        return [quiz.retired_at, question.retired_at]

    assert asyncio.run(retired()) == [None, None]
