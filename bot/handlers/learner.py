"""Learner entry points in private chat: start, help, topics, buttons and the menu.

The work lives in learner_practice (quizzes, tests, reviews, answers) and learner_account."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.handlers import channel_admin
from bot.handlers import demos as demo_handlers
from bot.handlers.callback_data import Button, decode, encode
from bot.handlers.learner_account import forget_command, me_command
from bot.handlers.learner_common import (
    chat_and_learner,
    reply,
    topics_keyboard,
)
from bot.handlers.learner_practice import (
    interview_command,
    poll_answer,
    quiz_command,
    review_command,
    send_next_interview,
    send_next_quiz,
    start_test,
    test_command,
)
from bot.handlers.sending import (
    interview_text,
    menu_keyboard,
    send_interview,
    send_quiz,
    with_retry,
)
from bot.persian import fa_number
from bot.services import catalog, forget, test_sessions
from bot.services.views import InterviewView, QuizView

log = logging.getLogger(__name__)

__all__ = ["COMMANDS", "button_pressed", "menu_or_free_text", "poll_answer", "unknown_command"]


# --- menus and help ----------------------------------------------------------------------


async def start_command(update: Update, context: QuizbotContext) -> None:
    """/start [payload]: welcome and menu; deep links open a quiz or interview question."""
    where = chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    payload = (context.args or [""])[0]
    await reply(update, texts.WELCOME, reply_markup=menu_keyboard())
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
    if chat_and_learner(update, context) is not None:
        admin = bool(await channel_admin.admin_channels(update, context))
        text = f"{texts.HELP}\n\n{texts.ADMIN_HELP}" if admin else texts.HELP
        await reply(update, text, reply_markup=menu_keyboard())


async def topics_command(update: Update, context: QuizbotContext) -> None:
    """/topics: a button per topic with its counts."""
    if chat_and_learner(update, context) is not None:
        await reply(update, texts.TOPICS_HEADER, reply_markup=await topics_keyboard(context))


# --- buttons -----------------------------------------------------------------------------


async def _topic_title(context: QuizbotContext, topic_id: str | None) -> tuple[bool, str | None]:
    if topic_id is None:
        return True, None
    async with context.services.sessions() as session:
        topic = await catalog.find_topic(session, topic_id)
    return (topic is not None), (topic.title if topic else None)


async def _button(update: Update, context: QuizbotContext, button: Button) -> str | None:
    """Carry out a button; return an alert text for the button, or None."""
    where = chat_and_learner(update, context)
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
        await send_next_quiz(update, context, button.topic, title)
    elif button.action == "test":
        await start_test(update, context, button.topic, title, test_sessions.DEFAULT_SIZE)
    elif button.action == "interview":
        await send_next_interview(update, context, button.topic, title)
    return None


async def button_pressed(update: Update, context: QuizbotContext) -> None:
    """Any inline button: decode strictly, act, then acknowledge the press."""
    query = update.callback_query
    if query is None:
        return
    button = decode(query.data)
    alert = texts.BAD_BUTTON if button is None else await _button(update, context, button)
    await query.answer(alert)


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
        await reply(update, texts.FREE_TEXT, reply_markup=menu_keyboard())
        return
    context.args = []
    await COMMANDS[command](update, context)


async def unknown_command(update: Update, context: QuizbotContext) -> None:
    """A command the bot does not have."""
    await reply(update, texts.UNKNOWN_COMMAND)
