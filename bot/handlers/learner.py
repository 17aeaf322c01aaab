"""Learner commands, buttons and poll answers in private chat."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose, TestSession
from bot.handlers import channel_admin
from bot.handlers import demos as demo_handlers
from bot.handlers.callback_data import Button, decode, encode
from bot.handlers.sending import (
    interview_text,
    menu_keyboard,
    next_quiz_keyboard,
    send_interview,
    send_quiz,
    with_retry,
)
from bot.persian import fa_duration, fa_number, fa_percent, jalali_date
from bot.services import catalog, forget, picker, progress, reviews, test_sessions
from bot.services.answers import AnswerOutcome, AnswerStatus, record_answer
from bot.services.views import InterviewView, QuizView

log = logging.getLogger(__name__)
_SIZE = re.compile(r"^[0-9۰-۹]+$")


def _chat_and_learner(update: Update, context: QuizbotContext) -> tuple[int, str] | None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return None
    return chat.id, context.services.learner(user.id)


async def _reply(update: Update, text: str, **kwargs: object) -> None:
    message = update.effective_message
    if message is not None:
        await with_retry(lambda: message.reply_text(text, **kwargs))  # type: ignore[arg-type]


async def _topics_keyboard(context: QuizbotContext) -> InlineKeyboardMarkup:
    async with context.services.sessions() as session:
        summaries = await catalog.topic_summaries(session)
    rows = [
        [
            InlineKeyboardButton(
                texts.TOPIC_BUTTON.format(
                    title=summary.title,
                    quizzes=fa_number(summary.quizzes),
                    interviews=fa_number(summary.interviews),
                ),
                callback_data=encode("topic_menu", summary.id),
            )
        ]
        for summary in summaries
    ]
    return InlineKeyboardMarkup(rows)


async def _resolve_topic(
    update: Update, context: QuizbotContext, text: str
) -> tuple[bool, str | None, str | None]:
    """(ok, topic id, topic title); replies with the topic list when the name is unknown."""
    if not text:
        return True, None, None
    async with context.services.sessions() as session:
        topic = await catalog.find_topic(session, text)
    if topic is None:
        await _reply(
            update,
            texts.UNKNOWN_TOPIC.format(topic=text),
            reply_markup=await _topics_keyboard(context),
        )
        return False, None, None
    return True, topic.id, topic.title


def _scope(title: str | None) -> str:
    return texts.SCOPE_TOPIC.format(title=title) if title else texts.SCOPE_ALL


# --- quizzes -----------------------------------------------------------------------------


async def _quiz(
    update: Update, context: QuizbotContext, topic_id: str | None, title: str | None
) -> None:
    where = _chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    async with context.services.sessions() as session:
        pick = await picker.pick_quiz(session, learner, topic_id)
    if pick is None:
        await context.bot.send_message(chat_id, texts.NO_QUIZZES)
        return
    if pick.repeated:
        await context.bot.send_message(chat_id, texts.ALL_SEEN.format(scope=_scope(title)))
    await send_quiz(context, chat_id, learner, pick.quiz, Purpose.SINGLE, next_topic=topic_id)


async def quiz_command(update: Update, context: QuizbotContext) -> None:
    """/quiz [topic]: one quiz the learner has not seen yet."""
    ok, topic_id, title = await _resolve_topic(update, context, " ".join(context.args or []))
    if ok:
        await _quiz(update, context, topic_id, title)


# --- tests -------------------------------------------------------------------------------


def _parse_test_args(args: list[str]) -> tuple[str, int | None]:
    """Topic words and an optional trailing size, in Latin or Persian digits."""
    if args and _SIZE.match(args[-1]):
        digits = args[-1].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
        return " ".join(args[:-1]), int(digits)
    return " ".join(args), None


async def _start_test(
    update: Update, context: QuizbotContext, topic_id: str | None, title: str | None, size: int
) -> None:
    where = _chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    services = context.services
    async with services.sessions.begin() as session:
        available = await test_sessions.available_quizzes(session, topic_id)
        if available == 0:
            test = None
        else:
            test = await test_sessions.start_test(
                session, learner, topic_id, min(size, available), services.now()
            )
    if test is None:
        await context.bot.send_message(chat_id, texts.NO_QUIZZES)
        return
    if test.size < size:
        await context.bot.send_message(
            chat_id, texts.TEST_NOT_ENOUGH.format(scope=_scope(title), count=fa_number(test.size))
        )
    await context.bot.send_message(
        chat_id, texts.TEST_START.format(size=fa_number(test.size), scope=_scope(title))
    )
    await _send_next_test_quiz(context, chat_id, learner, test)


async def _send_next_test_quiz(
    context: QuizbotContext, chat_id: int, learner: str, test: TestSession
) -> None:
    async with context.services.sessions() as session:
        sent = await test_sessions.sent_quiz_ids(session, test.id)
        pick = await picker.pick_quiz(session, learner, test.topic_id, exclude=sent)
    if pick is None:
        return
    await send_quiz(
        context,
        chat_id,
        learner,
        pick.quiz,
        Purpose.TEST,
        test.id,
        position=(len(sent) + 1, test.size),
    )


async def test_command(update: Update, context: QuizbotContext) -> None:
    """/test [topic] [n]: n quizzes in a row, then a score card."""
    topic_text, size = _parse_test_args(list(context.args or []))
    if size is not None and not test_sessions.MIN_SIZE <= size <= test_sessions.MAX_SIZE:
        await _reply(
            update,
            texts.BAD_TEST_SIZE.format(
                low=fa_number(test_sessions.MIN_SIZE), high=fa_number(test_sessions.MAX_SIZE)
            ),
        )
        return
    ok, topic_id, title = await _resolve_topic(update, context, topic_text)
    if ok:
        await _start_test(update, context, topic_id, title, size or test_sessions.DEFAULT_SIZE)


# --- interview questions -----------------------------------------------------------------


async def _interview(
    update: Update, context: QuizbotContext, topic_id: str | None, title: str | None
) -> None:
    where = _chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    async with context.services.sessions() as session:
        pick = await picker.pick_interview(session, learner, topic_id)
    if pick is None:
        await context.bot.send_message(chat_id, texts.NO_INTERVIEWS)
        return
    if pick.repeated:
        await context.bot.send_message(
            chat_id, texts.ALL_SEEN_INTERVIEW.format(scope=_scope(title))
        )
    await send_interview(context, chat_id, learner, pick.question)


async def interview_command(update: Update, context: QuizbotContext) -> None:
    """/interview [topic]: a question with a button that reveals the model answer."""
    ok, topic_id, title = await _resolve_topic(update, context, " ".join(context.args or []))
    if ok:
        await _interview(update, context, topic_id, title)


# --- menus and help ----------------------------------------------------------------------


async def start_command(update: Update, context: QuizbotContext) -> None:
    """/start [payload]: welcome and menu; deep links open a quiz or interview question."""
    where = _chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    payload = (context.args or [""])[0]
    await _reply(update, texts.WELCOME, reply_markup=menu_keyboard())
    kind, _, item_id = payload.partition("_")
    if kind == "demo" and item_id:
        alert = await demo_handlers.open_panel(update, context, item_id)
        if alert is not None:
            await context.bot.send_message(chat_id, alert)
        return
    if kind not in ("quiz", "interview") or not item_id:
        return
    async with context.services.sessions() as session:
        if kind == "quiz":
            quiz = await catalog.active_quiz(session, item_id)
            view: QuizView | InterviewView | None = None if quiz is None else QuizView.of(quiz)
        else:
            question = await catalog.active_interview(session, item_id)
            view = None if question is None else InterviewView.of(question)
    if view is None:
        await context.bot.send_message(chat_id, texts.ITEM_GONE)
    elif isinstance(view, QuizView):
        await send_quiz(context, chat_id, learner, view, Purpose.SINGLE, next_topic=view.topic_id)
    else:
        await send_interview(context, chat_id, learner, view)


async def help_command(update: Update, context: QuizbotContext) -> None:
    """/help: the list of commands."""
    if _chat_and_learner(update, context) is not None:
        admin = bool(await channel_admin.admin_channels(update, context))
        text = f"{texts.HELP}\n\n{texts.ADMIN_HELP}" if admin else texts.HELP
        await _reply(update, text, reply_markup=menu_keyboard())


async def topics_command(update: Update, context: QuizbotContext) -> None:
    """/topics: a button per topic with its counts."""
    if _chat_and_learner(update, context) is not None:
        await _reply(update, texts.TOPICS_HEADER, reply_markup=await _topics_keyboard(context))


# --- review and progress -----------------------------------------------------------------


async def _send_review(context: QuizbotContext, chat_id: int, learner: str, announce: bool) -> None:
    services = context.services
    async with services.sessions() as session:
        due = await reviews.due_summary(session, learner, services.now())
    tz = services.settings.tz
    if due.next_quiz is not None:
        if announce:
            await context.bot.send_message(
                chat_id, texts.REVIEW_HEADER.format(count=fa_number(due.due_count))
            )
        await send_quiz(context, chat_id, learner, due.next_quiz, Purpose.REVIEW)
    elif not due.has_cards:
        await context.bot.send_message(chat_id, texts.REVIEW_EMPTY)
    elif due.next_due_at is not None:
        template = texts.REVIEW_NOTHING_DUE if announce else texts.REVIEW_DONE
        await context.bot.send_message(
            chat_id, template.format(date=jalali_date(due.next_due_at, tz))
        )


async def review_command(update: Update, context: QuizbotContext) -> None:
    """/review: the oldest due card, or when the next one falls due."""
    where = _chat_and_learner(update, context)
    if where is not None:
        await _send_review(context, *where, announce=True)


async def me_command(update: Update, context: QuizbotContext) -> None:
    """/me: the learner's own progress, in Persian digits."""
    where = _chat_and_learner(update, context)
    if where is None:
        return
    _, learner = where
    services = context.services
    async with services.sessions() as session:
        stats = await progress.learner_progress(
            session, learner, services.now(), services.settings.tz
        )
    if stats.answered == 0:
        await _reply(update, texts.PROGRESS_EMPTY)
        return
    lines = [
        texts.PROGRESS.format(
            answered=fa_number(stats.answered),
            correct=fa_number(stats.correct),
            percent=fa_percent(stats.correct, stats.answered),
            streak=fa_number(stats.streak_days),
            due=fa_number(stats.reviews_due),
        ),
        texts.PROGRESS_TOPICS_HEADER,
    ]
    lines += [
        texts.PROGRESS_TOPIC.format(
            title=topic.title,
            correct=fa_number(topic.correct),
            total=fa_number(topic.total),
            percent=fa_percent(topic.correct, topic.total),
        )
        for topic in stats.topics
    ]
    await _reply(update, "\n".join(lines))


