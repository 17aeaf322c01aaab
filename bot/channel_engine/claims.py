"""Claiming due posts exactly once, rendering them, and recording what became of them.

Policy (see README): a due post is claimed atomically (state `sending`, the intent, committed
before anything is sent) and rendered in the same transaction, one post at a time, so a crash
leaves at most the one post being sent in doubt. After the send its result is recorded
(`sent`, with the message or poll id). A post found still `sending` long after its claim was
interrupted by a crash: the message may or may not have reached Telegram, so it is marked
`uncertain` and the admins are told; it is never re-sent on its own. That loses nothing (the
admins decide, `/postnow` resends) and doubles nothing. A post due while the bot was down goes
out late within the channel's grace window, otherwise it is marked `missed` and the admins
are told. Every notice is written in the transaction of the change it reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.channel_engine import notices
from bot.channel_engine.render import Rendered, RenderError, load_item, render
from bot.channel_engine.sender import DeliveryError, Sent
from bot.db.models import (
    Audience,
    Channel,
    ItemKind,
    NoticeKind,
    PostState,
    Publication,
    Purpose,
    ScheduledPost,
)
from bot.services.channel.views import ChannelView

# A claim older than this with no recorded result was cut short by a crash.
STALE_CLAIM = timedelta(minutes=2)
MAX_ATTEMPTS = 3
RETRY_STEP = timedelta(seconds=30)


@dataclass(frozen=True)
class Claimed:
    """A claimed post, rendered and ready to send."""

    post_id: int
    chat_id: int
    content: Rendered
    silent: bool
    pin: bool


async def _claim_one(session: AsyncSession, now: datetime, worker: str) -> int | None:
    """Atomically move the most overdue pending post to `sending`; None when none is due.

    On PostgreSQL the row lock makes a concurrent claim skip what this one took; SQLite
    serialises writers (write transactions begin IMMEDIATE). The id is compared with `=`, not
    `IN`: PostgreSQL may run an `IN (… LIMIT 1 …)` subquery once per row and so claim several
    posts at once, leaving all but one `sending` with nobody sending them.
    """
    # Only where the bot may post: a channel that removed it keeps its queue for its return.
    postable = select(Channel.id).where(Channel.bot_is_admin.is_(True))
    due = (
        select(ScheduledPost.id)
        .where(
            ScheduledPost.state == PostState.PENDING,
            ScheduledPost.due_at <= now,
            ScheduledPost.channel_id.in_(postable),
        )
        .order_by(ScheduledPost.due_at, ScheduledPost.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = await session.scalar(
        update(ScheduledPost)
        .where(ScheduledPost.id == due.scalar_subquery(), ScheduledPost.state == PostState.PENDING)
        .values(
            state=PostState.SENDING,
            claimed_by=worker,
            claimed_at=now,
            attempts=ScheduledPost.attempts + 1,
            updated_at=now,
        )
        .returning(ScheduledPost.id)
        .execution_options(synchronize_session=False)
    )
    return None if claimed is None else int(claimed)


async def _take_number(session: AsyncSession, channel_id: int) -> int:
    # One UPDATE ... RETURNING: atomic across processes, so no number repeats.
    taken = await session.scalar(
        update(Channel)
        .where(Channel.id == channel_id)
        .values(next_quiz_number=Channel.next_quiz_number + 1)
        .returning(Channel.next_quiz_number)
    )
    if taken is None:
        raise LookupError(f"channel {channel_id} is gone")
    return int(taken) - 1


async def claim_next(session: AsyncSession, now: datetime, worker: str) -> Claimed | None:
    """Claim and render the next due post; missed or unrenderable ones are closed on the way.

    Returns None when nothing (more) is due.
    """
    while (post_id := await _claim_one(session, now, worker)) is not None:
        post = await session.get(ScheduledPost, post_id)
        channel = None if post is None else await session.get(Channel, post.channel_id)
        if post is None or channel is None:
            continue
        key = f"{post.id}:{now.isoformat()}"
        if now - post.due_at > timedelta(minutes=channel.grace_minutes):
            post.state, post.updated_at = PostState.MISSED, now
            await notices.add(
                session,
                NoticeKind.MISSED,
                channel.id,
                post.due_at,
                f"missed:{key}",
                now,
                post_id=post.id,
            )
            continue
        try:
            item = await load_item(session, post.kind, post.item_id or "")
            if post.kind is ItemKind.QUIZ and post.quiz_number is None:
                post.quiz_number = await _take_number(session, channel.id)
            content = render(item, ChannelView.of(channel), post.quiz_number or 0)
        except RenderError as error:
            post.state, post.last_error, post.updated_at = PostState.FAILED, str(error), now
            await notices.add(
                session,
                NoticeKind.FAILED,
                channel.id,
                post.due_at,
                f"failed:{key}",
                now,
                post_id=post.id,
                detail=error.problem.value,
            )
            continue
        pin = channel.pin_quizzes and post.kind is ItemKind.QUIZ
        return Claimed(post.id, channel.chat_id, content, channel.silent, pin)
    return None


async def mark_sent(session: AsyncSession, post_id: int, sent: Sent, now: datetime) -> None:
    """The send succeeded: keep what went where, and close the post."""
    post = await session.get(ScheduledPost, post_id)
    if post is None:
        return
    publication = Publication(
        audience=Audience.CHANNEL,
        purpose=Purpose.CHANNEL,
        channel_id=post.channel_id,
        kind=post.kind,
        quiz_id=post.quiz_id,
        interview_question_id=post.interview_question_id,
        lesson_id=post.lesson_id,
        message_id=sent.message_id,
        poll_id=sent.poll_id,
        quiz_number=post.quiz_number,
        sent_at=now,
    )
    session.add(publication)
    await session.flush()
    post.state, post.publication_id, post.updated_at = PostState.SENT, publication.id, now
    metrics.count_post("sent")


async def mark_failed(
    session: AsyncSession, post_id: int, error: DeliveryError, now: datetime
) -> None:
    """The send failed: retry later (keeping its number), or tell the admins.

    A send that got no answer in time may be in the channel: it is `uncertain` at once, with
    the same notice a crash mid-send leads to. A refusal is `failed`.
    """
    post = await session.get(ScheduledPost, post_id)
    if post is None:
        return
    post.last_error, post.updated_at = error.detail[:1000], now
    if error.retryable and post.attempts < MAX_ATTEMPTS:
        post.state = PostState.PENDING
        post.due_at = max(post.due_at, now) + RETRY_STEP * post.attempts
        return
    if error.in_doubt:
        await _mark_uncertain(session, post, now)
        return
    post.state = PostState.FAILED
    await notices.add(
        session,
        NoticeKind.FAILED,
        post.channel_id,
        post.due_at,
        f"failed:{post.id}:{now.isoformat()}",
        now,
        post_id=post.id,
        detail=error.detail,
    )


async def mark_interrupted(session: AsyncSession, now: datetime) -> None:
    """Posts left `sending` by a crash become `uncertain`: never re-sent automatically."""
    stale = await session.scalars(
        select(ScheduledPost).where(
            ScheduledPost.state == PostState.SENDING, ScheduledPost.claimed_at < now - STALE_CLAIM
        )
    )
    for post in stale.all():
        await _mark_uncertain(session, post, now)


async def _mark_uncertain(session: AsyncSession, post: ScheduledPost, now: datetime) -> None:
    post.state, post.updated_at = PostState.UNCERTAIN, now
    claimed = post.claimed_at.isoformat() if post.claimed_at else ""
    await notices.add(
        session,
        NoticeKind.UNCERTAIN,
        post.channel_id,
        post.due_at,
        f"uncertain:{post.id}:{claimed}",
        now,
        post_id=post.id,
    )
