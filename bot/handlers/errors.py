"""The error handler: log first, tell the learner briefly, report to the admin chat."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden

from bot import metrics, texts
from bot.context import QuizbotContext
from bot.handlers.replies import chat_id_of, with_retry
from bot.limits import MAX_MESSAGE_LENGTH, fit
from bot.settling import fail

log = logging.getLogger(__name__)


def _update_kind(update: object) -> str:
    # Only the kind of update goes into the report: it must not carry user ids or names.
    return metrics.update_kind(update) if isinstance(update, Update) else type(update).__name__


def _private(update: Update) -> bool:
    # A poll answer names no chat; the quiz polls whose answers arrive are in private chats.
    chat = update.effective_chat
    return chat.type == ChatType.PRIVATE if chat is not None else update.poll_answer is not None


async def on_error(update: object, context: QuizbotContext) -> None:
    """Handle an exception raised while processing an update."""
    error = context.error
    fail()  # before anything committed, this tells webhook mode to have Telegram send it again
    if update is not None:  # None: a job's error, not an update's
        metrics.count_update_failure()
    if isinstance(error, Forbidden):
        # The learner blocked the bot: nothing to reply to, nothing to fix.
        log.info("Forbidden while handling an update: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and _private(update):
        try:
            # Retried like any reply: the API failing is often why we are here.
            if update.callback_query is not None:  # stop the button's spinner too
                query = update.callback_query
                await with_retry(lambda: query.answer(texts.TRY_AGAIN))
            else:
                chat_id = chat_id_of(update)
                await with_retry(lambda: context.bot.send_message(chat_id, texts.TRY_AGAIN))
        except Exception:  # the API may be what failed; the log above has the error
            log.warning("could not tell the user about the error", exc_info=True)
    admin_chat = context.runtime.settings.admin_chat_id
    if admin_chat is None:
        return
    report = texts.ADMIN_ERROR_REPORT.format(
        update_kind=_update_kind(update), error=html.escape(f"{type(error).__name__}: {error}")
    )
    try:
        await context.bot.send_message(admin_chat, fit(report, MAX_MESSAGE_LENGTH))
    except Exception:
        log.warning("could not report the error to the admin chat", exc_info=True)
