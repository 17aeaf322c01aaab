"""/queue: upcoming posts with Jalali dates, each with cancel and one-hour-later buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.channel.admin import admin_of
from bot.handlers.channel.notices import RetryPostButton
from bot.handlers.replies import reply
from bot.handlers.work import renders, unit_of_work
from bot.limits import first_words
from bot.persian import fa_number, jalali_datetime
from bot.services.channel import planning
from bot.services.channel.outcomes import PostCancelled, PostGone, PostMoved, QueueShown
from bot.services.channel.views import QueuedPost

# How much of an item's question or title a queue line shows.
LABEL_LENGTH = 60


@dataclass(frozen=True)
class CancelPostButton(Button):
    """Cancel a pending post."""

    prefix: ClassVar[str] = "qc"
    post: int


@dataclass(frozen=True)
class LaterButton(Button):
    """Move a pending post an hour later."""

    prefix: ClassVar[str] = "ql"
    post: int


async def queue_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/queue."""
    return await planning.show_queue(session, admin_of(update, context))


async def cancel_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """Cancel one post."""
    button = CancelPostButton.pressed(update)
    if button is None:
        return None
    admin = admin_of(update, context)
    return await planning.cancel(session, admin, button.post, context.runtime.now())


async def later_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """Move one post an hour later."""
    button = LaterButton.pressed(update)
    if button is None:
        return None
    admin = admin_of(update, context)
    return await planning.postpone(session, admin, button.post, context.runtime.now())


@renders(QueueShown)
async def show_queue(update: Update, context: QuizbotContext, outcome: QueueShown) -> None:
    """A line per post (its number, Jalali time, kind and the item's words), with buttons.

    Posts that did not go out (or may not have) come first, until an admin resends or
    dismisses them.
    """
    if not outcome.posts and not outcome.attention:
        await reply(update, texts.QUEUE_EMPTY)
        return
    tz = context.runtime.settings.tz
    lines: list[str] = []
    rows = []
    if outcome.attention:
        lines.append(texts.QUEUE_ATTENTION_HEADER)
        for post in outcome.attention:
            lines.append(
                texts.QUEUE_ATTENTION_LINE.format(state=texts.POST_STATES[post.state.value])
                + _line(post, tz)
            )
            rows.append(
                [
                    InlineKeyboardButton(
                        texts.NOTICE_RETRY.format(id=fa_number(post.id)),
                        callback_data=RetryPostButton(post.id).encode(),
                    ),
                    InlineKeyboardButton(
                        texts.QUEUE_DISMISS.format(id=fa_number(post.id)),
                        callback_data=CancelPostButton(post.id).encode(),
                    ),
                ]
            )
        lines.append("")
    lines.append(texts.QUEUE_HEADER.format(title=outcome.channel.title))
    if not outcome.posts:
        lines.append(texts.QUEUE_EMPTY)
    for post in outcome.posts:
        lines.append(_line(post, tz))
        rows.append(
            [
                InlineKeyboardButton(
                    texts.QUEUE_CANCEL.format(id=fa_number(post.id)),
                    callback_data=CancelPostButton(post.id).encode(),
                ),
                InlineKeyboardButton(
                    texts.QUEUE_LATER.format(id=fa_number(post.id)),
                    callback_data=LaterButton(post.id).encode(),
                ),
            ]
        )
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


def _line(post: QueuedPost, tz: ZoneInfo) -> str:
    return texts.QUEUE_LINE.format(
        id=fa_number(post.id),
        when=jalali_datetime(post.due_at, tz),
        kind=texts.KIND_TITLES[post.kind.value],
        item=first_words(post.label, LABEL_LENGTH),
    )


@renders(PostCancelled)
async def show_cancelled(update: Update, context: QuizbotContext, outcome: PostCancelled) -> str:
    """Cancelled, as an alert."""
    return texts.QUEUE_CANCELLED.format(id=fa_number(outcome.post_id))


@renders(PostMoved)
async def show_moved(update: Update, context: QuizbotContext, outcome: PostMoved) -> str:
    """Moved, as an alert."""
    when = jalali_datetime(outcome.due_at, context.runtime.settings.tz)
    return texts.QUEUE_MOVED.format(id=fa_number(outcome.post_id), when=when)


@renders(PostGone)
async def show_post_gone(update: Update, context: QuizbotContext, outcome: PostGone) -> str:
    """The post is no longer in the queue (or not the admin's)."""
    return texts.QUEUE_GONE


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The queue's buttons."""
    return [
        ButtonHandler(CancelPostButton, unit_of_work(cancel_button)),
        ButtonHandler(LaterButton, unit_of_work(later_button)),
    ]


COMMANDS = {"queue": queue_command}
