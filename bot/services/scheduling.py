"""Planning channel posts: one-off posts, recurring slots, the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Channel,
    InterviewQuestion,
    ItemKind,
    Lesson,
    PostState,
    Publication,
    Quiz,
    RecurringSlot,
    ScheduledPost,
    Topic,
)
from bot.services.catalog import servable_quizzes
from bot.services.rendering import (
    RenderedQuiz,
    RenderedText,
    RenderError,
    render_interview,
    render_lesson,
    render_quiz,
)

# Slots are filled this far ahead, so admins hear of a kind running out a week early.
FILL_HORIZON = timedelta(days=7)
ITEM_MODELS: dict[ItemKind, type[Quiz] | type[InterviewQuestion] | type[Lesson]] = {
    ItemKind.QUIZ: Quiz,
    ItemKind.INTERVIEW: InterviewQuestion,
    ItemKind.LESSON: Lesson,
}
ITEM_COLUMNS = {
    ItemKind.QUIZ: "quiz_id",
    ItemKind.INTERVIEW: "interview_question_id",
    ItemKind.LESSON: "lesson_id",
}


class ScheduleError(ValueError):
    """A post cannot be scheduled; the message is Persian, for the admin."""


async def _active_item(
    session: AsyncSession, kind: ItemKind, item_id: str
) -> Quiz | InterviewQuestion | Lesson | None:
    model = ITEM_MODELS[kind]
    conditions = servable_quizzes() if kind is ItemKind.QUIZ else [model.retired_at.is_(None)]
    item: Quiz | InterviewQuestion | Lesson | None = await session.scalar(
        select(model).where(model.id == item_id, *conditions)
    )
    return item


async def next_unposted(
    session: AsyncSession, channel: Channel, kind: ItemKind, topic_id: str | None = None
) -> str | None:
    """An item of `kind` neither posted to nor queued for this channel, in bank order."""
    model = ITEM_MODELS[kind]
    column = getattr(Publication, ITEM_COLUMNS[kind])
    queued_column = getattr(ScheduledPost, ITEM_COLUMNS[kind])
    posted = select(column).where(Publication.channel_id == channel.id, column.is_not(None))
    queued = select(queued_column).where(
        ScheduledPost.channel_id == channel.id,
        queued_column.is_not(None),
        ScheduledPost.state.in_([PostState.PENDING, PostState.SENDING]),
    )
    conditions: list[ColumnElement[bool]] = (
        servable_quizzes() if kind is ItemKind.QUIZ else [model.retired_at.is_(None)]
    )
    if topic_id is not None:
        conditions.append(model.topic_id == topic_id)
    return await session.scalar(
        select(model.id)
        .join(Topic, Topic.id == model.topic_id)
        .where(*conditions, model.id.not_in(posted), model.id.not_in(queued))
        .order_by(Topic.position, model.id)
        .limit(1)
    )


async def preview(
    session: AsyncSession, channel: Channel, kind: ItemKind, item_id: str, number: int | None = None
) -> RenderedQuiz | RenderedText:
    """The post as it will appear; ScheduleError when it is gone or would exceed a limit."""
    item = await _active_item(session, kind, item_id)
    if item is None:
        raise ScheduleError(f"مورد «{item_id}» پیدا نشد یا بازنشسته شده.")
    try:
        if isinstance(item, Quiz):
            return render_quiz(item, number if number is not None else channel.next_quiz_number)
        if isinstance(item, InterviewQuestion):
            topic = await session.get(Topic, item.topic_id)
            return render_interview(item, topic.hashtag if topic else "", channel)
        return render_lesson(item, channel)
    except RenderError as error:
        raise ScheduleError(str(error)) from error


async def check_fits(session: AsyncSession, channel: Channel, kind: ItemKind, item_id: str) -> None:
    """Raise ScheduleError now if the item would exceed a limit once numbered and signed."""
    # The number may grow before the post is due: leave room for one more digit.
    await preview(session, channel, kind, item_id, max(channel.next_quiz_number * 10, 1000))


async def schedule_post(
    session: AsyncSession,
    channel: Channel,
    kind: ItemKind,
    item_id: str | None,
    due_at: datetime,
    now: datetime,
    slot_id: int | None = None,
) -> ScheduledPost:
    """Queue a post; `item_id` None takes the next item of that kind not yet posted."""
    if due_at <= now - timedelta(minutes=1):
        raise ScheduleError("این زمان گذشته؛ یک زمان آینده انتخاب کن.")
    if item_id is None:
        item_id = await next_unposted(session, channel, kind)
        if item_id is None:
            raise ScheduleError("همهٔ موارد این نوع قبلاً در این کانال منتشر یا زمان‌بندی شدن.")
    await check_fits(session, channel, kind, item_id)
    post = ScheduledPost(
        channel_id=channel.id,
        kind=kind,
        due_at=due_at,
        slot_id=slot_id,
        state=PostState.PENDING,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    setattr(post, ITEM_COLUMNS[kind], item_id)
    session.add(post)
    await session.flush()
    return post


async def queue(session: AsyncSession, channel_id: int | None = None) -> list[ScheduledPost]:
    """Upcoming posts (pending first by time), optionally of one channel."""
    query = select(ScheduledPost).where(ScheduledPost.state == PostState.PENDING)
    if channel_id is not None:
        query = query.where(ScheduledPost.channel_id == channel_id)
    return list(await session.scalars(query.order_by(ScheduledPost.due_at, ScheduledPost.id)))


async def cancel(session: AsyncSession, post_id: int, now: datetime) -> bool:
    """Cancel a pending post; False when it is no longer pending."""
    post = await session.get(ScheduledPost, post_id)
    if post is None or post.state is not PostState.PENDING:
        return False
    post.state, post.updated_at = PostState.CANCELLED, now
    return True


async def reschedule(session: AsyncSession, post_id: int, due_at: datetime, now: datetime) -> bool:
    """Move a pending post to another time."""
    post = await session.get(ScheduledPost, post_id)
    if post is None or post.state is not PostState.PENDING:
        return False
    if due_at <= now:
        raise ScheduleError("این زمان گذشته؛ یک زمان آینده انتخاب کن.")
    post.due_at, post.updated_at = due_at, now
    return True


def weekday_mask(days: list[int]) -> int:
    """Bit mask of ISO weekdays (1 = Monday … 7 = Sunday)."""
    return sum(1 << (day - 1) for day in set(days))


async def add_slot(
    session: AsyncSession,
    channel: Channel,
    kind: ItemKind,
    days: list[int],
    local_time: time,
    tz: str,
    now: datetime,
    topic_id: str | None = None,
) -> RecurringSlot:
    """A standing order, e.g. a quiz every day at 18:00 Tehran time."""
    slot = RecurringSlot(
        channel_id=channel.id,
        kind=kind,
        weekdays=weekday_mask(days),
        local_time=local_time,
        timezone=tz,
        topic_id=topic_id,
        active=True,
        created_at=now,
    )
    session.add(slot)
    await session.flush()
    return slot


def occurrences(slot: RecurringSlot, start: datetime, end: datetime) -> list[datetime]:
    """The slot's times in (start, end], as UTC."""
    zone = ZoneInfo(slot.timezone)
    day = start.astimezone(zone).date()
    found: list[datetime] = []
    while True:
        local = datetime.combine(day, slot.local_time, tzinfo=zone)
        moment = local.astimezone(start.tzinfo)
        if moment > end:
            return found
        if moment > start and slot.weekdays & (1 << (day.isoweekday() - 1)):
            found.append(moment)
        day += timedelta(days=1)


