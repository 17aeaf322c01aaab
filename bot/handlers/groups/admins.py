"""Who administers a group, as Telegram says at the moment of asking (getChatMember)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import QuizbotContext
from bot.handlers.replies import with_retry
from bot.handlers.work import Callback, unit_of_work

log = logging.getLogger(__name__)
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)

AdminDecide = Callable[[Update, QuizbotContext, AsyncSession, bool], Awaitable[object]]


async def is_group_admin(update: Update, context: QuizbotContext) -> bool:
    """Whether the person behind the update administers the group it came from.

    Asked of Telegram every time (nothing is stored): a member promoted or demoted a minute
    ago is what counts. An anonymous admin writes as the group itself.
    """
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type not in GROUP_TYPES:
        return False
    message = update.message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    try:
        member = await with_retry(lambda: context.bot.get_chat_member(chat.id, user.id))
    except TelegramError as error:
        log.info("could not ask Telegram whether someone administers a group: %s", error)
        return False
    return member.status in ADMIN_STATUSES


def admin_checked(decide: AdminDecide) -> Callback:
    """A unit of work whose decision is told whether the person is the group's admin.

    Telegram is asked before the transaction opens: no network wait holds the database.
    """

    @functools.wraps(decide)
    async def callback(update: Update, context: QuizbotContext) -> object:
        admin = await is_group_admin(update, context)

        async def decided(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
            return await decide(update, context, session, admin)

        return await unit_of_work(decided)(update, context)

    return callback
