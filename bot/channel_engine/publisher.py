"""One scheduler pass: fill slots, close interrupted claims, send due posts, tell admins."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channel_engine import claims, notices
from bot.channel_engine.render import RenderedQuiz
from bot.channel_engine.sender import AdminNotifier, ChannelSender, DeliveryError, Sent
from bot.db.models import NoticeKind
from bot.services.channel import planning

log = logging.getLogger(__name__)


async def _send(sender: ChannelSender, claim: claims.Claimed) -> Sent:
    if isinstance(claim.content, RenderedQuiz):
        sent = await sender.send_quiz(claim.chat_id, claim.content, claim.silent)
        if claim.pin:
            try:
                await sender.pin(claim.chat_id, sent.message_id)
            except DeliveryError as error:  # pinning is a nicety, posting is not
                log.warning("could not pin post %s: %s", claim.post_id, error)
        return sent
    return await sender.send_text(claim.chat_id, claim.content, claim.silent)


async def publish_due(
    sessions: async_sessionmaker[AsyncSession],
    sender: ChannelSender,
    notifier: AdminNotifier,
    clock: Callable[[], datetime],
    worker: str,
) -> int:
    """Run one pass; return how many posts went out.

    Each post is claimed and rendered in one transaction, sent, and its result recorded in
    a second: the only work between the two is the call to Telegram.
    """
    now = clock()
    async with sessions.begin() as session:
        for shortage in await planning.fill_slots(session, now):
            await notices.add(
                session,
                NoticeKind.SHORTAGE,
                shortage.channel_id,
                shortage.due_at,
                f"shortage:{shortage.slot_id}:{shortage.due_at.isoformat()}",
                now,
                item_kind=shortage.kind,
            )
        await claims.mark_interrupted(session, now)
    sent = 0
    while True:
        async with sessions.begin() as session:
            claim = await claims.claim_next(session, clock(), worker)
        if claim is None:
            break
        try:
            result = await _send(sender, claim)
        except DeliveryError as error:
            async with sessions.begin() as session:
                await claims.mark_failed(session, claim.post_id, error, clock())
            continue
        async with sessions.begin() as session:
            await claims.mark_sent(session, claim.post_id, result, clock())
        sent += 1
    await deliver_notices(sessions, notifier, clock)
    return sent


async def deliver_notices(
    sessions: async_sessionmaker[AsyncSession],
    notifier: AdminNotifier,
    clock: Callable[[], datetime],
) -> None:
    """Tell admins every pending notice; what could not be told stays for the next pass."""
    async with sessions.begin() as session:
        pending = await notices.pending(session)
    for notice in pending:
        told = await notifier.notify(notice)
        if told is None:
            continue  # no one to tell yet: nothing was tried
        async with sessions.begin() as session:
            await notices.settle(session, notice.id, told, clock())
