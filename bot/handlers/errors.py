"""The error handler: log first, tell the learner briefly, report to the admin chat."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import Forbidden

from bot import texts
from bot.context import QuizbotContext

log = logging.getLogger(__name__)


def _update_kind(update: object) -> str:
    # Only the kind of update goes into the report: it must not carry user ids or names.
    if isinstance(update, Update):
        for kind in (
            "message",
            "callback_query",
            "poll_answer",
            "poll",
            "channel_post",
            "my_chat_member",
            "edited_message",
        ):
            if getattr(update, kind) is not None:
                return kind
    return type(update).__name__


async def on_error(update: object, context: QuizbotContext) -> None:
    """Handle an exception raised while processing an update."""
    error = context.error
    if isinstance(error, Forbidden):
        # The learner blocked the bot: nothing to reply to, nothing to fix.
        log.info("Forbidden while handling an update: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if (
        isinstance(update, Update)
        and update.effective_chat is not None
        and update.effective_chat.type == ChatType.PRIVATE
    ):
        try:
            await context.bot.send_message(update.effective_chat.id, texts.TRY_AGAIN)
        except Exception:  # the API may be what failed; the log above has the error
            log.warning("could not tell the user about the error", exc_info=True)
    admin_chat = context.services.settings.admin_chat_id
    if admin_chat is None:
        return
    report = texts.ADMIN_ERROR_REPORT.format(
        update_kind=_update_kind(update), error=html.escape(f"{type(error).__name__}: {error}")
    )
    try:
        await context.bot.send_message(admin_chat, report[: MessageLimit.MAX_TEXT_LENGTH])
    except Exception:
        log.warning("could not report the error to the admin chat", exc_info=True)
