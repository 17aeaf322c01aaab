"""The scheduler tick: fill slots, send due channel posts once, tell admins what went wrong."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

from telegram import Bot, Poll
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot import texts
from bot.context import BotServices, QuizbotContext
from bot.db.models import Channel, ItemKind
from bot.persian import jalali_datetime
from bot.services import channels as channel_service
from bot.services import publishing, scheduling
from bot.services.publishing import Delivery, Notice
from bot.services.rendering import RenderedQuiz

log = logging.getLogger(__name__)
WORKER_ID = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


async def notify_admins(bot: Bot, services: BotServices, text: str) -> None:
    """Tell the admin chat and every configured admin; a failure to tell is only logged."""
    targets = [services.settings.admin_chat_id, *sorted(services.settings.admin_ids)]
    for chat_id in dict.fromkeys(target for target in targets if target is not None):
        try:
            await bot.send_message(chat_id, text)
        except Exception:  # an admin who blocked the bot must not stop the others
            log.warning("could not notify admin chat %s", chat_id, exc_info=True)


def notice_text(notice: Notice, services: BotServices) -> str:
    """The Persian message for an admin notice."""
    when = jalali_datetime(notice.due_at, services.settings.tz)
    template = {
        "missed": texts.NOTICE_MISSED,
        "uncertain": texts.NOTICE_UNCERTAIN,
        "failed": texts.NOTICE_FAILED,
    }[notice.kind]
    return template.format(
        id=notice.post_id, channel=notice.channel_title, when=when, detail=notice.detail
    )


async def _send(bot: Bot, delivery: Delivery) -> tuple[int, str | None]:
    content = delivery.content
    if isinstance(content, RenderedQuiz):
        message = await bot.send_poll(
            delivery.chat_id,
            content.question,
            content.options,
            type=Poll.QUIZ,
            is_anonymous=True,  # channel polls always are
            correct_option_ids=content.correct_indexes,  # type: ignore[arg-type]
            explanation=content.explanation,
            disable_notification=delivery.silent,
        )
        poll_id = message.poll.id if message.poll else None
        if delivery.pin:
            try:
                await bot.pin_chat_message(
                    delivery.chat_id, message.message_id, disable_notification=True
                )
            except (BadRequest, Forbidden) as error:  # pinning is a nicety, posting is not
                log.warning("could not pin post %s: %s", delivery.post_id, error)
        return message.message_id, poll_id
    message = await bot.send_message(
        delivery.chat_id, content.text, disable_notification=delivery.silent
    )
    return message.message_id, None


async def _shortage_notices(
    services: BotServices, shortages: list[scheduling.Shortage], channels: dict[int, Channel]
) -> list[str]:
    messages = []
    for shortage in shortages:
        key = f"shortage:{shortage.channel_id}:{shortage.kind.value}:{shortage.due_at.isoformat()}"
        if key in services.warned:
            continue
        services.warned.add(key)
        channel = channels.get(shortage.channel_id)
        messages.append(
            texts.NOTICE_SHORTAGE.format(
                channel=channel.title if channel else "",
                kind=texts.KIND_TITLES[shortage.kind.value],
                when=jalali_datetime(shortage.due_at, services.settings.tz),
            )
        )
    return messages


async def publish_due(bot: Bot, services: BotServices, worker: str = WORKER_ID) -> int:
    """One scheduler pass; returns how many posts went out."""
    now = services.now()
    async with services.sessions.begin() as session:
        shortages = await scheduling.fill_slots(session, now)
        channels = await channel_service.all_channels(session) if shortages else {}
        notices = await publishing.mark_interrupted(session, now)
    messages = await _shortage_notices(services, shortages, channels)
    async with services.sessions.begin() as session:
        claimed = await publishing.claim_due(session, now, worker)  # the intent, committed
    sent = 0
    for post_id in claimed:
        async with services.sessions.begin() as session:
            prepared = await publishing.prepare(session, post_id, now)
        if isinstance(prepared, Notice):
            notices.append(prepared)
            continue
        if prepared is None:
            continue
        try:
            message_id, poll_id = await _send(bot, prepared)
        except (BadRequest, Forbidden, TimedOut, NetworkError) as error:
            # A timeout may have posted: treat it as final rather than risk a double.
            retryable = isinstance(error, NetworkError) and not isinstance(
                error, BadRequest | TimedOut
            )
            async with services.sessions.begin() as session:
                notice = await publishing.record_failure(
                    session, post_id, str(error), retryable, services.now()
                )
            if notice is not None:
                notices.append(notice)
            continue
        async with services.sessions.begin() as session:
            await publishing.record_sent(session, post_id, message_id, poll_id, services.now())
        sent += 1
    for notice in notices:
        messages.append(notice_text(notice, services))
    for text in messages:
        await notify_admins(bot, services, text)
    return sent


async def scheduler_job(context: QuizbotContext) -> None:
    """The JobQueue callback: every few seconds, so CLI-scheduled posts go out on time."""
    try:
        await publish_due(context.bot, context.services)
    except Exception:
        log.exception("scheduler pass failed; the next tick tries again")


def kind_title(kind: ItemKind | str) -> str:
    """The Persian name of an item kind."""
    return texts.KIND_TITLES[kind.value if isinstance(kind, ItemKind) else kind]


__all__: list[Any] = ["kind_title", "notify_admins", "publish_due", "scheduler_job"]
