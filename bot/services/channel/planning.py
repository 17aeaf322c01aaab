"""Planning channel posts: one-off posts, the queue, posting now, recurring slots."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.normalize import to_latin_digits
from bot.channel_engine.render import Rendered, RenderError, load_item, render
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
from bot.services.channel import phrases
from bot.services.channel.outcomes import (
    NoChannels,
    NotAdmin,
    PostCancelled,
    PostGone,
    PostMoved,
    PostNowUsage,
    PostQueued,
    Problem,
    QueueShown,
    Refusal,
    Refused,
    SlotAdded,
    SlotRemoved,
    SlotsShown,
    SlotUsage,
)
from bot.services.channel.rights import Admin, acting_channel, administered, refusal
from bot.services.channel.views import ChannelView, QueuedPost, SlotView
from bot.services.learning.catalog import servable_quizzes

log = logging.getLogger(__name__)

# Slots are filled this far ahead, so admins hear of a kind running out a week early.
FILL_HORIZON = timedelta(days=7)
# A post moved with the queue's "later" button goes this much later.
POSTPONE_STEP = timedelta(hours=1)
ITEM_MODELS: dict[ItemKind, type[Quiz] | type[InterviewQuestion] | type[Lesson]] = {
    ItemKind.QUIZ: Quiz,
    ItemKind.INTERVIEW: InterviewQuestion,
    ItemKind.LESSON: Lesson,
}
LABEL_COLUMNS = {
    ItemKind.QUIZ: Quiz.question,
    ItemKind.INTERVIEW: InterviewQuestion.question,
    ItemKind.LESSON: Lesson.title,
}
ITEM_COLUMNS = {
    ItemKind.QUIZ: "quiz_id",
    ItemKind.INTERVIEW: "interview_question_id",
    ItemKind.LESSON: "lesson_id",
}


# Row ids are INTEGER columns, 32 bits on PostgreSQL: a larger number typed or pressed is no
# id of ours (and PostgreSQL refuses to compare the column with it).
MAX_ROW_ID = 2**31 - 1


def row_id(words: Sequence[str]) -> int | None:
    """The one id typed (Latin or Persian digits), if it can be a row's id."""
    if len(words) != 1 or not to_latin_digits(words[0]).isdigit():
        return None
    value = int(to_latin_digits(words[0]))
    return value if 0 < value <= MAX_ROW_ID else None


class ScheduleError(ValueError):
    """A post cannot be scheduled: the problem, and the item (id, words) and limit concerned."""

    def __init__(
        self,
        problem: Problem,
        item_id: str | None = None,
        limit: int | None = None,
        label: str | None = None,
    ):
        super().__init__(problem.value if item_id is None else f"{problem.value}: {item_id}")
        self.refused = Refused(problem, item_id, limit, label)


async def _render_refused(
    session: AsyncSession, kind: ItemKind, error: RenderError
) -> ScheduleError:
    """The render problem as a ScheduleError naming the item by its words, not its id."""
    label = await item_label(session, kind, error.item_id)
    # An id not in the bank (typed by the admin) has no words: it is quoted back as typed.
    return ScheduleError(
        error.problem, error.item_id, error.limit, None if label == error.item_id else label
    )


def _servable(kind: ItemKind) -> list[ColumnElement[bool]]:
    model = ITEM_MODELS[kind]
    return servable_quizzes() if kind is ItemKind.QUIZ else [model.retired_at.is_(None)]


