"""The buttons under a notice to admins: send the post again now, or in an hour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot import texts
from bot.channel_engine.notices import NoticeView
from bot.context import QuizbotContext
from bot.db.models import NoticeKind
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.channel.admin import admin_of
from bot.handlers.work import unit_of_work
from bot.persian import fa_number
from bot.services.channel import planning

# The notices about one post that an admin can act on from the message itself.
ACTIONABLE = (NoticeKind.MISSED, NoticeKind.UNCERTAIN, NoticeKind.FAILED)


@dataclass(frozen=True)
class RetryPostButton(Button):
    """Send a missed, failed or uncertain post now (as /postnow POST_ID)."""

    prefix: ClassVar[str] = "nr"
    post: int


@dataclass(frozen=True)
class RescheduleButton(Button):
    """Send it an hour from now instead."""

    prefix: ClassVar[str] = "nl"
    post: int


def notice_keyboard(notice: NoticeView) -> InlineKeyboardMarkup | None:
    """Retry and reschedule buttons for a notice about one post; None for the others."""
    if notice.post_id is None or notice.kind not in ACTIONABLE:
        return None
    number = fa_number(notice.post_id)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.NOTICE_RETRY.format(id=number),
                    callback_data=RetryPostButton(notice.post_id).encode(),
                ),
                InlineKeyboardButton(
                    texts.NOTICE_RESCHEDULE,
                    callback_data=RescheduleButton(notice.post_id).encode(),
                ),
            ]
        ]
    )


async def retry_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """Due now, checked like /postnow POST_ID (the admin's channel, not sent meanwhile)."""
    button = RetryPostButton.pressed(update)
    if button is None:
        return None
    admin = admin_of(update, context)
    return await planning.post_now(session, admin, [str(button.post)], context.runtime.now())


async def reschedule_button(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """Due in an hour."""
    button = RescheduleButton.pressed(update)
    if button is None:
        return None
    admin = admin_of(update, context)
    return await planning.reschedule(session, admin, button.post, context.runtime.now())


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The notice buttons."""
    return [
        ButtonHandler(RetryPostButton, unit_of_work(retry_button)),
        ButtonHandler(RescheduleButton, unit_of_work(reschedule_button)),
    ]
