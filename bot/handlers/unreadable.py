"""Updates whose text is not Unicode are refused before dispatch: nothing stores or echoes it.

Telegram sends UTF-8, but JSON can carry a lone UTF-16 surrogate as an escape (`"\\ud800"`),
and Python reads it into a string that can be neither written to the database nor sent back
to Telegram. One check at the edge (group -2, before the stored conversations are read)
spares every handler from meeting such a string.
"""

from __future__ import annotations

import json
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.replies import acknowledge, reply

log = logging.getLogger(__name__)


def readable(update: Update) -> bool:
    """Whether every string in the update can be encoded as UTF-8."""
    try:
        json.dumps(update.to_dict(), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


async def refuse_unreadable(update: Update, context: QuizbotContext) -> None:
    """Answer an unreadable message or button briefly, and stop the update there."""
    if readable(update):
        return
    log.info("update %s carries text that is not Unicode; refused", update.update_id)
    chat = update.effective_chat
    if update.callback_query is not None:
        await acknowledge(update.callback_query, texts.BAD_BUTTON)
    elif update.effective_message and chat is not None and chat.type == ChatType.PRIVATE:
        await reply(update, texts.UNREADABLE_TEXT)  # groups and channels are not talked to
    raise ApplicationHandlerStop


def unreadable_guard() -> TypeHandler[Update, QuizbotContext, None]:
    """The handler that refuses unreadable updates (registered in group -2)."""
    return TypeHandler(Update, refuse_unreadable)
