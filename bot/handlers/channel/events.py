"""What Telegram tells the bot about its channels: membership, admins, poll totals."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, ChatMember, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ChatMemberHandler, PollHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.channel.menus import give_admin_menu, take_admin_menu
from bot.handlers.replies import with_retry
from bot.handlers.work import renders, unit_of_work
from bot.runtime import Runtime
from bot.services.channel import registry, results, rights
from bot.services.channel.outcomes import ChannelRegistered

log = logging.getLogger(__name__)


def can_post(member: ChatMember) -> bool:
    """Whether Telegram lets this member post in the channel (the owner always can)."""
    if member.status == ChatMemberStatus.OWNER:
        return True
    return member.status == ChatMemberStatus.ADMINISTRATOR and bool(
        getattr(member, "can_post_messages", False)
    )


async def refresh_admins(bot: Bot, runtime: Runtime, chat_id: int) -> None:
    """Read a channel's admins from Telegram and keep those who can post (keyed hashes)."""
    try:
        members = await with_retry(lambda: bot.get_chat_administrators(chat_id))
    except TelegramError as error:
        log.warning("cannot read the admins of %s: %s", chat_id, error)
        return
    posters = {runtime.person(m.user.id): m.user for m in members if can_post(m)}
    async with runtime.sessions.begin() as session:
        read = await rights.replace_admins(session, chat_id, posters, runtime.now())
    await give_admin_menu(bot, admin_ids(runtime, [posters[person] for person in read.added]))
    # A demotion the chat_member updates missed: the menu goes here instead (ADMIN_IDS keep it).
    unsealed = (runtime.sealer.unseal(sealed) for sealed in read.dropped_chats)
    dropped = {chat for chat in unsealed if chat is not None}
    for user_id in sorted(dropped - set(runtime.settings.admin_ids)):
        await take_admin_menu(bot, user_id)


def admin_ids(runtime: Runtime, users: Iterable[User]) -> list[int]:
    """The ids of the people (no bots) who may act as admins, to set their menu with."""
    allowed = runtime.settings.admin_ids
    return [u.id for u in users if not u.is_bot and (not allowed or u.id in allowed)]


async def membership_changed(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """The bot was made admin of a channel (remember it) or lost its rights (stop posting)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.CHANNEL:
        return None
    if change.new_chat_member.status != ChatMemberStatus.ADMINISTRATOR:
        await registry.bot_removed(session, change.chat.id, context.runtime.now())
        return None
    runtime = context.runtime
    adder = change.from_user.id
    return ChannelRegistered(
        await registry.bot_added(
            session,
            change.chat.id,
            change.chat.title or "",
            change.chat.username,
            runtime.now(),
            added_by=(runtime.person(adder), runtime.sealer.seal(adder)),
        )
    )


@renders(ChannelRegistered)
async def show_registered(
    update: Update, context: QuizbotContext, outcome: ChannelRegistered
) -> None:
    """Read the channel's admins, and greet the admin who added the bot."""
    await refresh_admins(context.bot, context.runtime, outcome.channel.chat_id)
    change = update.my_chat_member
    if change is None:
        return
    try:
        await context.bot.send_message(
            change.from_user.id, texts.CHANNEL_ADDED.format(title=outcome.channel.title)
        )
    except TelegramError as error:  # the admin may never have started the bot
        log.info("could not greet the admin who added the bot: %s", error)


async def admin_changed(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """Someone in a channel became, or stopped being, an admin who can post."""
    change = update.chat_member
    if change is None or change.chat.type != ChatType.CHANNEL:
        return None
    member = change.new_chat_member
    person = context.runtime.person(member.user.id)
    changed = await rights.admin_changed(session, change.chat.id, person, can_post(member))
    if changed is rights.AdminChange.BECAME:
        return BecameAdmin()
    if changed is rights.AdminChange.DROPPED:
        return DroppedAdmin()
    return None


@dataclass(frozen=True)
class BecameAdmin:
    """The member of the chat_member update just became an admin who can post."""


@renders(BecameAdmin)
async def show_became_admin(update: Update, context: QuizbotContext, outcome: BecameAdmin) -> None:
    """Their private chat gets the admins' command menu (after the change is stored)."""
    if update.chat_member is not None:
        user = update.chat_member.new_chat_member.user
        await give_admin_menu(context.bot, admin_ids(context.runtime, [user]))


@dataclass(frozen=True)
class DroppedAdmin:
    """The member of the chat_member update is no longer an admin of any of the channels."""


@renders(DroppedAdmin)
async def show_dropped_admin(
    update: Update, context: QuizbotContext, outcome: DroppedAdmin
) -> None:
    """Their private chat goes back to the learners' menu (ADMIN_IDS keep theirs)."""
    if update.chat_member is not None:
        user = update.chat_member.new_chat_member.user
        if user.id not in context.runtime.settings.admin_ids:
            await take_admin_menu(context.bot, user.id)


async def poll_totals(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """New totals of a channel poll become a vote snapshot."""
    poll = update.poll
    if poll is None:
        return None
    await results.record_snapshot(
        session,
        poll.id,
        [option.voter_count for option in poll.options],
        poll.total_voter_count,
        poll.is_closed,
        context.runtime.now(),
    )
    return None


_record_totals = unit_of_work(poll_totals)


async def poll_changed(update: Update, context: QuizbotContext) -> object:
    """A poll's new totals: a channel poll's (always anonymous) are stored; the others are
    the bot's own quiz polls in private chats and games, whose answers arrive one by one as
    poll_answer updates, so their totals (sent with every vote) are dropped without a
    transaction."""
    if update.poll is None or not update.poll.is_anonymous:
        return None
    return await _record_totals(update, context)


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """Membership and admin changes."""
    return [
        ChatMemberHandler(unit_of_work(membership_changed), ChatMemberHandler.MY_CHAT_MEMBER),
        ChatMemberHandler(unit_of_work(admin_changed), ChatMemberHandler.CHAT_MEMBER),
    ]


def poll_handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """Poll totals."""
    return [PollHandler(poll_changed)]
