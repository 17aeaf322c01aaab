"""Channels the bot posts to, learned from Telegram, and their posting settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel


async def bot_added(
    session: AsyncSession, chat_id: int, title: str, username: str | None, now: datetime
) -> Channel:
    """Remember a channel where the bot became an admin (or update its title)."""
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
    return channel


async def bot_removed(session: AsyncSession, chat_id: int) -> None:
    """The bot lost its admin rights or left: stop posting there, keep the history."""
    channel = await session.scalar(select(Channel).where(Channel.chat_id == chat_id))
    if channel is not None:
        channel.bot_is_admin = False


async def active_channels(session: AsyncSession) -> list[Channel]:
    """Channels where the bot can post."""
    return list(
        await session.scalars(
            select(Channel).where(Channel.bot_is_admin.is_(True)).order_by(Channel.id)
        )
    )


async def channel_by_chat(session: AsyncSession, chat_id: int) -> Channel | None:
    """The channel with this Telegram chat id."""
    return await session.scalar(select(Channel).where(Channel.chat_id == chat_id))


async def all_channels(session: AsyncSession) -> dict[int, Channel]:
    """Every known channel by its database id."""
    return {channel.id: channel for channel in (await session.scalars(select(Channel))).all()}
