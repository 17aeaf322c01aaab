"""Who may administer a channel, and which channel an admin is working on."""

from __future__ import annotations

import logging
import time as clock
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Channel
from bot.handlers.callback_data import encode
from bot.handlers.sending import with_retry
from bot.services import channels

log = logging.getLogger(__name__)


ADMIN_CACHE_KEY = "admin_cache"
ADMIN_CACHE_SECONDS = 300  # getChatAdministrators is cached briefly: admins rarely change
CURRENT_CHANNEL = "channel_id"
SCHEDULE_DRAFT = "schedule"

# --- who may administer --------------------------------------------------------------------


async def _can_post(
    bot: Bot, cache: dict[int, tuple[float, set[int]]], chat_id: int, user_id: int
) -> bool:
    cached = cache.get(chat_id)
    if cached is None or cached[0] < clock.monotonic():
        try:
            members = await bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            log.warning("cannot read the admins of %s: %s", chat_id, error)
            return False
        posters = {
            member.user.id
            for member in members
            if member.status == ChatMemberStatus.OWNER
            or getattr(member, "can_post_messages", False)
        }
        cached = (clock.monotonic() + ADMIN_CACHE_SECONDS, posters)
        cache[chat_id] = cached
    return user_id in cached[1]


async def admin_channels(update: Update, context: QuizbotContext) -> list[Channel]:
    """Channels the user may administer: a Telegram admin who can post, and listed if a list
    of admin ids is configured."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return []
    allowed = context.services.settings.admin_ids
    if allowed and user.id not in allowed:
        return []
    cache = context.bot_data.setdefault(ADMIN_CACHE_KEY, {})
    async with context.services.sessions() as session:
        known = await channels.active_channels(session)
    return [c for c in known if await _can_post(context.bot, cache, c.chat_id, user.id)]


async def reply(update: Update, text: str, **kwargs: Any) -> None:
    """Reply to the message that brought the update."""
    message = update.effective_message
    if message is not None:
        await with_retry(lambda: message.reply_text(text, **kwargs))


async def current_channel(update: Update, context: QuizbotContext) -> Channel | None:
    """The channel the admin works on; None (after replying) when there is none to use."""
    mine = await admin_channels(update, context)
    if not mine:
        async with context.services.sessions() as session:
            any_channel = await channels.active_channels(session)
        await reply(update, texts.NOT_ADMIN if any_channel else texts.NO_CHANNELS)
        return None
    user_data = context.user_data if context.user_data is not None else {}
    chosen = user_data.get(CURRENT_CHANNEL)
    for channel in mine:
        if channel.id == chosen:
            return channel
    if len(mine) == 1:
        return mine[0]
    await channel_menu(update, mine)
    return None


async def channel_menu(update: Update, mine: list[Channel]) -> None:
    """Buttons to choose which of your channels to work on."""
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(c.title, callback_data=encode("admin", f"use:{c.id}"))]
            for c in mine
        ]
    )
    await reply(update, texts.CHANNEL_LIST, reply_markup=keyboard)
