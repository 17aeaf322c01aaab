"""Who administers which channel, as Telegram says, and which channel an admin works on.

Telegram's admin list (getChatAdministrators, and chat_member updates as admins change) is
mirrored into `channel_admins` under the keyed hash of each admin's user id, so a request is
checked inside its own transaction, by every bot process alike, without an API call.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import utcnow
from bot.db.models import AdminChoice, AdminContact, Channel, ChannelAdmin
from bot.services.channel import contacts
from bot.services.channel.outcomes import (
    ChannelChosen,
    ChooseChannel,
    NoChannels,
    NotAdmin,
    Refusal,
)
from bot.services.channel.views import ChannelView

# Telegram's admin list is read again when older than this (admins rarely change, and
# chat_member updates report changes as they happen).
ADMINS_MAX_AGE = timedelta(minutes=5)


@dataclass(frozen=True)
class Admin:
    """A person asking to administer: their keyed hash, and whether ADMIN_IDS lets them.

    `sealed_chat` (their private chat, sealed) makes them one of the channel's contacts the
    moment they act on it; read-only work leaves it out (it must not write). `history`:
    reading past results, for which channels the bot has left count too.
    """

    person: str
    listed: bool  # True when ADMIN_IDS is unset or names them
    sealed_chat: str | None = None
    history: bool = False


async def administered(session: AsyncSession, admin: Admin) -> tuple[ChannelView, ...]:
    """The channels where the bot can post (or could, for history) and the person is admin."""
    if not admin.listed:
        return ()
    query = (
        select(Channel)
        .join(ChannelAdmin, ChannelAdmin.channel_id == Channel.id)
        .where(ChannelAdmin.admin_hash == admin.person)
        .order_by(Channel.id)
    )
    if not admin.history:
        query = query.where(Channel.bot_is_admin.is_(True))
    rows = await session.scalars(query)
    return tuple(ChannelView.of(channel) for channel in rows)


async def refusal(session: AsyncSession) -> NotAdmin | NoChannels:
    """Why someone without a channel of theirs is refused: not an admin, or no channel yet."""
    any_channel = await session.scalar(select(Channel.id).where(Channel.bot_is_admin.is_(True)))
    return NotAdmin() if any_channel is not None else NoChannels()


async def acting_channel(session: AsyncSession, admin: Admin) -> ChannelView | Refusal:
    """The channel this admin works on: the chosen one, the only one, or a question."""
    mine = await administered(session, admin)
    if not mine:
        return await refusal(session)
    chosen = await session.get(AdminChoice, admin.person)
    acting = next((c for c in mine if chosen is not None and c.id == chosen.channel_id), None)
    if acting is None and len(mine) == 1:
        acting = mine[0]
    if acting is None:
        return ChooseChannel(mine)
    if admin.sealed_chat is not None:  # managing through the bot: told of its failures
        await contacts.remember(session, acting.id, admin.person, admin.sealed_chat, utcnow())
    return acting


async def channel_list(
    session: AsyncSession, admin: Admin
) -> ChooseChannel | NotAdmin | NoChannels:
    """/channels: the admin's channels, to choose the one to work on."""
    mine = await administered(session, admin)
    return ChooseChannel(mine) if mine else await refusal(session)


async def choose(
    session: AsyncSession, admin: Admin, channel_id: int, now: datetime
) -> ChannelChosen | NotAdmin | NoChannels:
    """Work on `channel_id` from now on, if the person administers it."""
    channel = next((c for c in await administered(session, admin) if c.id == channel_id), None)
    if channel is None:
        return await refusal(session)
    if admin.sealed_chat is not None:
        await contacts.remember(session, channel.id, admin.person, admin.sealed_chat, now)
    choice = await session.get(AdminChoice, admin.person)
    if choice is None:
        session.add(AdminChoice(admin_hash=admin.person, channel_id=channel_id, chosen_at=now))
    else:
        choice.channel_id, choice.chosen_at = channel_id, now
    return ChannelChosen(channel)


async def is_admin(session: AsyncSession, admin: Admin) -> bool:
    """Whether the person administers any of the bot's channels (for /help)."""
    return bool(await administered(session, admin))


@dataclass(frozen=True)
class AdminsRead:
    """What reading a channel's admin list again changed for people's command menus."""

    added: frozenset[str]  # keyed hashes of the new admins (they get the admins' menu)
    # Sealed private chats of admins who lost their last channel and had used the bot (the
    # only ones whose chat the bot knows): their menu goes back to the learners' one.
    dropped_chats: tuple[str, ...] = ()


async def replace_admins(
    session: AsyncSession, chat_id: int, people: Iterable[str], now: datetime
) -> AdminsRead:
    """Telegram's current admin list of a channel (those who can post), as keyed hashes."""
    channel = await session.scalar(select(Channel).where(Channel.chat_id == chat_id))
    if channel is None:
        return AdminsRead(frozenset())
    current = set(people)
    known = set(
        await session.scalars(
            select(ChannelAdmin.admin_hash).where(ChannelAdmin.channel_id == channel.id)
        )
    )
    await session.execute(delete(ChannelAdmin).where(ChannelAdmin.channel_id == channel.id))
    session.add_all(ChannelAdmin(channel_id=channel.id, admin_hash=person) for person in current)
    channel.admins_checked_at = now
    await session.flush()
    gone = known - current
    dropped: list[str] = []
    if gone:
        still = set(
            await session.scalars(
                select(ChannelAdmin.admin_hash).where(ChannelAdmin.admin_hash.in_(gone))
            )
        )
        dropped = list(
            await session.scalars(
                select(AdminContact.sealed_chat)
                .where(AdminContact.admin_hash.in_(gone - still))
                .distinct()
            )
        )
    return AdminsRead(frozenset(current - known), tuple(dropped))


class AdminChange(enum.Enum):
    """What a chat_member update changed for the person's admin menu."""

    BECAME = "became"  # newly an admin who can post, of a channel the bot knows
    DROPPED = "dropped"  # no longer an admin of any channel the bot knows


async def admin_changed(
    session: AsyncSession, chat_id: int, person: str, can_post: bool
) -> AdminChange | None:
    """A chat_member update: someone became an admin who can post, or stopped being one.

    BECAME when they just became one (they get the admins' menu); DROPPED when they just
    stopped and administer none of the bot's channels any more (the menu goes).
    """
    channel_id = await session.scalar(select(Channel.id).where(Channel.chat_id == chat_id))
    if channel_id is None:
        return None
    row = await session.get(ChannelAdmin, (channel_id, person))
    if can_post and row is None:
        session.add(ChannelAdmin(channel_id=channel_id, admin_hash=person))
        return AdminChange.BECAME
    if not can_post and row is not None:
        await session.delete(row)
        await session.flush()
        still = await session.scalar(
            select(ChannelAdmin.channel_id).where(ChannelAdmin.admin_hash == person).limit(1)
        )
        return AdminChange.DROPPED if still is None else None
    return None


async def due_for_check(session: AsyncSession, now: datetime) -> tuple[int, ...]:
    """Chat ids of the channels whose admin list should be read from Telegram again."""
    rows = await session.scalars(
        select(Channel.chat_id).where(
            Channel.bot_is_admin.is_(True),
            (Channel.admins_checked_at.is_(None))
            | (Channel.admins_checked_at < now - ADMINS_MAX_AGE),
        )
    )
    return tuple(rows)
