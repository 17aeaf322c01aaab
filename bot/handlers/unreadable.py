"""Updates with text no database can hold are refused before dispatch: nothing stores it.

Telegram sends UTF-8, but JSON can carry a lone UTF-16 surrogate as an escape (`"\\ud800"`),
and Python reads it into a string that can be neither written to the database nor sent back
to Telegram; JSON can carry U+0000 too, which PostgreSQL cannot store in text. One check at
the edge (group -2, before the stored conversations are read) spares every handler from
meeting such a string.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.replies import acknowledge, reply

log = logging.getLogger(__name__)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def storable(text: str) -> bool:
    """Whether a database can hold `text`: UTF-8 (no lone surrogate) without NUL."""
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return "\x00" not in text


# The strings of a voter that a poll answer carries (Telegram's field names and PTB's alike):
# with the poll id, all the text a vote has to be checked for.
VOTER_TEXTS = ("first_name", "last_name", "username")


def readable(update: Update) -> bool:
    """Whether every string in the update is UTF-8 without NUL (what databases can store)."""
    if update.poll is not None:
        return True  # only the bot's own polls report totals: their text came from us
    answer = update.poll_answer
    if answer is not None:
        # The busiest update, and its strings are few: checked without serialising it all.
        user, chat = answer.user, answer.voter_chat
        names: tuple[str | None, ...] = ()
        if user is not None:
            names = tuple(getattr(user, field) for field in VOTER_TEXTS)
        if chat is not None:
            names += (chat.title, chat.username)
        return all(storable(text) for text in (answer.poll_id, *names) if text is not None)
    return all(storable(text) for text in _strings(update.to_dict()))


async def refuse_unreadable(update: Update, context: QuizbotContext) -> None:
    """Answer an unreadable message or button briefly, and stop the update there."""
    if readable(update):
        return
    log.info("update %s carries text no database can store; refused", update.update_id)
    chat = update.effective_chat
    if update.callback_query is not None:
        await acknowledge(update.callback_query, texts.BAD_BUTTON)
    elif update.effective_message and chat is not None and chat.type == ChatType.PRIVATE:
        await reply(update, texts.UNREADABLE_TEXT)  # groups and channels are not talked to
    raise ApplicationHandlerStop


def unreadable_guard() -> TypeHandler[Update, QuizbotContext, None]:
    """The handler that refuses unreadable updates (registered in group -2)."""
    return TypeHandler(Update, refuse_unreadable)
