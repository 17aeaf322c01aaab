"""A learner's own data: progress (/me) and deleting it (/forget)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.callback_data import encode
from bot.handlers.learner_common import (
    chat_and_learner,
    reply,
)
from bot.persian import fa_number, fa_percent
from bot.services import progress

log = logging.getLogger(__name__)


async def me_command(update: Update, context: QuizbotContext) -> None:
    """/me: the learner's own progress, in Persian digits."""
    where = chat_and_learner(update, context)
    if where is None:
        return
    _, learner = where
    services = context.services
    async with services.sessions() as session:
        stats = await progress.learner_progress(
            session, learner, services.now(), services.settings.tz
        )
    if stats.answered == 0:
        await reply(update, texts.PROGRESS_EMPTY)
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
    await reply(update, "\n".join(lines))


async def forget_command(update: Update, context: QuizbotContext) -> None:
    """/forget: ask for confirmation before deleting everything stored for the learner."""
    if chat_and_learner(update, context) is None:
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.FORGET_YES, callback_data=encode("forget", "yes")),
                InlineKeyboardButton(texts.FORGET_NO, callback_data=encode("forget", "no")),
            ]
        ]
    )
    await reply(update, texts.FORGET_CONFIRM, reply_markup=keyboard)
