"""Telegram tells the bot about its channels and about channel poll totals."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot import texts
from bot.context import QuizbotContext
from bot.services import channel_results, channels

log = logging.getLogger(__name__)


# --- Telegram tells us about channels and polls -------------------------------------------


async def bot_membership(update: Update, context: QuizbotContext) -> None:
    """The bot was made admin of a channel (remember it) or lost its rights (stop posting)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.CHANNEL:
        return
    status = change.new_chat_member.status
    async with context.services.sessions.begin() as session:
        if status == ChatMemberStatus.ADMINISTRATOR:
            channel = await channels.bot_added(
                session,
                change.chat.id,
                change.chat.title or "",
                change.chat.username,
                context.services.now(),
            )
            title = channel.title
        else:
            await channels.bot_removed(session, change.chat.id)
            return
    try:
        await context.bot.send_message(change.from_user.id, texts.CHANNEL_ADDED.format(title=title))
    except TelegramError as error:  # the admin may never have started the bot
        log.info("could not greet the admin who added the bot: %s", error)


async def poll_results(update: Update, context: QuizbotContext) -> None:
    """New totals of a channel poll become a vote snapshot."""
    poll = update.poll
    if poll is None:
        return
    async with context.services.sessions.begin() as session:
        await channel_results.record_snapshot(
            session,
            poll.id,
            [option.voter_count for option in poll.options],
            poll.total_voter_count,
            poll.is_closed,
            context.services.now(),
        )