async def next_unposted(
    session: AsyncSession, channel_id: int, kind: ItemKind, topic_id: str | None = None
) -> str | None:
    """An item of `kind` neither posted to nor queued for this channel, topics in turn.

    The topic after the one this channel's latest post of `kind` came from (in the bank's
    topic order, round the end), so a daily slot does not post two weeks of one topic; inside
    a topic, an order shuffled once per channel (a hash of channel and item), so two channels
    do not post the same sequence. `topic_id` keeps to one topic.
    """
    model = ITEM_MODELS[kind]
    column = getattr(Publication, ITEM_COLUMNS[kind])
    queued_column = getattr(ScheduledPost, ITEM_COLUMNS[kind])
    posted = select(column).where(Publication.channel_id == channel_id, column.is_not(None))
    queued = select(queued_column).where(
        ScheduledPost.channel_id == channel_id,
        queued_column.is_not(None),
        ScheduledPost.state.in_([PostState.PENDING, PostState.SENDING]),
    )
    conditions = _servable(kind)
    if topic_id is not None:
        conditions.append(model.topic_id == topic_id)
    rows = (
        await session.execute(
            select(model.id, model.topic_id, Topic.position)
            .join(Topic, Topic.id == model.topic_id)
            .where(*conditions, model.id.not_in(posted), model.id.not_in(queued))
        )
    ).all()
    if not rows:
        return None
    topics = sorted({(position, topic) for _, topic, position in rows})
    last = await _latest_topic(session, channel_id, kind)
    # The first topic past the latest one, else the first of all (round the end).
    after = [topic for key, topic in topics if last is not None and (key, topic) > last]
    chosen = (after or [topic for _, topic in topics])[0]
    return min(
        (item for item, topic, _ in rows if topic == chosen),
        key=lambda item: hashlib.sha256(f"{channel_id}:{item}".encode()).digest(),
    )


