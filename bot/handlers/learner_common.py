"""What every learner handler needs: who is asking, replies, topic lookup."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.callback_data import encode
from bot.handlers.sending import (
    with_retry,
)
from bot.persian import fa_number
from bot.services import catalog

log = logging.getLogger(__name__)


def chat_and_learner(update: Update, context: QuizbotContext) -> tuple[int, str] | None:
    """The private chat and the learner hash of the update; None outside private chats."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return None
    return chat.id, context.services.learner(user.id)


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Reply to the message that brought the update, retrying server errors."""
    message = update.effective_message
    if message is not None:
        await with_retry(lambda: message.reply_text(text, **kwargs))  # type: ignore[arg-type]


async def topics_keyboard(context: QuizbotContext) -> InlineKeyboardMarkup:
    """A button per active topic with its quiz and interview counts."""
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


async def resolve_topic(
    update: Update, context: QuizbotContext, text: str
) -> tuple[bool, str | None, str | None]:
    """(ok, topic id, topic title); replies with the topic list when the name is unknown."""
    if not text:
        return True, None, None
    async with context.services.sessions() as session:
        topic = await catalog.find_topic(session, text)
    if topic is None:
        await reply(
            update,
            texts.UNKNOWN_TOPIC.format(topic=text),
            reply_markup=await topics_keyboard(context),
        )
        return False, None, None
    return True, topic.id, topic.title


def scope_text(title: str | None) -> str:
    """ "the bank" or "topic X", for messages about what was picked from."""
    return texts.SCOPE_TOPIC.format(title=title) if title else texts.SCOPE_ALL
