"""Channel admins browse and fix the bank in chat: /needsreview and /bank, handled in process."""

import ast
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.bank.telegram_export import parse_export
from bot.config import DEFAULT_CONTENT_DIR
from bot.db.models import Quiz
from bot.handlers.channel.bank import (
    AnswerButton,
    EditButton,
    ItemButton,
    RetireButton,
    RetireConfirmButton,
)
from bot.services.content.history_import import import_history
from tests.fakebot import Call
from tests.inprocess import InProcessBot, button_data, in_process_bot, methods, of, one
from tests.test_channel_handlers import (
    ADMIN,
    CHANNEL,
    NOT_ADMIN,
    STRANGER,
    channel_posts,
    reply,
    sqlite_only,
)
from tests.test_history_import import EXPORT

IMPORTED = "tg1234567890-10"  # «کدوم تابع خروجی بین صفر و یک داره؟», ReLU/Tanh/Sigmoid/Linear


@pytest.fixture
async def bank(real_bank_url: str) -> AsyncIterator[InProcessBot]:
    """The real bank with another channel's history imported; ADMIN administers CHANNEL."""
    async with in_process_bot(
        real_bank_url, DEFAULT_CONTENT_DIR, admin_ids=frozenset({ADMIN.id})
    ) as bot:
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        async with bot.runtime.sessions.begin() as session:
            await import_history(session, parse_export(EXPORT), "activations", bot.clock.now)
        yield bot


async def stored(bot: InProcessBot, quiz_id: str) -> Quiz:
    """The quiz row as the database holds it now."""
    async with bot.runtime.sessions() as session:
        quiz = await session.get(Quiz, quiz_id)
        assert quiz is not None
        return quiz


async def try_postnow(bot: InProcessBot, quiz_id: str) -> list[Call]:
    """/postnow quiz ID and the scheduler pass: what reached the channel."""
    await bot.send_text(ADMIN, f"/postnow quiz {quiz_id}")
    return channel_posts(await bot.scheduler_pass())


def labels(call: Call) -> list[str]:
    """The labels of a message's inline buttons, row by row."""
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_an_imported_quiz_gets_its_right_option_from_a_button_and_joins_rotation(
    bank: InProcessBot,
) -> None:
    assert await try_postnow(bank, IMPORTED) == []  # out of rotation: the answer is unknown
    listed = await bank.send_text(ADMIN, "/needsreview")
    header, *quizzes = of(listed, "sendMessage")
    assert header.params["text"].startswith("🔎 ۲ کوییز واردشده پاسخ درست ندارن")
    (quiz,) = [q for q in quizzes if "کدوم تابع خروجی" in q.params["text"]]
    assert quiz.params["text"] == (
        "❓کدوم تابع خروجی بین صفر و یک داره؟\n۱. ReLU\n۲. Tanh\n۳. Sigmoid\n۴. Linear"
    )
    assert labels(quiz) == ["۱. ReLU", "۲. Tanh", "۳. Sigmoid", "۴. Linear"]
    assert IMPORTED not in quiz.params["text"] + header.params["text"]  # words, never ids

    pressed = await bank.press(ADMIN, bank.message_of(quiz), button_data(quiz, "Sigmoid"))
    assert methods(pressed) == ["editMessageText", "answerCallbackQuery"]
    assert pressed[0].params["text"].startswith("✅ گزینهٔ درست ثبت شد: «Sigmoid»")
    assert "reply_markup" not in bank.message_of(quiz)  # the option buttons are gone
    again = await bank.press(ADMIN, bank.message_of(quiz), button_data(quiz, "ReLU"))
    assert again[-1].params["text"] == texts.BANK_ITEM_GONE  # the first press decided
    assert [o.is_correct for o in (await stored(bank, IMPORTED)).options] == [0, 0, 1, 0]

    (post,) = await try_postnow(bank, IMPORTED)
    assert post.method == "sendPoll"
    assert post.params["question"].endswith("کدوم تابع خروجی بین صفر و یک داره؟")
    assert list(post.params["correct_option_ids"]) == [2]
    remaining = of(await bank.send_text(ADMIN, "/needsreview"), "sendMessage")
    assert remaining[0].params["text"].startswith("🔎 ۱ کوییز")
    assert len(remaining) == 2


