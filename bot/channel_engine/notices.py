"""The notice outbox: what admins must hear, written with the change it reports.

A notice is added in the same transaction as the state change that causes it (a post
missed, uncertain, failed; a slot running out), at most once per fact (its dedupe key), and
delivered by the scheduler until someone was told: the channel's own admins who added the bot
or manage it through the bot (in private chat), and ADMIN_CHAT_ID / ADMIN_IDS when set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.db.inserts import insert_once
from bot.db.models import AdminNotice, Channel, ItemKind, NoticeKind
from bot.services.channel import contacts

# Pending notices delivered per scheduler pass; the rest wait for the next one.
DELIVERY_BATCH = 20
# A post's end other than `sent` is decided exactly where its notice is written (claims.py).
POST_OUTCOMES: dict[NoticeKind, metrics.PostOutcome] = {
    NoticeKind.FAILED: "failed",
    NoticeKind.UNCERTAIN: "uncertain",
    NoticeKind.MISSED: "missed",
}


@dataclass(frozen=True)
class NoticeView:
    """A notice ready to be worded for the admins."""

    id: int
    kind: NoticeKind
    channel_id: int
    channel_title: str
    post_id: int | None
    item_kind: ItemKind | None
    due_at: datetime
    detail: str
    # The sealed private chats of the channel's own admins who hear of it (see contacts).
    contacts: tuple[str, ...] = ()


async def add(
    session: AsyncSession,
    kind: NoticeKind,
    channel_id: int,
    due_at: datetime,
    dedupe_key: str,
    now: datetime,
    *,
    post_id: int | None = None,
    item_kind: ItemKind | None = None,
    detail: str = "",
) -> None:
    """Record a notice unless the same fact was noticed before (same dedupe key)."""
    values = {
        "kind": kind,
        "channel_id": channel_id,
        "post_id": post_id,
        "item_kind": item_kind,
        "due_at": due_at,
        "detail": detail[:1000],
        "dedupe_key": dedupe_key,
        "created_at": now,
        "attempts": 0,
    }
    added = await insert_once(session, AdminNotice, values, ["dedupe_key"])
    if added and kind in POST_OUTCOMES:  # once per fact, as the notice itself
        metrics.count_post(POST_OUTCOMES[kind])


async def pending(session: AsyncSession, limit: int = DELIVERY_BATCH) -> list[NoticeView]:
    """Notices no one has been told about yet, oldest first."""
    rows = await session.execute(
        select(AdminNotice, Channel.title)
        .join(Channel, Channel.id == AdminNotice.channel_id)
        .where(AdminNotice.delivered_at.is_(None))
        .order_by(AdminNotice.id)
        .limit(limit)
    )
    reach: dict[int, tuple[str, ...]] = {}
    views = []
    for notice, title in rows:
        if notice.channel_id not in reach:
            reach[notice.channel_id] = tuple(
                await contacts.sealed_chats(session, notice.channel_id)
            )
        views.append(
            NoticeView(
                notice.id,
                notice.kind,
                notice.channel_id,
                title,
                notice.post_id,
                notice.item_kind,
                notice.due_at,
                notice.detail,
                reach[notice.channel_id],
            )
        )
    return views


async def settle(session: AsyncSession, notice_id: int, told: bool, now: datetime) -> None:
    """Record a delivery attempt: delivered, or one more attempt to try again later."""
    notice = await session.get(AdminNotice, notice_id)
    if notice is None:
        return
    notice.attempts += 1
    if told:
        notice.delivered_at = now
