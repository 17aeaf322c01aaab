"""`/me`: a learner's own numbers, computed in SQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LearnerAnswer
from bot.services.learning.outcomes import NoAnswersYet, ProgressReport
from bot.services.learning.reviews import due_summary
from bot.services.learning.scores import topic_scores

# Streaks longer than this are shown as this; it bounds the rows read for one learner.
STREAK_WINDOW_DAYS = 366


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
) -> ProgressReport | NoAnswersYet:
    """Totals, per-topic accuracy, daily streak (in the learner-facing time zone), due reviews."""
    topics = await topic_scores(session, LearnerAnswer.learner_hash == learner)
    if not topics:
        return NoAnswersYet()
    moments = await session.scalars(
        select(LearnerAnswer.answered_at).where(
            LearnerAnswer.learner_hash == learner,
            LearnerAnswer.answered_at > now - timedelta(days=STREAK_WINDOW_DAYS),
        )
    )
    days = {moment.astimezone(tz).date() for moment in moments}
    due = await due_summary(session, learner, now)
    return ProgressReport(
        answered=sum(topic.total for topic in topics),
        correct=sum(topic.correct for topic in topics),
        streak_days=streak(days, now.astimezone(tz).date()),
        reviews_due=due.due_count,
        topics=topics,
    )