async def forget_command(update: Update, context: QuizbotContext) -> None:
    """/forget: ask for confirmation before deleting everything stored for the learner."""
    if _chat_and_learner(update, context) is None:
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.FORGET_YES, callback_data=encode("forget", "yes")),
                InlineKeyboardButton(texts.FORGET_NO, callback_data=encode("forget", "no")),
            ]
        ]
    )
    await _reply(update, texts.FORGET_CONFIRM, reply_markup=keyboard)


# --- buttons -----------------------------------------------------------------------------


async def _topic_title(context: QuizbotContext, topic_id: str | None) -> tuple[bool, str | None]:
    if topic_id is None:
        return True, None
    async with context.services.sessions() as session:
        topic = await catalog.find_topic(session, topic_id)
    return (topic is not None), (topic.title if topic else None)


async def _button(update: Update, context: QuizbotContext, button: Button) -> str | None:
    """Carry out a button; return an alert text for the button, or None."""
    where = _chat_and_learner(update, context)
    if where is None:
        return None
    chat_id, learner = where
    if button.action == "admin":
        return await channel_admin.admin_button(update, context, button)
    if button.action.startswith("demo_"):
        return await demo_handlers.demo_button(update, context, button)
    if button.action == "forget":
        if button.value == "yes":
            async with context.services.sessions.begin() as session:
                await forget.forget_learner(session, learner)
            await context.bot.send_message(chat_id, texts.FORGET_DONE)
        else:
            await context.bot.send_message(chat_id, texts.FORGET_CANCELLED)
        return None
    if button.action == "reveal_answer":
        async with context.services.sessions() as session:
            question = await catalog.active_interview(session, button.value)
        message = update.effective_message
        if question is None or message is None:
            return texts.ITEM_GONE
        await with_retry(
            lambda: context.bot.edit_message_text(
                interview_text(InterviewView.of(question), with_answer=True),
                chat_id=chat_id,
                message_id=message.message_id,
            )
        )
        return None
    known, title = await _topic_title(context, button.topic)
    if not known:
        return texts.ITEM_GONE
    if button.action == "topic_menu":
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.TOPIC_QUIZ_BUTTON, callback_data=encode("quiz", button.value)
                    ),
                    InlineKeyboardButton(
                        texts.TOPIC_TEST_BUTTON.format(size=fa_number(test_sessions.DEFAULT_SIZE)),
                        callback_data=encode("test", button.value),
                    ),
                    InlineKeyboardButton(
                        texts.TOPIC_INTERVIEW_BUTTON,
                        callback_data=encode("interview", button.value),
                    ),
                ]
            ]
        )
        await context.bot.send_message(
            chat_id, texts.TOPIC_MENU.format(title=title), reply_markup=keyboard
        )
    elif button.action == "quiz":
        await _quiz(update, context, button.topic, title)
    elif button.action == "test":
        await _start_test(update, context, button.topic, title, test_sessions.DEFAULT_SIZE)
    elif button.action == "interview":
        await _interview(update, context, button.topic, title)
    return None