@dataclass(frozen=True)
class Shortage:
    """A slot that found no unposted item for one of its times."""

    channel_id: int
    kind: ItemKind
    due_at: datetime


async def fill_slots(session: AsyncSession, now: datetime) -> list[Shortage]:
    """Create the posts of every active slot up to a week ahead, without repeats."""
    shortages: list[Shortage] = []
    slots = await session.scalars(select(RecurringSlot).where(RecurringSlot.active.is_(True)))
    for slot in slots.all():
        channel = await session.get(Channel, slot.channel_id)
        if channel is None or not channel.bot_is_admin:
            continue
        start = max(slot.filled_until or now, now)
        end = now + FILL_HORIZON
        for due_at in occurrences(slot, start, end):
            exists = await session.scalar(
                select(func.count())
                .select_from(ScheduledPost)
                .where(ScheduledPost.slot_id == slot.id, ScheduledPost.due_at == due_at)
            )
            if exists:
                continue
            item_id = await next_unposted(session, channel, slot.kind, slot.topic_id)
            if item_id is None:
                shortages.append(Shortage(channel.id, slot.kind, due_at))
                continue
            try:
                # Another process may fill the same slot time at once: the unique
                # (slot, time) constraint decides, and the loser simply skips it.
                async with session.begin_nested():
                    await schedule_post(
                        session, channel, slot.kind, item_id, due_at, now, slot_id=slot.id
                    )
            except IntegrityError:
                continue
        if not shortages or all(s.channel_id != channel.id for s in shortages):
            slot.filled_until = end
    return shortages


async def post_of(session: AsyncSession, post_id: int) -> ScheduledPost | None:
    """A scheduled post by id."""
    return await session.get(ScheduledPost, post_id)


async def channel_slots(session: AsyncSession, channel_id: int) -> list[RecurringSlot]:
    """The active standing posts of a channel."""
    return list(
        await session.scalars(
            select(RecurringSlot)
            .where(RecurringSlot.channel_id == channel_id, RecurringSlot.active.is_(True))
            .order_by(RecurringSlot.id)
        )
    )


async def remove_slot(session: AsyncSession, channel_id: int, slot_id: int) -> bool:
    """Deactivate a slot of this channel."""
    slot = await session.get(RecurringSlot, slot_id)
    if slot is None or slot.channel_id != channel_id or not slot.active:
        return False
    slot.active = False
    return True
