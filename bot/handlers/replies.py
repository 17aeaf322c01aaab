"""Calling the Bot API: retrying server errors, replying, acknowledging button presses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.limits import MAX_ALERT_LENGTH, fit

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 3
# What a person typed is quoted back at most this long: a message may hold 4096 characters,
# and quoted whole inside a reply it would make the reply too long to send.
QUOTE_LENGTH = 80


async def with_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call, retrying server errors and dropped connections.

    Timeouts are not retried: the request may have gone through, and a second quiz would be
    sent. 429s are retried by the rate limiter; 4xx errors are final.
    """
    for attempt in range(RETRIES):
        try:
            return await call()
        except (BadRequest, TimedOut):
            raise
        except NetworkError as exc:
            if attempt == RETRIES - 1:
                raise
            log.warning("Bot API call failed (%s); retrying", exc)
            await asyncio.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


def quoted(text: str) -> str:
    """What a person typed, cut to be quoted back inside a reply."""
    return fit(text, QUOTE_LENGTH)


def chat_id_of(update: Update) -> int:
    """The chat to answer in: the update's chat, or for a poll answer the voter's own chat."""
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    # A poll_answer names no chat; the bot's quiz polls that send answers are in private
    # chats, whose id is the user's.
    return user_id_of(update)


def user_id_of(update: Update) -> int:
    """The user who caused the update; every handler that acts for a person has one."""
    user = update.effective_user
    if user is None:
        raise ValueError("update without a user")
    return user.id


async def reply(update: Update, text: str, **kwargs: Any) -> Message:
    """Send `text` to the chat the update came from."""
    chat_id = chat_id_of(update)
    bot = update.get_bot()
    return await with_retry(lambda: bot.send_message(chat_id, text, **kwargs))


async def edit_or_send(update: Update, text: str, **kwargs: Any) -> None:
    """Show `text` in place of the pressed button's message, or anew if it cannot be edited.

    A message may be gone (deleted) or too old to edit; the person still gets the answer.
    """
    message = update.effective_message
    if update.callback_query is not None and message is not None:
        try:
            await with_retry(lambda: message.edit_text(text, **kwargs))
            return
        except BadRequest as error:
            if "not modified" in str(error):  # the same text and buttons: nothing to show
                return
            log.info("message not edited (%s); sent anew", error)
    await reply(update, text, **kwargs)


async def acknowledge(query: CallbackQuery, alert: str | None) -> None:
    """Answer a button press (Telegram shows a spinner until then), with an alert if any."""
    try:
        await query.answer(None if alert is None else fit(alert, MAX_ALERT_LENGTH))
    except BadRequest as error:  # pressed long ago: Telegram no longer takes an answer
        log.info("button press not acknowledged: %s", error)