@sqlite_only
async def test_bank_finds_words_typed_with_arabic_letters_and_latin_digits(
    bank: InProcessBot,
) -> None:
    # «ي» is Arabic; the explanation writes «۰٫۲۵» with Persian digits.
    found = one(await bank.send_text(ADMIN, "/bank ضريبي حداکثر 0.25"), "sendMessage")
    assert found.params["text"].startswith("🔎 ")
    hit = next(label for label in labels(found) if "کدوم تغییر در طراحی" in label)
    assert hit.startswith("کوییز: ")
    assert all("grd-" not in shown for shown in [found.params["text"], *labels(found)])
    shown = one(
        await bank.press(ADMIN, bank.message_of(found), button_data(found, hit)), "sendMessage"
    )
    text = shown.params["text"]
    assert text.startswith("کوییز · موضوع «محوشدن و انفجار گرادیان»\n\nکدوم تغییر در طراحی")
    assert "\n۲. عمیق‌تر کردن شبکه با فعال‌سازی سیگموید ✅\n" in text
    assert text.count("✅") == 1
    assert "توضیح: گرادیان لایه‌های اول" in text
    assert text.endswith(texts.BANK_FROM_FILE)  # a file item: no edit or retire buttons
    assert "reply_markup" not in shown.params

    topic = one(await bank.send_text(ADMIN, "/bank محوشدن و انفجار گرادیان"), "sendMessage")
    assert "تای اول" in topic.params["text"]
    assert len(labels(topic)) == 10
    nothing = await reply(bank, ADMIN, "/bank زززخ-ققق")
    assert nothing == "چیزی با «زززخ-ققق» در بانک پیدا نشد."
    assert (await reply(bank, ADMIN, "/bank")).startswith("این‌طوری بنویسید: /bank")


@sqlite_only
async def test_bank_shows_an_interview_answer_as_bullets_and_a_lesson_whole(
    bank: InProcessBot,
) -> None:
    found = one(await bank.send_text(ADMIN, "/bank محوشدگی گرادیان چرا"), "sendMessage")
    interview = next(label for label in labels(found) if label.startswith("سوال مصاحبه: چرا"))
    lesson = next(label for label in labels(found) if label.startswith("درس: محوشدگی"))
    message = bank.message_of(found)
    shown = one(await bank.press(ADMIN, message, button_data(found, interview)), "sendMessage")
    text = shown.params["text"]
    assert text.startswith("سوال مصاحبه · موضوع «محوشدن و انفجار گرادیان»\n\nچرا شبکه‌های عمیق")
    assert "\n🔵 در پس‌انتشار، طبق قاعدهٔ زنجیره‌ای" in text
    shown = one(await bank.press(ADMIN, message, button_data(found, lesson)), "sendMessage")
    assert shown.params["text"].startswith("درس · موضوع «محوشدن و انفجار گرادیان»\n\nمحوشدگی")
    assert shown.params["text"].endswith(texts.BANK_FROM_FILE)


async def open_imported(bank: InProcessBot) -> Call:
    """/bank with the imported quiz's words, then its button: the quiz in full."""
    found = one(await bank.send_text(ADMIN, "/bank كدوم تابع خروجي"), "sendMessage")
    data = button_data(found, "کدوم تابع خروجی بین")
    pressed = await bank.press(ADMIN, bank.message_of(found), data)
    return one(pressed, "sendMessage")


@sqlite_only
async def test_an_imported_quiz_is_edited_by_replying_with_the_new_text(bank: InProcessBot) -> None:
    shown = await open_imported(bank)
    assert texts.BANK_NEEDS_REVIEW in shown.params["text"]
    assert labels(shown) == [
        *["۱. ReLU", "۲. Tanh", "۳. Sigmoid", "۴. Linear"],  # its right option, unknown yet
        "✏️ سوال",
        "✏️ گزینه‌ها",
        "✏️ توضیح",
        texts.BANK_RETIRE,
    ]
    asked = one(
        await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "توضیح")), "sendMessage"
    )
    assert asked.params["text"].startswith("متن تازهٔ توضیح رو بفرستید")
    too_long = await reply(bank, ADMIN, "ب" * 201)
    assert too_long.startswith("این توضیح ذخیره نشد و متن قبلی سر جاشه")
    assert "۲۰۱ نویسه است؛ تلگرام حداکثر ۲۰۰ نویسه می‌پذیرد" in too_long
    saved = await reply(bank, ADMIN, "سيگمويد  خروجی رو به بازهٔ صفر تا یک می‌بره.")
    assert saved == "✅ توضیح ذخیره شد:\nسیگموید خروجی رو به بازهٔ صفر تا یک می‌بره."
    assert (await stored(bank, IMPORTED)).explanation == saved.split("\n", 1)[1]
    # The step is over: the next text is not taken as an explanation.
    assert "توضیح ذخیره شد" not in json.dumps(
        [c.params for c in await bank.send_text(ADMIN, "سلام")], ensure_ascii=False
    )

    shown = await open_imported(bank)
    await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "سوال"))
    assert await reply(bank, ADMIN, "/cancel") == texts.BANK_EDIT_ENDED
    assert (await stored(bank, IMPORTED)).question == "کدوم تابع خروجی بین صفر و یک داره؟"

    shown = await open_imported(bank)
    await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "سوال"))
    assert "۳۰۰" in await reply(bank, ADMIN, "چ" * 301)  # a poll's question: 300 at most
    saved = await reply(bank, ADMIN, "خروجی کدوم تابع فعال‌سازی همیشه بین ۰ و ۱ هست؟")
    assert saved.startswith("✅ سوال ذخیره شد")
    found = one(await bank.send_text(ADMIN, "/bank همیشه بین 0 و 1"), "sendMessage")
    assert "⚠️ کوییز: خروجی کدوم تابع فعال‌سازی همیشه بین ۰ و ۱ هست؟" in labels(found)


