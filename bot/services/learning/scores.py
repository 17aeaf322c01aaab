"""Right answers per topic for any set of a learner's answers (used by /me and /test)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LearnerAnswer, Quiz, Topic


@dataclass(frozen=True)
class TopicScore:
    """Answers and right answers in one topic."""

    title: str
    correct: int
    total: int


async def topic_scores(
    session: AsyncSession, *where: ColumnElement[bool]
) -> tuple[TopicScore, ...]:
    """Per-topic totals of the answers matching `where`, in bank order, counted in SQL."""
    correct_sum = func.sum(case((LearnerAnswer.is_correct, 1), else_=0))
    rows = await session.execute(
        select(Topic.title, correct_sum, func.count())
        .select_from(LearnerAnswer)
        .join(Quiz, Quiz.id == LearnerAnswer.quiz_id)
        .join(Topic, Topic.id == Quiz.topic_id)
        .where(*where)
        .group_by(Topic.id, Topic.title, Topic.position)
        .order_by(Topic.position)
    )
    return tuple(TopicScore(title, int(right or 0), int(total)) for title, right, total in rows)