async def button_pressed(update: Update, context: QuizbotContext) -> None:
    """Any inline button: decode strictly, act, then acknowledge the press."""
    query = update.callback_query
    if query is None:
        return
    button = decode(query.data)
    alert = texts.BAD_BUTTON if button is None else await _button(update, context, button)
    await query.answer(alert)


# --- poll answers ------------------------------------------------------------------------


async def poll_answer(update: Update, context: QuizbotContext) -> None:
    """Record a learner's vote under their keyed hash and send what follows it."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return
    services = context.services
    learner = services.learner(answer.user.id)
    async with services.sessions.begin() as session:
        outcome = await record_answer(
            session, learner, answer.poll_id, answer.option_ids, services.now()
        )
    if outcome.status is AnswerStatus.UNKNOWN_POLL:
        log.info("answer to unknown poll %s ignored", answer.poll_id)
        return
    if outcome.status is not AnswerStatus.RECORDED:
        return
    await _after_answer(context, answer.user.id, learner, outcome)


async def _after_answer(
    context: QuizbotContext, chat_id: int, learner: str, outcome: AnswerOutcome
) -> None:
    if outcome.test is not None:
        if outcome.test_finished:
            await _send_score_card(context, chat_id, outcome.test)
        else:
            await _send_next_test_quiz(context, chat_id, learner, outcome.test)
    elif outcome.purpose is Purpose.REVIEW:
        await _send_review(context, chat_id, learner, announce=False)
    # A single quiz needs no reply: its poll shows the result and carries a "next" button.


async def _send_score_card(context: QuizbotContext, chat_id: int, test: TestSession) -> None:
    async with context.services.sessions() as session:
        card = await test_sessions.score_card(session, test)
    weakest = (
        texts.WEAKEST_TOPIC.format(
            title=card.weakest.title,
            correct=fa_number(card.weakest.correct),
            total=fa_number(card.weakest.total),
        )
        if card.weakest
        else texts.NO_WEAK_TOPIC
    )
    await context.bot.send_message(
        chat_id,
        texts.SCORE_CARD.format(
            correct=fa_number(card.correct),
            size=fa_number(card.size),
            percent=fa_percent(card.correct, card.size),
            duration=fa_duration(card.duration),
            weakest=weakest,
        ),
        reply_markup=next_quiz_keyboard(test.topic_id),
    )


# --- everything else ---------------------------------------------------------------------


COMMANDS = {
    "start": start_command,
    "help": help_command,
    "quiz": quiz_command,
    "test": test_command,
    "interview": interview_command,
    "topics": topics_command,
    "review": review_command,
    "me": me_command,
    "demo": demo_handlers.demo_command,
    "forget": forget_command,
}


async def menu_or_free_text(update: Update, context: QuizbotContext) -> None:
    """A menu button stands for its command; other text gets a hint."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if await channel_admin.schedule_time_text(update, context):
        return
    command = texts.MENU.get(message.text.strip())
    if command is None:
        await _reply(update, texts.FREE_TEXT, reply_markup=menu_keyboard())
        return
    context.args = []
    await COMMANDS[command](update, context)


async def unknown_command(update: Update, context: QuizbotContext) -> None:
    """A command the bot does not have."""
    await _reply(update, texts.UNKNOWN_COMMAND)