@sqlite_only
async def test_an_imported_quiz_found_by_bank_gets_its_right_option_there(
    bank: InProcessBot,
) -> None:
    found = one(await bank.send_text(ADMIN, "/bank كدوم تابع خروجي"), "sendMessage")
    assert "⚠️ کوییز: کدوم تابع خروجی بین صفر و یک داره؟" in labels(found)
    shown = await open_imported(bank)
    pressed = await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "Sigmoid"))
    assert one(pressed, "editMessageText").params["text"].startswith("✅ گزینهٔ درست ثبت شد")
    assert "\n۳. Sigmoid ✅\n" in (await open_imported(bank)).params["text"] + "\n"


@sqlite_only
async def test_a_retired_quiz_is_no_longer_found_or_posted(bank: InProcessBot) -> None:
    shown = await open_imported(bank)
    asked = one(
        await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "بازنشسته")),
        "sendMessage",
    )
    assert asked.params["text"].startswith("بازنشسته بشه؟")
    assert (await stored(bank, IMPORTED)).retired_at is None  # not before it is confirmed
    retired = await bank.press(ADMIN, bank.message_of(asked), button_data(asked, "بله"))
    assert one(retired, "editMessageText").params["text"].startswith("🗑 بازنشسته شد")
    assert (await stored(bank, IMPORTED)).retired_at is not None
    found = one(await bank.send_text(ADMIN, "/bank كدوم تابع خروجي"), "sendMessage")
    assert not [label for label in labels(found) if "کدوم تابع خروجی بین" in label]
    listed = of(await bank.send_text(ADMIN, "/needsreview"), "sendMessage")
    assert all("کدوم تابع" not in call.params["text"] for call in listed)


@sqlite_only
async def test_file_items_are_not_changed_in_chat(bank: InProcessBot) -> None:
    menu = one(await bank.send_text(ADMIN, "/bank"), "sendMessage")
    message = bank.message_of(menu)
    for data in (
        EditButton("quiz", "grd-depth-risk", "q").encode(),
        EditButton("lesson", "act-lesson-sigmoid-tanh", "b").encode(),
        RetireButton("quiz", "grd-depth-risk").encode(),
        RetireButton("lesson", "act-lesson-sigmoid-tanh").encode(),
        RetireConfirmButton("quiz", "grd-depth-risk").encode(),
    ):
        pressed = await bank.press(ADMIN, message, data)
        assert pressed[-1].params["text"] in (texts.BANK_FROM_FILE, texts.BANK_ITEM_GONE), data
    quiz = await stored(bank, "grd-depth-risk")
    assert quiz.retired_at is None
    assert quiz.question.startswith("کدوم تغییر در طراحی")


@sqlite_only
async def test_non_admins_are_refused_on_every_bank_path(bank: InProcessBot) -> None:
    for command in ("/needsreview", "/bank", "/bank سیگموید"):
        assert (await reply(bank, STRANGER, command)).startswith(NOT_ADMIN), command
    menu = one(await bank.send_text(STRANGER, "/topics"), "sendMessage")
    for data in (
        AnswerButton(IMPORTED, 3).encode(),
        ItemButton("quiz", IMPORTED).encode(),
        EditButton("quiz", IMPORTED, "q").encode(),
        EditButton("quiz", IMPORTED, "o").encode(),
        RetireButton("quiz", IMPORTED).encode(),
        RetireConfirmButton("quiz", IMPORTED).encode(),
    ):
        pressed = await bank.press(STRANGER, bank.message_of(menu), data)
        assert methods(pressed) == ["answerCallbackQuery"], data
        assert pressed[0].params["text"].startswith(NOT_ADMIN), data
    quiz = await stored(bank, IMPORTED)
    assert quiz.needs_review
    assert quiz.retired_at is None
    assert not any(option.is_correct for option in quiz.options)


