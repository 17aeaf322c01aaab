"""The channel engine's sender and notifier, over the Bot API."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any, cast

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Poll
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot import texts
from bot.channel_engine.notices import NoticeView
from bot.channel_engine.render import RenderedQuiz, RenderedText
from bot.channel_engine.sender import DeliveryError, Sent
from bot.config import Settings
from bot.db.models import NoticeKind
from bot.handlers.channel.notices import notice_keyboard
from bot.handlers.replies import with_retry
from bot.pacing import PacingLimiter
from bot.persian import fa_number, jalali_datetime
from bot.services.privacy import ChatSealer

log = logging.getLogger(__name__)


def _delivery_error(error: TelegramError) -> DeliveryError:
    # A timeout may have posted: in doubt, never resent on its own. A refusal is final.
    if isinstance(error, TimedOut):
        return DeliveryError(str(error), retryable=False, in_doubt=True)
    retryable = isinstance(error, NetworkError) and not isinstance(error, BadRequest | Forbidden)
    return DeliveryError(str(error), retryable=retryable)


class TelegramChannelSender:
    """Posts to channels through the bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_quiz(self, chat_id: int, quiz: RenderedQuiz, silent: bool) -> Sent:
        """An anonymous quiz poll."""
        try:
            message = await self.bot.send_poll(
                chat_id,
                quiz.question,
                list(quiz.options),
                type=Poll.QUIZ,
                is_anonymous=True,  # channel polls always are
                allows_multiple_answers=quiz.multiple_answers,
                correct_option_ids=cast(Any, list(quiz.correct_indexes)),
                explanation=quiz.explanation,
                disable_notification=silent,
                reply_markup=self._practice(quiz.link),
            )
        except TelegramError as error:
            raise _delivery_error(error) from error
        return Sent(message.message_id, message.poll.id if message.poll else None)

    async def send_text(self, chat_id: int, post: RenderedText, silent: bool) -> Sent:
        """A text post."""
        try:
            message = await self.bot.send_message(
                chat_id,
                post.text,
                parse_mode=ParseMode.HTML,
                disable_notification=silent,
                reply_markup=self._practice(post.link),
            )
        except TelegramError as error:
            raise _delivery_error(error) from error
        return Sent(message.message_id)

    def _practice(self, link: str | None) -> InlineKeyboardMarkup | None:
        # Readers of the channel practise the item in the bot, in their private chat.
        if link is None:
            return None
        url = f"https://t.me/{self.bot.username}?start={link}"
        return InlineKeyboardMarkup([[InlineKeyboardButton(texts.PRACTICE_IN_BOT, url=url)]])

    async def pin(self, chat_id: int, message_id: int) -> None:
        """Pin quietly."""
        try:
            await self.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except TelegramError as error:
            raise _delivery_error(error) from error

    def _pacing(self) -> PacingLimiter | None:
        limiter = getattr(self.bot, "rate_limiter", None)  # a plain Bot has none
        return limiter if isinstance(limiter, PacingLimiter) else None

    async def free_in(self, chat_id: int, *, own_only: bool = False) -> float:
        """Seconds before the bot's pacing would let a post to this chat go (0 without pacing)."""
        pacing = self._pacing()
        if pacing is None:
            return 0.0
        return await pacing.free_in(str(chat_id), own_only=own_only)

    async def pause(self, seconds: float) -> None:
        """Sleep on the pacing's clock (the tests' skip their waits)."""
        pacing = self._pacing()
        await (pacing.sleep if pacing is not None else asyncio.sleep)(seconds)


def notice_text(notice: NoticeView, settings: Settings) -> str:
    """The Persian message for a notice."""
    when = jalali_datetime(notice.due_at, settings.tz)
    if notice.kind is NoticeKind.REMOVED:
        return texts.NOTICE_REMOVED.format(channel=notice.channel_title)
    if notice.kind is NoticeKind.SHORTAGE:
        kind = texts.KIND_TITLES[notice.item_kind.value] if notice.item_kind else ""
        return texts.NOTICE_SHORTAGE.format(channel=notice.channel_title, kind=kind, when=when)
    template = {
        NoticeKind.MISSED: texts.NOTICE_MISSED,
        NoticeKind.UNCERTAIN: texts.NOTICE_UNCERTAIN,
        NoticeKind.FAILED: texts.NOTICE_FAILED,
    }[notice.kind]
    # A failure's detail is a problem code of ours or Telegram's own description.
    detail = texts.NOTICE_PROBLEMS.get(notice.detail, notice.detail)
    post_id = notice.post_id or 0
    # The number in prose in Persian digits; in the command to type, as Telegram takes it.
    return template.format(
        number=fa_number(post_id),
        id=post_id,
        channel=notice.channel_title,
        when=when,
        detail=detail,
    )


class TelegramNotifier:
    """Tells the channel's own admins who use the bot, the admin chat and ADMIN_IDS."""

    def __init__(self, bot: Bot, settings: Settings, sealer: ChatSealer) -> None:
        self.bot = bot
        self.settings = settings
        self.sealer = sealer

    async def notify(self, notice: NoticeView) -> bool | None:
        """True once at least one of them was told; None when there is no one to tell."""
        text = notice_text(notice, self.settings)
        own = [self.sealer.unseal(sealed) for sealed in notice.contacts]
        targets = [*own, self.settings.admin_chat_id, *sorted(self.settings.admin_ids)]
        chat_ids = list(dict.fromkeys(target for target in targets if target is not None))
        if not chat_ids:
            return None
        keyboard = notice_keyboard(notice)
        told = False
        for chat_id in chat_ids:
            try:
                send = partial(self.bot.send_message, chat_id, text, reply_markup=keyboard)
                await with_retry(send)
                told = True
            except TelegramError:  # an admin who blocked the bot must not stop the others
                log.warning("could not notify admin chat %s", chat_id, exc_info=True)
        return told
