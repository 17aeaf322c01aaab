"""`/test`: several quizzes in a row, then a score card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LearnerAnswer, Publication, Quiz, TestSession
from bot.services.catalog import servable_quizzes
from bot.services.topic_scores import TopicScore, topic_scores

MIN_SIZE, DEFAULT_SIZE, MAX_SIZE = 1, 5, 20


async def available_quizzes(session: AsyncSession, topic_id: str | None) -> int:
    """How many quizzes a test on this topic (or the whole bank) can draw from."""
    query = select(func.count()).select_from(Quiz).where(*servable_quizzes())
    if topic_id is not None:
        query = query.where(Quiz.topic_id == topic_id)
    return await session.scalar(query) or 0


async def start_test(
    session: AsyncSession, learner: str, topic_id: str | None, size: int, now: datetime
) -> TestSession:
    """Open a test session of `size` quizzes."""
    test = TestSession(learner_hash=learner, topic_id=topic_id, size=size, started_at=now)
    session.add(test)
    await session.flush()
    return test


async def sent_quiz_ids(session: AsyncSession, test_id: int) -> list[str]:
    """Quizzes already sent in this session, so none repeats within it."""
    rows = await session.scalars(
        select(Publication.quiz_id).where(Publication.test_session_id == test_id)
    )
    return [quiz_id for quiz_id in rows if quiz_id is not None]


@dataclass(frozen=True)
class ScoreCard:
    """The result of a finished test."""

    size: int
    correct: int
    duration: timedelta
    weakest: TopicScore | None


async def score_card(session: AsyncSession, test: TestSession) -> ScoreCard:
    """Correct count, time taken and weakest topic of a finished session."""
    scores = await topic_scores(session, LearnerAnswer.test_session_id == test.id)
    weak = [score for score in scores if score.correct < score.total]
    weakest = min(weak, key=lambda s: (s.correct / s.total, s.title)) if weak else None
    finished = test.finished_at or test.started_at
    return ScoreCard(test.size, test.correct_count, finished - test.started_at, weakest)
