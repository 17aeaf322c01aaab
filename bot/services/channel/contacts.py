"""The channel admins who hear about failures: who added the bot, who manages through it.

Each is kept under the keyed hash of their user id with their private chat sealed (see
`ChatSealer`); a notice reaches only those Telegram still lists as the channel's admins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.inserts import insert_once
from bot.db.models import AdminContact, ChannelAdmin


async def remember(
    session: AsyncSession, channel_id: int, admin_hash: str, sealed_chat: str, now: datetime
) -> None:
    """Keep this admin as one to tell about the channel (once: later calls change nothing)."""
    values = {
        "channel_id": channel_id,
        "admin_hash": admin_hash,
        "sealed_chat": sealed_chat,
        "since": now,
    }
    await insert_once(session, AdminContact, values, ["channel_id", "admin_hash"])


async def sealed_chats(session: AsyncSession, channel_id: int) -> list[str]:
    """The sealed private chats of the channel's contacts who are still its admins."""
    rows = await session.scalars(
        select(AdminContact.sealed_chat)
        .join(
            ChannelAdmin,
            (ChannelAdmin.channel_id == AdminContact.channel_id)
            & (ChannelAdmin.admin_hash == AdminContact.admin_hash),
        )
        .where(AdminContact.channel_id == channel_id)
        .order_by(AdminContact.since)
    )
    return list(rows.all())
