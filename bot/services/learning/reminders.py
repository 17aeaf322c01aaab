"""Daily review reminders: one a day at the learner's hour, only when reviews are due.

The setting is kept under the learner's keyed hash with their private chat sealed (the one
id the bot must read back to write to them). Each day the first pass in a learner's hour
looks once: the reminders of that hour are claimed for the day in one statement (so two bot
processes never both send one), and only those with due reviews are sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.normalize import to_latin_digits
from bot.db.models import Quiz, Reminder, ReviewCard
from bot.services.channel.phrases import normal, parse_clock
from bot.services.learning.catalog import servable_quizzes
from bot.services.learning.outcomes import BadReminderHour, ReminderOff, ReminderPanel, ReminderSet

HOURS = range(24)
CLAIM_BATCH = 500
OFF_WORDS = frozenset({"off", "خاموش", "خاموشکن", "نه", "لغو", "قطع"})


async def panel(session: AsyncSession, learner: str) -> ReminderPanel:
    """/remind: the reminder's hour now (None: off)."""
    reminder = await session.get(Reminder, learner)
    return ReminderPanel(None if reminder is None else reminder.hour)


async def by_words(
    session: AsyncSession,
    learner: str,
    words: Sequence[str],
    sealed_chat: str,
    now: datetime,
    tz: ZoneInfo,
) -> ReminderPanel | ReminderSet | ReminderOff | BadReminderHour:
    """/remind [hour | off]: «/remind ۲۱», «/remind ۹ شب», «/remind خاموش»; none: the panel."""
    text = " ".join(words).strip()
    if not text:
        return await panel(session, learner)
    if normal(text).replace(" ", "") in OFF_WORDS:
        return await turn_off(session, learner)
    clock = parse_clock(to_latin_digits(text))
    if clock is None or clock.minute != 0:
        return BadReminderHour(text)
    return await set_hour(session, learner, clock.hour, sealed_chat, now, tz)


async def set_hour(
    session: AsyncSession,
    learner: str,
    hour: int,
    sealed_chat: str,
    now: datetime,
    tz: ZoneInfo,
) -> ReminderSet | BadReminderHour:
    """Turn the reminder on at a local hour (or move it); the chat is sealed afresh."""
    if hour not in HOURS:
        return BadReminderHour(str(hour))
    reminder = await session.get(Reminder, learner)
    local = now.astimezone(tz)
    today = local.date()
    if reminder is None:
        reminder = Reminder(learner_hash=learner, created_at=now)
        session.add(reminder)
    # An hour already reached today (or a reminder already looked at today): the next one
    # comes tomorrow, so a change never brings a second reminder in one day.
    looked = hour <= local.hour or reminder.checked_on == today
    reminder.checked_on = today if looked else None
    reminder.hour = hour
    reminder.sealed_chat = sealed_chat
    reminder.updated_at = now
    return ReminderSet(hour)


async def turn_off(session: AsyncSession, learner: str) -> ReminderOff:
    """No more reminders (the row and its sealed chat are deleted)."""
    reminder = await session.get(Reminder, learner)
    if reminder is None:
        return ReminderOff(was_on=False)
    await session.delete(reminder)
    await session.flush()
    return ReminderOff(was_on=True)


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send now: to whom (sealed) and how many reviews are due."""

    learner: str
    sealed_chat: str
    due: int


@dataclass(frozen=True)
class Claim:
    """One batch of the hour's reminders: how many were claimed, and those to send."""

    claimed: int
    due: list[DueReminder]


async def claim_due(
    session: AsyncSession, now: datetime, tz: ZoneInfo, limit: int = CLAIM_BATCH
) -> Claim:
    """Take the reminders of the current local hour not yet looked at today; the due ones.

    Claimed reminders are marked for the day whether anything is due or not: one look a day,
    so a learner who clears their reviews is not called back when the next card falls due
    within the hour.
    """
    local = now.astimezone(tz)
    today = local.date()
    waiting = (
        select(Reminder.learner_hash)
        .where(
            Reminder.hour == local.hour,
            or_(Reminder.checked_on.is_(None), Reminder.checked_on < today),
        )
        .order_by(Reminder.learner_hash)
        .limit(limit)
        .scalar_subquery()
    )
    claimed = (
        await session.execute(
            update(Reminder)
            .where(
                Reminder.learner_hash.in_(waiting),
                # Again: another process may have claimed them since the subquery was read.
                or_(Reminder.checked_on.is_(None), Reminder.checked_on < today),
            )
            .values(checked_on=today)
            .returning(Reminder.learner_hash, Reminder.sealed_chat)
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not claimed:
        return Claim(0, [])
    chats = dict(claimed)
    due = await session.execute(
        select(ReviewCard.learner_hash, func.count())
        .join(Quiz, Quiz.id == ReviewCard.quiz_id)
        .where(
            ReviewCard.learner_hash.in_(list(chats)),
            ReviewCard.due_at <= now,
            *servable_quizzes(),
        )
        .group_by(ReviewCard.learner_hash)
    )
    reminders = [
        DueReminder(learner, chats[learner], int(count))
        for learner, count in sorted(due.all())
        if count
    ]
    return Claim(len(claimed), reminders)


async def switch_off(session: AsyncSession, learner: str) -> None:
    """The learner blocked the bot: their reminder goes (they can set it again)."""
    await session.execute(delete(Reminder).where(Reminder.learner_hash == learner))
