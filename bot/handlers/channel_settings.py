"""Channel settings: signature, hashtags, numbering, grace window, toggles."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Channel
from bot.handlers.admin_rights import (
    admin_channels,
    channel_menu,
    current_channel,
    reply,
)
from bot.handlers.callback_data import encode
from bot.persian import fa_number

log = logging.getLogger(__name__)

# --- channels and settings ----------------------------------------------------------------


def settings_view(channel: Channel) -> tuple[str, InlineKeyboardMarkup]:
    """The settings text and its toggle buttons."""

    def state(value: bool) -> str:
        return texts.YES if value else texts.NO

    text = texts.CHANNEL_SETTINGS.format(
        title=channel.title,
        signature=channel.signature or texts.NONE_SET,
        hashtags=" ".join(channel.default_hashtags) or texts.NONE_SET,
        number=fa_number(channel.next_quiz_number),
        silent=state(channel.silent),
        pin=state(channel.pin_quizzes),
        grace=fa_number(channel.grace_minutes),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.TOGGLE_SILENT.format(state=state(channel.silent)),
                    callback_data=encode("admin", f"silent:{channel.id}"),
                ),
                InlineKeyboardButton(
                    texts.TOGGLE_PIN.format(state=state(channel.pin_quizzes)),
                    callback_data=encode("admin", f"pin:{channel.id}"),
                ),
            ]
        ]
    )
    return text, keyboard


async def channels_command(update: Update, context: QuizbotContext) -> None:
    """/channels: the channels you administer, to choose the one to work on."""
    mine = await admin_channels(update, context)
    if not mine:
        await current_channel(update, context)
        return
    await channel_menu(update, mine)


async def settings_command(update: Update, context: QuizbotContext) -> None:
    """/settings: the current channel's settings with toggles."""
    channel = await current_channel(update, context)
    if channel is not None:
        text, keyboard = settings_view(channel)
        await reply(update, text, reply_markup=keyboard)


async def _update_channel(update: Update, context: QuizbotContext, usage: str, change: Any) -> None:
    channel = await current_channel(update, context)
    if channel is None:
        return
    args = list(context.args or [])
    async with context.services.sessions.begin() as session:
        row = await session.get(Channel, channel.id)
        if row is None or not change(row, args):
            await reply(update, texts.SETTING_USAGE.format(usage=usage))
            return
    await reply(update, texts.SETTING_SAVED)


def _set_signature(row: Channel, args: list[str]) -> bool:
    row.signature = " ".join(args).strip() or None
    return True


def _set_hashtags(row: Channel, args: list[str]) -> bool:
    if not all(re.fullmatch(r"#\w+", tag) for tag in args):
        return False
    row.default_hashtags = list(args)
    return True


def _set_number(row: Channel, args: list[str]) -> bool:
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) < 1:
        return False
    row.next_quiz_number = int(args[0])
    return True


def _set_grace(row: Channel, args: list[str]) -> bool:
    if len(args) != 1 or not args[0].isdigit() or not 0 <= int(args[0]) <= 1440:
        return False
    row.grace_minutes = int(args[0])
    return True


async def signature_command(update: Update, context: QuizbotContext) -> None:
    """/signature TEXT: the line that ends interview and lesson posts."""
    await _update_channel(update, context, "/signature @Data_ML | دیتاساینس", _set_signature)


async def hashtags_command(update: Update, context: QuizbotContext) -> None:
    """/hashtags #A #B: hashtags added to every post."""
    await _update_channel(update, context, "/hashtags #Deep_Learning", _set_hashtags)


async def quiznumber_command(update: Update, context: QuizbotContext) -> None:
    """/quiznumber N: the number of the next channel quiz (to continue an old series)."""
    await _update_channel(update, context, "/quiznumber 96", _set_number)


async def grace_command(update: Update, context: QuizbotContext) -> None:
    """/grace MINUTES: how late a post due while the bot was down may still go out."""
    await _update_channel(update, context, "/grace 60", _set_grace)
