"""Channels the bot posts to, learned from Telegram's membership updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_engine import notices
from bot.db.models import Channel, NoticeKind
from bot.services.channel import contacts
from bot.services.channel.views import ChannelView


async def bot_added(
    session: AsyncSession,
    chat_id: int,
    title: str,
    username: str | None,
    now: datetime,
    added_by: tuple[str, str] | None = None,
) -> ChannelView:
    """Remember a channel where the bot became an admin (or update its title).

    `added_by`: the keyed hash and sealed private chat of the admin who added the bot, who
    is told of the channel's failures from now on.
    """
    channel = await session.scalar(select(Channel).where(Channel.chat_id == chat_id))
    if channel is None:
        channel = Channel(
            chat_id=chat_id,
            title=title,
            username=username,
            created_at=now,
            updated_at=now,
            default_hashtags=[],
        )
        session.add(channel)
    channel.title, channel.username, channel.bot_is_admin = title, username, True
    await session.flush()
    if added_by is not None:
        await contacts.remember(session, channel.id, *added_by, now)
    return ChannelView.of(channel)


async def bot_removed(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """The bot lost its admin rights or left: stop posting there, keep the history, tell."""
    channel = await session.scalar(select(Channel).where(Channel.chat_id == chat_id))
    if channel is None or not channel.bot_is_admin:
        return  # unknown, or already told
    channel.bot_is_admin = False
    # Its admins hear it from the bot: posts that were due will not go out.
    await notices.add(
        session, NoticeKind.REMOVED, channel.id, now, f"removed:{channel.id}:{now.isoformat()}", now
    )


async def channel_by_chat(session: AsyncSession, chat_id: int) -> ChannelView | None:
    """The channel with this Telegram chat id."""
    channel = await session.scalar(select(Channel).where(Channel.chat_id == chat_id))
    return None if channel is None else ChannelView.of(channel)


async def chat_ids(session: AsyncSession) -> dict[int, int]:
    """Every known channel's Telegram chat id by its database id."""
    rows = await session.execute(select(Channel.id, Channel.chat_id))
    return {channel_id: chat_id for channel_id, chat_id in rows}
