"""Sending due posts exactly once.

Policy (see README): a due post is claimed atomically (state `sending`, the intent, committed
before anything is sent); after the send its result is recorded (`sent`, with the message or
poll id). A post found still `sending` long after its claim was interrupted by a crash: the
message may or may not have reached Telegram, so it is marked `uncertain` and the admins are
told; it is never re-sent on its own. That loses nothing (the admins decide, `/postnow` resends)
and doubles nothing. A post due while the bot was down goes out late within the channel's
grace window, otherwise it is marked `missed` and the admins are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Audience,
    Channel,
    InterviewQuestion,
    ItemKind,
    Lesson,
    PostState,
    Publication,
    Purpose,
    Quiz,
    ScheduledPost,
    Topic,
)
from bot.services.rendering import (
    RenderedQuiz,
    RenderedText,
    RenderError,
    render_interview,
    render_lesson,
    render_quiz,
)

# A claim older than this with no recorded result was cut short by a crash.
STALE_CLAIM = timedelta(minutes=2)
MAX_ATTEMPTS = 3
CLAIM_BATCH = 20


@dataclass(frozen=True)
class Delivery:
    """A claimed post, rendered and ready to send."""

    post_id: int
    chat_id: int
    kind: ItemKind
    content: RenderedQuiz | RenderedText
    silent: bool
    pin: bool
    quiz_number: int | None


@dataclass(frozen=True)
class Notice:
    """Something admins must hear about a post (missed, uncertain, failed, shortage)."""

    kind: str
    post_id: int
    channel_title: str
    due_at: datetime
    detail: str = ""


async def claim_due(session: AsyncSession, now: datetime, worker: str) -> list[int]:
    """Atomically move due pending posts to `sending`; another process never gets the same.

    On PostgreSQL the row locks make a second UPDATE re-check `state` and skip what the first
    took; SQLite serialises writers.
    """
    due = (
        select(ScheduledPost.id)
        .where(ScheduledPost.state == PostState.PENDING, ScheduledPost.due_at <= now)
        .order_by(ScheduledPost.due_at, ScheduledPost.id)
        .limit(CLAIM_BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await session.execute(
        update(ScheduledPost)
        .where(
            ScheduledPost.id.in_(due.scalar_subquery()), ScheduledPost.state == PostState.PENDING
        )
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
    return sorted(result.scalars().all())


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


async def prepare(session: AsyncSession, post_id: int, now: datetime) -> Delivery | Notice | None:
    """Render a claimed post, or mark it missed/failed and return the notice for admins."""
    post = await session.get(ScheduledPost, post_id)
    if post is None or post.state is not PostState.SENDING:
        return None
    channel = await session.get(Channel, post.channel_id)
    if channel is None:
        return None
    if now - post.due_at > timedelta(minutes=channel.grace_minutes):
        post.state, post.updated_at = PostState.MISSED, now
        return Notice("missed", post.id, channel.title, post.due_at)
    try:
        content: RenderedQuiz | RenderedText
        if post.kind is ItemKind.QUIZ and post.quiz_id is not None:
            quiz = await session.get(Quiz, post.quiz_id)
            if quiz is None:
                raise RenderError(post.quiz_id)
            if post.quiz_number is None:
                post.quiz_number = await _take_number(session, channel.id)
            content = render_quiz(quiz, post.quiz_number)
        elif post.kind is ItemKind.INTERVIEW and post.interview_question_id is not None:
            question = await session.get(InterviewQuestion, post.interview_question_id)
            if question is None:
                raise RenderError(post.interview_question_id)
            topic = await session.get(Topic, question.topic_id)
            content = render_interview(question, topic.hashtag if topic else "", channel)
        elif post.lesson_id is not None:
            lesson = await session.get(Lesson, post.lesson_id)
            if lesson is None:
                raise RenderError(post.lesson_id)
            content = render_lesson(lesson, channel)
        else:
            raise RenderError("no item")
    except RenderError as error:
        post.state, post.last_error, post.updated_at = PostState.FAILED, str(error), now
        return Notice("failed", post.id, channel.title, post.due_at, str(error))
    return Delivery(
        post.id,
        channel.chat_id,
        post.kind,
        content,
        channel.silent,
        channel.pin_quizzes and post.kind is ItemKind.QUIZ,
        post.quiz_number,
    )


async def record_sent(
    session: AsyncSession, post_id: int, message_id: int, poll_id: str | None, now: datetime
) -> Publication | None:
    """The send succeeded: keep what went where, and close the post."""
    post = await session.get(ScheduledPost, post_id)
    if post is None:
        return None
    publication = Publication(
        audience=Audience.CHANNEL,
        purpose=Purpose.CHANNEL,
        channel_id=post.channel_id,
        kind=post.kind,
        quiz_id=post.quiz_id,
        interview_question_id=post.interview_question_id,
        lesson_id=post.lesson_id,
        message_id=message_id,
        poll_id=poll_id,
        quiz_number=post.quiz_number,
        sent_at=now,
    )
    session.add(publication)
    await session.flush()
    post.state, post.publication_id, post.updated_at = PostState.SENT, publication.id, now
    return publication


async def record_failure(
    session: AsyncSession, post_id: int, error: str, retryable: bool, now: datetime
) -> Notice | None:
    """The send failed: retry later (keeping its number) or give up and tell the admins."""
    post = await session.get(ScheduledPost, post_id)
    if post is None:
        return None
    post.last_error, post.updated_at = error[:1000], now
    if retryable and post.attempts < MAX_ATTEMPTS:
        post.state = PostState.PENDING
        post.due_at = max(post.due_at, now) + timedelta(seconds=30 * post.attempts)
        return None
    post.state = PostState.FAILED
    channel = await session.get(Channel, post.channel_id)
    return Notice("failed", post.id, channel.title if channel else "", post.due_at, error)


async def mark_interrupted(session: AsyncSession, now: datetime) -> list[Notice]:
    """Posts left `sending` by a crash become `uncertain`: never re-sent automatically."""
    stale = await session.scalars(
        select(ScheduledPost).where(
            ScheduledPost.state == PostState.SENDING, ScheduledPost.claimed_at < now - STALE_CLAIM
        )
    )
    notices = []
    for post in stale.all():
        post.state, post.updated_at = PostState.UNCERTAIN, now
        channel = await session.get(Channel, post.channel_id)
        notices.append(Notice("uncertain", post.id, channel.title if channel else "", post.due_at))
    return notices


async def post_now(session: AsyncSession, post_id: int, now: datetime) -> bool:
    """Send a pending, failed, missed or uncertain post at the next tick (an admin's call)."""
    post = await session.get(ScheduledPost, post_id)
    if post is None or post.state in (PostState.SENT, PostState.SENDING, PostState.CANCELLED):
        return False
    post.state, post.due_at, post.updated_at = PostState.PENDING, now, now
    post.attempts = 0
    return True
