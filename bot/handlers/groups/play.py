"""/game, /quiz, /start and /help in groups (and their Persian words); /game in private chat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.bank.normalize import comparison_key
from bot.context import QuizbotContext
from bot.handlers.groups.admins import admin_checked
from bot.handlers.groups.settings import settings_decide
from bot.handlers.learning.topics import scope_text
from bot.handlers.replies import chat_id_of, quoted, reply
from bot.handlers.work import renders, unit_of_work
from bot.persian import fa_number
from bot.services.groups import games
from bot.services.groups.outcomes import (
    BadGameSize,
    GameAlreadyRunning,
    GameStarted,
    GroupUnknownTopic,
)

# New messages in groups and supergroups (an edited "/game" starts nothing).
IN_GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
# The Persian words, compared as the bank compares text (Arabic ي/ك, ZWNJ, case).
ALIASES = {comparison_key(word): name for word, name in texts.GROUP_ALIASES.items()}


async def _start(
    update: Update,
    context: QuizbotContext,
    session: AsyncSession,
    words: Sequence[str],
    single: bool,
) -> object:
    runtime = context.runtime
    chat_id = chat_id_of(update)
    return await games.start_game(
        session,
        runtime.group(chat_id),
        runtime.sealer.seal(chat_id),  # the game must post here; only sealed in the database
        words,
        runtime.now(),
        single=single,
    )


async def game_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/game [topic] [n]: a game of n questions (the group's settings fill in the rest)."""
    return await _start(update, context, session, list(context.args or []), single=False)


async def quiz_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/quiz [topic] in a group: one timed question, then who got it right and how fast."""
    return await _start(update, context, session, list(context.args or []), single=True)


async def group_help(update: Update, context: QuizbotContext) -> None:
    """/start or /help in a group: what the bot does there (a deep link's payload is ignored)."""
    await reply(update, texts.GROUP_HELP)


async def games_are_for_groups(update: Update, context: QuizbotContext) -> None:
    """/game or /gamesettings in private chat."""
    await reply(update, texts.GAMES_ARE_FOR_GROUPS)


def alias_of(message: Message | None) -> tuple[str, list[str]] | None:
    """The group command a Persian message stands for («بازی cnn ۵»), with its words."""
    words = (message.text or "").split() if message is not None else []
    for size in (2, 1):  # «تنظیمات بازی» before «بازی»
        if len(words) >= size and comparison_key(" ".join(words[:size])) in ALIASES:
            return ALIASES[comparison_key(" ".join(words[:size]))], words[size:]
    return None


class _Alias(filters.MessageFilter):
    """A message that starts with the Persian words of one of these group commands."""

    def __init__(self, *commands: str) -> None:
        super().__init__()
        self.commands = commands

    def filter(self, message: Message) -> bool:
        found = alias_of(message)
        return found is not None and found[0] in self.commands


async def alias_decide(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """«بازی» or «کوییز» as a message: the command, but quiet unless it fully makes sense.

    A message that merely starts with the word («بازی دیشب عالی بود») is conversation, not a
    request: it gets no "unknown topic" reply.
    """
    found = alias_of(update.message)
    if found is None:
        return None
    outcome = await _start(update, context, session, found[1], single=found[0] == "quiz")
    quiet = (GroupUnknownTopic, BadGameSize, GameAlreadyRunning)
    return None if isinstance(outcome, quiet) else outcome


async def settings_alias(
    update: Update, context: QuizbotContext, session: AsyncSession, admin: bool
) -> object:
    """«تنظیمات بازی» as a message: the settings panel."""
    found = alias_of(update.message)
    if found is None or found[1]:  # «تنظیمات بازی» and nothing more
        return None
    return await settings_decide(update, context, session, admin)


@renders(GameStarted)
async def show_game_started(update: Update, context: QuizbotContext, outcome: GameStarted) -> None:
    """The start message; the tick posts the first question a moment later."""
    scope = scope_text(outcome.topic.title if outcome.topic else None)
    template = texts.QUIZ_STARTED if outcome.requested == 1 else texts.GAME_STARTED
    text = template.format(
        size=fa_number(outcome.size), scope=scope, timer=fa_number(outcome.timer_seconds)
    )
    if outcome.size < outcome.requested:
        short = texts.GAME_NOT_ENOUGH.format(scope=scope, count=fa_number(outcome.size))
        text = f"{short}\n{text}"
    await reply(update, text)


@renders(GameAlreadyRunning)
async def show_running(
    update: Update, context: QuizbotContext, outcome: GameAlreadyRunning
) -> None:
    """One game at a time in a group."""
    await reply(
        update,
        texts.GAME_RUNNING.format(asked=fa_number(outcome.asked), size=fa_number(outcome.size)),
    )


@renders(GroupUnknownTopic)
async def show_unknown_topic(
    update: Update, context: QuizbotContext, outcome: GroupUnknownTopic
) -> None:
    """The topics there are, as text: buttons in a group would be everyone's to press."""
    lines = [texts.GROUP_TOPIC_LINE.format(title=t.title, id=t.id) for t in outcome.topics]
    example = outcome.topics[0].id if outcome.topics else ""
    await reply(
        update,
        texts.GROUP_UNKNOWN_TOPIC.format(
            topic=quoted(outcome.text), topics="\n".join(lines), example=example
        ),
    )


@renders(BadGameSize)
async def show_bad_size(update: Update, context: QuizbotContext, outcome: BadGameSize) -> None:
    """The allowed number of questions."""
    await reply(
        update, texts.BAD_GAME_SIZE.format(low=fa_number(outcome.low), high=fa_number(outcome.high))
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The group commands and their Persian words; /game and /gamesettings in private chat."""
    private = filters.ChatType.PRIVATE
    text = IN_GROUPS & filters.TEXT & ~filters.COMMAND
    return [
        CommandHandler("game", unit_of_work(game_command), filters=IN_GROUPS),
        CommandHandler("quiz", unit_of_work(quiz_command), filters=IN_GROUPS),
        CommandHandler(("start", "help"), group_help, filters=IN_GROUPS),
        CommandHandler("gamesettings", admin_checked(settings_decide), filters=IN_GROUPS),
        MessageHandler(text & _Alias("game", "quiz"), unit_of_work(alias_decide)),
        MessageHandler(text & _Alias("gamesettings"), admin_checked(settings_alias)),
        CommandHandler(("game", "gamesettings"), games_are_for_groups, filters=private),
    ]
