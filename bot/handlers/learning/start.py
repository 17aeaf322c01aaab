"""/start (with deep links), /help, the menu keyboard, and what the bot does not know."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.context import QuizbotContext
from bot.handlers import demos
from bot.handlers.channel.admin import admin_of
from bot.handlers.learning import account, exam, interview, quiz, remind, review, topics
from bot.handlers.learning.keyboards import menu_keyboard
from bot.handlers.replies import acknowledge, chat_id_of, reply, user_id_of
from bot.handlers.work import Decide, renders, unit_of_work
from bot.services.channel import rights
from bot.services.learning import exams, practice
from bot.services.learning.outcomes import Help, Nothing, Welcome

# Telegram's deep-link payload: `quiz_<id>`, `interview_<id>`, `demo_<name>` or `test_<code>`.
LINK_KINDS = ("quiz", "interview", "demo", "test")


async def start_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/start [payload]: the welcome and menu; a deep link then opens its item."""
    kind, _, item_id = (context.args or [""])[0].partition("_")
    if kind not in LINK_KINDS or not item_id:
        return Welcome()
    if kind == "demo":
        return Welcome(), await demos.panel_for_link(update, context, session, item_id)
    runtime = context.runtime
    learner = runtime.person(user_id_of(update))
    if kind == "test":
        # A friend's shared test; the chat is sealed in case the test is timed.
        sealed = runtime.sealer.seal(chat_id_of(update))
        return Welcome(), await exams.open_shared(session, learner, item_id, runtime.now(), sealed)
    return Welcome(), await practice.open_link(session, learner, kind, item_id)


async def help_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/help: the commands; channel admins also see theirs."""
    return Help(admin=await rights.is_admin(session, admin_of(update, context)))


@renders(Welcome)
async def show_welcome(update: Update, context: QuizbotContext, outcome: Welcome) -> None:
    """The greeting and the menu keyboard."""
    await reply(update, texts.WELCOME, reply_markup=menu_keyboard())


@renders(Help)
async def show_help(update: Update, context: QuizbotContext, outcome: Help) -> None:
    """The list of commands."""
    text = f"{texts.HELP}\n\n{texts.ADMIN_HELP}" if outcome.admin else texts.HELP
    await reply(update, text, reply_markup=menu_keyboard())


@renders(Nothing)
async def show_nothing(update: Update, context: QuizbotContext, outcome: Nothing) -> None:
    """Nothing to send (e.g. after a single quiz's answer: Telegram shows the result)."""


async def unknown_command(update: Update, context: QuizbotContext) -> None:
    """A command the bot does not have."""
    await reply(update, texts.UNKNOWN_COMMAND)


async def free_text(update: Update, context: QuizbotContext) -> None:
    """Text that is neither a command nor a menu button."""
    await reply(update, texts.FREE_TEXT, reply_markup=menu_keyboard())


async def bad_button(update: Update, context: QuizbotContext) -> None:
    """A button whose data no feature knows (tampered, or from an older version)."""
    if update.callback_query is not None:
        await acknowledge(update.callback_query, texts.BAD_BUTTON)


def learner_commands() -> dict[str, Decide]:
    """Every learner command by name (the menu keyboard's buttons stand for them too)."""
    return {
        "start": start_command,
        "help": help_command,
        **quiz.COMMANDS,
        **exam.COMMANDS,
        **interview.COMMANDS,
        **topics.COMMANDS,
        **review.COMMANDS,
        **account.COMMANDS,
        **remind.COMMANDS,
        **demos.COMMANDS,
    }


def command_handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The learner commands and the menu buttons that stand for them, in private chats."""
    private = filters.ChatType.PRIVATE
    commands = learner_commands()
    found: list[BaseHandler[Any, QuizbotContext, Any]] = [
        CommandHandler(name, unit_of_work(decide), filters=private)
        for name, decide in commands.items()
    ]
    for label, name in texts.MENU.items():
        if name in commands:
            found.append(
                MessageHandler(private & filters.Text([label]), unit_of_work(commands[name]))
            )
    return found


def fallback_handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """Registered last: unknown commands, other text, unknown buttons."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, free_text),
        CallbackQueryHandler(bad_button),
    ]