async def _latest_topic(
    session: AsyncSession, channel_id: int, kind: ItemKind
) -> tuple[int, str] | None:
    """(position, id) of the topic of this channel's latest post of `kind`, queued or sent."""
    model = ITEM_MODELS[kind]
    queued_column = getattr(ScheduledPost, ITEM_COLUMNS[kind])
    row = (
        await session.execute(
            select(Topic.position, Topic.id)
            .select_from(ScheduledPost)
            .join(model, model.id == queued_column)
            .join(Topic, Topic.id == model.topic_id)
            .where(
                ScheduledPost.channel_id == channel_id,
                ScheduledPost.state != PostState.CANCELLED,
            )
            .order_by(ScheduledPost.due_at.desc(), ScheduledPost.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


async def preview(
    session: AsyncSession,
    channel: ChannelView,
    kind: ItemKind,
    item_id: str,
    due_at: datetime | None = None,
) -> Rendered:
    """The post as it would appear; ScheduleError when it is gone or too long.

    A quiz shows the number it will most likely get when due at `due_at` (see likely_number).
    """
    number = channel.next_quiz_number
    if kind is ItemKind.QUIZ and due_at is not None:
        number = await likely_number(session, channel, due_at)
    try:
        return render(await load_item(session, kind, item_id), channel, number)
    except RenderError as error:
        raise await _render_refused(session, kind, error) from error


async def likely_number(session: AsyncSession, channel: ChannelView, due_at: datetime) -> int:
    """The number a quiz due at `due_at` most likely gets: after those queued before it.

    Numbers are taken when a post goes out, so a /postnow or a new earlier post in between
    still moves it: the preview says so.
    """
    earlier = await session.scalar(
        select(func.count())
        .select_from(ScheduledPost)
        .where(
            ScheduledPost.channel_id == channel.id,
            ScheduledPost.kind == ItemKind.QUIZ,
            ScheduledPost.state.in_([PostState.PENDING, PostState.SENDING]),
            ScheduledPost.quiz_number.is_(None),  # a retry keeps the number it took
            ScheduledPost.due_at <= due_at,
        )
    )
    return channel.next_quiz_number + int(earlier or 0)


async def check_fits(
    session: AsyncSession, channel: ChannelView, kind: ItemKind, item_id: str
) -> None:
    """Raise ScheduleError now if the item would exceed a limit once numbered and signed."""
    # The number may grow before the post is due: leave room for one more digit.
    try:
        item = await load_item(session, kind, item_id)
        render(item, channel, max(channel.next_quiz_number * 10, 1000))
    except RenderError as error:
        raise await _render_refused(session, kind, error) from error


async def schedule_post(
    session: AsyncSession,
    channel: ChannelView,
    kind: ItemKind,
    item_id: str | None,
    due_at: datetime,
    now: datetime,
    slot_id: int | None = None,
) -> int:
    """Queue a post and return its id; `item_id` None takes the next unposted item."""
    if due_at <= now - timedelta(minutes=1):
        raise ScheduleError(Problem.PAST)
    if item_id is None:
        item_id = await next_unposted(session, channel.id, kind)
        if item_id is None:
            raise ScheduleError(Problem.EXHAUSTED)
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
    return post.id


async def item_label(session: AsyncSession, kind: ItemKind, item_id: str | None) -> str:
    """The item's own words (a quiz's question, a lesson's title), to name it to admins."""
    if item_id is None:
        return ""
    label = await session.scalar(select(LABEL_COLUMNS[kind]).where(ITEM_MODELS[kind].id == item_id))
    return label or item_id


async def pending_posts(
    session: AsyncSession, channel_id: int | None = None, limit: int | None = None
) -> list[QueuedPost]:
    """Pending posts, soonest first, optionally of one channel."""
    query = select(ScheduledPost).where(ScheduledPost.state == PostState.PENDING)
    if channel_id is not None:
        query = query.where(ScheduledPost.channel_id == channel_id)
    query = query.order_by(ScheduledPost.due_at, ScheduledPost.id).limit(limit)
    return await _queued(session, (await session.scalars(query)).all())


# What an admin must look at: the post did not go out, or may not have.
NEEDS_ADMIN = (PostState.MISSED, PostState.FAILED, PostState.UNCERTAIN)


async def attention_posts(session: AsyncSession, channel_id: int, limit: int) -> list[QueuedPost]:
    """The channel's missed, failed and uncertain posts, newest first."""
    query = (
        select(ScheduledPost)
        .where(ScheduledPost.channel_id == channel_id, ScheduledPost.state.in_(NEEDS_ADMIN))
        .order_by(ScheduledPost.due_at.desc(), ScheduledPost.id.desc())
        .limit(limit)
    )
    return await _queued(session, (await session.scalars(query)).all())


async def _queued(session: AsyncSession, posts: Sequence[ScheduledPost]) -> list[QueuedPost]:
    return [
        QueuedPost(
            post.id,
            post.channel_id,
            post.due_at,
            post.kind,
            post.item_id,
            await item_label(session, post.kind, post.item_id),
            post.state,
        )
        for post in posts
    ]


async def show_queue(session: AsyncSession, admin: Admin, limit: int = 20) -> QueueShown | Refusal:
    """/queue: the acting channel's next pending posts, and those waiting for an admin."""
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    return QueueShown(
        channel,
        tuple(await pending_posts(session, channel.id, limit)),
        tuple(await attention_posts(session, channel.id, limit // 2)),
    )


async def _admins_pending_post(
    session: AsyncSession, admin: Admin, post_id: int, also: Sequence[PostState] = ()
) -> ScheduledPost | PostGone | NotAdmin | NoChannels:
    """The post if it is pending (or in a state of `also`) and in one of the admin's channels."""
    mine = {channel.id for channel in await administered(session, admin)}
    if not mine:
        return await refusal(session)
    if not 0 < post_id <= MAX_ROW_ID:
        return PostGone()
    post = await session.get(ScheduledPost, post_id)
    if post is None or post.channel_id not in mine:
        return PostGone()
    if post.state is not PostState.PENDING and post.state not in also:
        return PostGone()
    return post


async def cancel(
    session: AsyncSession, admin: Admin, post_id: int, now: datetime
) -> PostCancelled | PostGone | NotAdmin | NoChannels:
    """The queue's cancel button; for a missed, failed or uncertain post it dismisses it."""
    post = await _admins_pending_post(session, admin, post_id, NEEDS_ADMIN)
    if not isinstance(post, ScheduledPost):
        return post
    post.state, post.updated_at = PostState.CANCELLED, now
    return PostCancelled(post_id)


async def postpone(
    session: AsyncSession, admin: Admin, post_id: int, now: datetime
) -> PostMoved | PostGone | NotAdmin | NoChannels:
    """The queue's "later" button: an hour after its time (or after now, if that passed)."""
    post = await _admins_pending_post(session, admin, post_id)
    if not isinstance(post, ScheduledPost):
        return post
    post.due_at, post.updated_at = max(post.due_at, now) + POSTPONE_STEP, now
    return PostMoved(post_id, post.due_at)


async def cancel_by_id(session: AsyncSession, post_id: int, now: datetime) -> bool:
    """Cancel a pending post from the command line; False when it is not pending."""
    post = await session.get(ScheduledPost, post_id)
    if post is None or post.state is not PostState.PENDING:
        return False
    post.state, post.updated_at = PostState.CANCELLED, now
    return True


async def post_now(
    session: AsyncSession, admin: Admin, words: Sequence[str], now: datetime
) -> PostQueued | PostNowUsage | Refused | Refusal:
    """/postnow quiz|interview|lesson [item] (or «کوییز» …), or /postnow POST_ID: due now.

    A post id re-sends a pending, failed, missed or uncertain post of the admin's channel
    (uncertain ones only after the admin looked at the channel: that is why they ask).
    """
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    named = phrases.leading_kind(words)
    if named is not None:
        kind, rest = named
        try:
            item = rest[0] if rest else None
            return PostQueued(await schedule_post(session, channel, kind, item, now, now))
        except ScheduleError as error:
            return error.refused
    number = row_id(words)
    if number is None:
        return PostNowUsage()
    post = await session.get(ScheduledPost, number)
    mine = {c.id for c in await administered(session, admin)}
    if post is None or post.channel_id not in mine or post.state in _FINAL_OR_BUSY:
        return PostNowUsage()
    post.state, post.due_at, post.updated_at, post.attempts = PostState.PENDING, now, now, 0
    return PostQueued(post.id)


_FINAL_OR_BUSY = (PostState.SENT, PostState.SENDING, PostState.CANCELLED)


async def reschedule(
    session: AsyncSession, admin: Admin, post_id: int, now: datetime
) -> PostMoved | PostGone | NotAdmin | NoChannels:
    """A notice's "an hour later": a failed, missed or uncertain post goes out in an hour."""
    mine = {channel.id for channel in await administered(session, admin)}
    if not mine:
        return await refusal(session)
    if not 0 < post_id <= MAX_ROW_ID:
        return PostGone()
    post = await session.get(ScheduledPost, post_id)
    if post is None or post.channel_id not in mine or post.state in _FINAL_OR_BUSY:
        return PostGone()  # handled meanwhile (sent, cancelled) or another channel's
    post.state, post.due_at, post.updated_at = PostState.PENDING, now + POSTPONE_STEP, now
    post.attempts = 0
    return PostMoved(post.id, post.due_at)


# --- recurring slots ----------------------------------------------------------------------


def weekday_mask(days: Sequence[int]) -> int:
    """Bit mask of ISO weekdays (1 = Monday … 7 = Sunday)."""
    return sum(1 << (day - 1) for day in set(days))


def parse_slot(words: Sequence[str]) -> tuple[ItemKind, list[int], time] | None:
    """`quiz daily 18:00`, «کوییز هر روز ۶ عصر», «مصاحبه شنبه، سه‌شنبه ۹ صبح»; None if unread.

    The words are read as one text: «هر روز» and «سوال مصاحبه» arrive as two words each.
    """
    found = phrases.split_kind(" ".join(words))
    if found is None:
        return None
    kind, rest = found
    clock = phrases.split_clock(rest)
    if clock is None:
        return None
    minutes, day_text = clock
    days = phrases.parse_days(day_text)
    if days is None:
        return None
    minutes %= 1440  # «۱۲ شب» is midnight
    return kind, days, time(minutes // 60, minutes % 60)


async def add_slot(
    session: AsyncSession,
    admin: Admin,
    words: Sequence[str],
    tz: str,
    now: datetime,
    topic_id: str | None = None,
) -> SlotAdded | SlotUsage | Refusal:
    """/slot quiz daily 18:00: a standing post, filled from the bank without repeats."""
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    parsed = parse_slot(words)
    if parsed is None:
        return SlotUsage()
    kind, days, local_time = parsed
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
    # The coming week is queued at once, so /queue shows it; what is missing is noticed by
    # the scheduler's next pass.
    await fill_slot(session, slot, channel, now)
    return SlotAdded(await slot_view(session, slot))


async def show_slots(session: AsyncSession, admin: Admin) -> SlotsShown | Refusal:
    """/slots: the acting channel's standing posts."""
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    slots = await session.scalars(
        select(RecurringSlot)
        .where(RecurringSlot.channel_id == channel.id, RecurringSlot.active.is_(True))
        .order_by(RecurringSlot.id)
    )
    return SlotsShown(channel, tuple([await slot_view(session, slot) for slot in slots.all()]))


async def slot_view(session: AsyncSession, slot: RecurringSlot) -> SlotView:
    """The slot with its topic's Persian title and its next queued post, to show admins."""
    topic = None if slot.topic_id is None else await session.get(Topic, slot.topic_id)
    post = await session.scalar(
        select(ScheduledPost)
        .where(ScheduledPost.slot_id == slot.id, ScheduledPost.state == PostState.PENDING)
        .order_by(ScheduledPost.due_at, ScheduledPost.id)
        .limit(1)
    )
    queued = None
    if post is not None:
        label = await item_label(session, post.kind, post.item_id)
        queued = QueuedPost(post.id, post.channel_id, post.due_at, post.kind, post.item_id, label)
    return SlotView.of(slot, topic.title if topic else None, queued)


async def remove_slot(
    session: AsyncSession, admin: Admin, words: Sequence[str]
) -> SlotRemoved | SlotUsage | PostGone | Refusal:
    """/unslot ID: the slot stops; the posts it already queued stay in the queue."""
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    number = row_id(words)
    if number is None:
        return SlotUsage()
    slot = await session.get(RecurringSlot, number)
    if slot is None or slot.channel_id != channel.id or not slot.active:
        return PostGone()
    slot.active = False
    return SlotRemoved(slot.id)


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
    slot_id: int
    kind: ItemKind
    due_at: datetime


async def fill_slot(
    session: AsyncSession, slot: RecurringSlot, channel: ChannelView, now: datetime
) -> list[Shortage]:
    """Create the slot's posts up to a week ahead, without repeats; the times left empty."""
    shortages: list[Shortage] = []
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
        item_id = await next_unposted(session, channel.id, slot.kind, slot.topic_id)
        if item_id is None:
            shortages.append(Shortage(channel.id, slot.id, slot.kind, due_at))
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
        except ScheduleError as error:
            # Bank items leave room for a signature; one that still does not fit is
            # skipped (and logged) rather than stopping every other slot.
            log.warning("slot %s skipped %s: %s", slot.id, item_id, error)
            continue
    if not shortages:
        # Times left empty are looked at again on the next pass, and noticed.
        slot.filled_until = end
    return shortages


async def fill_slots(session: AsyncSession, now: datetime) -> list[Shortage]:
    """Fill every active slot of the channels where the bot can post."""
    shortages: list[Shortage] = []
    slots = await session.scalars(select(RecurringSlot).where(RecurringSlot.active.is_(True)))
    for slot in slots.all():
        row = await session.get(Channel, slot.channel_id)
        if row is not None and row.bot_is_admin:
            shortages += await fill_slot(session, slot, ChannelView.of(row), now)
    return shortages
