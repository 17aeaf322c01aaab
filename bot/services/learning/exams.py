"""`/test`: several quizzes in a row, numbered, then a score card."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LearnerAnswer, Publication, Quiz, TestSession
from bot.services.learning.catalog import servable_quizzes
from bot.services.learning.outcomes import NoQuizzes, ScoreCard, TestQuestion, TestStarted
from bot.services.learning.picking import pick_quiz
from bot.services.learning.scores import topic_scores
from bot.services.learning.views import TopicRef

MIN_SIZE, DEFAULT_SIZE, MAX_SIZE = 1, 5, 20


async def available_quizzes(session: AsyncSession, topic_id: str | None) -> int:
    """How many quizzes a test on this topic (or the whole bank) can draw from."""
    query = select(func.count()).select_from(Quiz).where(*servable_quizzes())
    if topic_id is not None:
        query = query.where(Quiz.topic_id == topic_id)
    return await session.scalar(query) or 0


async def start(
    session: AsyncSession, learner: str, topic: TopicRef | None, size: int, now: datetime
) -> TestStarted | NoQuizzes:
    """Open a test of `size` quizzes (fewer if the scope has fewer) and pick its first."""
    topic_id = topic.id if topic else None
    available = await available_quizzes(session, topic_id)
    if available == 0:
        return NoQuizzes()
    test = TestSession(
        learner_hash=learner, topic_id=topic_id, size=min(size, available), started_at=now
    )
    session.add(test)
    await session.flush()
    first = await next_question(session, learner, test)
    if first is None:
        return NoQuizzes()
    return TestStarted(test.size, size, topic, first)


async def next_question(
    session: AsyncSession, learner: str, test: TestSession
) -> TestQuestion | None:
    """The test's next quiz, numbered, never one already sent in it."""
    sent = [
        quiz_id
        for quiz_id in await session.scalars(
            select(Publication.quiz_id).where(Publication.test_session_id == test.id)
        )
        if quiz_id is not None
    ]
    pick = await pick_quiz(session, learner, test.topic_id, exclude=sent)
    if pick is None:
        return None
    return TestQuestion(pick.quiz, test.id, len(sent) + 1, test.size)


async def score_card(session: AsyncSession, test: TestSession) -> ScoreCard:
    """Right answers, time taken and weakest topic of a finished test."""
    scores = await topic_scores(session, LearnerAnswer.test_session_id == test.id)
    weak = [score for score in scores if score.correct < score.total]
    weakest = min(weak, key=lambda s: (s.correct / s.total, s.title)) if weak else None
    finished = test.finished_at or test.started_at
    return ScoreCard(
        test.size, test.correct_count, finished - test.started_at, weakest, test.topic_id
    )