def test_no_string_of_the_catalogue_is_written_twice() -> None:
    """A later block reusing a name would silently change what another feature says."""
    tree = ast.parse(Path(texts.__file__).read_text(encoding="utf-8"))
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    assert [name for name, count in Counter(names).items() if count > 1] == []


@sqlite_only
async def test_options_are_edited_one_per_line_and_keep_their_number(bank: InProcessBot) -> None:
    shown = await open_imported(bank)
    asked = one(
        await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "گزینه‌ها")),
        "sendMessage",
    )
    assert "هر گزینه توی یک خط" in asked.params["text"]
    assert asked.params["text"].endswith("ReLU\nTanh\nSigmoid\nLinear")
    fewer = await reply(bank, ADMIN, "ReLU\nTanh\nSigmoid")
    assert "باید همان ۴ گزینه بماند" in fewer
    repeated = await reply(bank, ADMIN, "ReLU\nrelu\nSigmoid\nLinear")
    assert "گزینهٔ ۲ همان گزینهٔ ۱ است" in repeated
    unchanged = sorted((await stored(bank, IMPORTED)).options, key=lambda o: o.position)
    assert [o.text for o in unchanged] == ["ReLU", "Tanh", "Sigmoid", "Linear"]
    saved = await reply(bank, ADMIN, "ReLU\nTanh\nسیگموید (Sigmoid)\nخطی (Linear)")
    assert saved.startswith("✅ گزینه‌ها ذخیره شد")
    quiz = await stored(bank, IMPORTED)
    assert [o.text for o in sorted(quiz.options, key=lambda o: o.position)] == [
        "ReLU",
        "Tanh",
        "سیگموید (Sigmoid)",
        "خطی (Linear)",
    ]
    assert quiz.needs_review  # the right option is still the admin's to pick


INTERVIEW = (
    "💡سوال مصاحبه: چرا نرخ یادگیری خیلی بزرگ آموزش رو ناپایدار می‌کنه؟\n"
    "🔵 هر گام از کمینه رد می‌شه و هزینه بالا و پایین می‌پره.\n"
    "🔵 با کاهش تدریجی نرخ یادگیری این نوسان کم می‌شه.\n"
    "#Optimizers"
)


@sqlite_only
async def test_an_interview_written_in_chat_gets_its_answer_edited_and_is_retired(
    bank: InProcessBot,
) -> None:
    topics = one(await bank.send_text(ADMIN, INTERVIEW), "sendMessage")
    saved = one(
        await bank.press(ADMIN, bank.message_of(topics), button_data(topics, "بهینه‌سازها")),
        "sendMessage",
    )
    assert saved.params["text"].startswith("✅")
    found = one(await bank.send_text(ADMIN, "/bank نرخ یادگیری خیلی بزرگ"), "sendMessage")
    shown = one(
        await bank.press(ADMIN, bank.message_of(found), button_data(found, "ناپایدار")),
        "sendMessage",
    )
    assert labels(shown) == ["✏️ سوال", "✏️ پاسخ", texts.BANK_RETIRE]
    await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "پاسخ"))
    edited = await reply(
        bank,
        ADMIN,
        "هر گام از کمینه رد می‌شه.\n\nزمان‌بندی نرخ یادگیری (LR Schedule) نوسان رو کم می‌کنه.\n"
        "گرم‌کردن (Warmup) هم جلوی واگرایی اول آموزش رو می‌گیره.",
    )
    assert edited.startswith("✅ پاسخ ذخیره شد")
    await bank.send_text(
        ADMIN, "/postnow interview " + saved.params["text"].split("شناسهٔ ")[1].split()[0]
    )
    (post,) = channel_posts(await bank.scheduler_pass())
    assert post.shown.count("🔵 ") == 3
    assert "🔵 گرم‌کردن (Warmup) هم جلوی واگرایی" in post.shown

    shown = one(
        await bank.press(ADMIN, bank.message_of(found), button_data(found, "ناپایدار")),
        "sendMessage",
    )
    ask = one(
        await bank.press(ADMIN, bank.message_of(shown), button_data(shown, "بازنشسته")),
        "sendMessage",
    )
    await bank.press(ADMIN, bank.message_of(ask), button_data(ask, "بله"))
    gone = one(await bank.send_text(ADMIN, "/bank نرخ یادگیری خیلی بزرگ"), "sendMessage")
    assert not [label for label in labels(gone) if "ناپایدار" in label]
