"""`/me`: a learner's own numbers, computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LearnerAnswer, Quiz, Topic
from bot.services.reviews import due_summary

# Streaks longer than this are shown as this; it bounds the rows read for one learner.
STREAK_WINDOW_DAYS = 366


@dataclass(frozen=True)
class TopicScore:
    """Answers and right answers in one topic."""

    title: str
    correct: int
    total: int


@dataclass(frozen=True)
class Progress:
    """Everything `/me` shows."""

    answered: int
    correct: int
    streak_days: int
    reviews_due: int
    topics: list[TopicScore]


def streak(days: set[date], today: date) -> int:
    """Consecutive days with an answer, ending today (or yesterday, if not yet today)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


async def learner_progress(
    session: AsyncSession, learner: str, now: datetime, tz: ZoneInfo
) -> Progress:
    """Totals, per-topic accuracy, daily streak (in the learner-facing time zone), due reviews."""
    correct_sum = func.sum(case((LearnerAnswer.is_correct, 1), else_=0))
    rows = await session.execute(
        select(Topic.title, correct_sum, func.count())
        .select_from(LearnerAnswer)
        .join(Quiz, Quiz.id == LearnerAnswer.quiz_id)
        .join(Topic, Topic.id == Quiz.topic_id)
        .where(LearnerAnswer.learner_hash == learner)
        .group_by(Topic.id, Topic.title, Topic.position)
        .order_by(Topic.position)
    )
    topics = [TopicScore(title, int(right or 0), int(total)) for title, right, total in rows]
    moments = await session.scalars(
        select(LearnerAnswer.answered_at).where(
            LearnerAnswer.learner_hash == learner,
            LearnerAnswer.answered_at > now - timedelta(days=STREAK_WINDOW_DAYS),
        )
    )
    days = {moment.astimezone(tz).date() for moment in moments}
    due = await due_summary(session, learner, now)
    return Progress(
        answered=sum(topic.total for topic in topics),
        correct=sum(topic.correct for topic in topics),
        streak_days=streak(days, now.astimezone(tz).date()),
        reviews_due=due.due_count,
        topics=topics,
    )
