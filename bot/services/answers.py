"""Recording a learner's answer to a quiz poll, and what should follow it."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, delete, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    Audience,
    LearnerAnswer,
    Publication,
    Purpose,
    Quiz,
    QuizOption,
    TestSession,
)
from bot.services import reviews


class AnswerStatus(enum.Enum):
    """What happened to an incoming poll answer."""

    RECORDED = "recorded"
    DUPLICATE = "duplicate"  # Telegram sent the same answer again
    RETRACTED = "retracted"  # the voter took their vote back
    UNKNOWN_POLL = "unknown_poll"  # not a poll this bot sent to a learner


@dataclass(frozen=True)
class AnswerOutcome:
    """The result of recording, with what the bot should do next."""

    status: AnswerStatus
    quiz_id: str | None = None
    topic_id: str | None = None
    correct: bool = False
    purpose: Purpose | None = None
    test: TestSession | None = None  # set when the answer belongs to a /test session

    @property
    def test_finished(self) -> bool:
        """Whether this answer completed its test session."""
        return self.test is not None and self.test.finished_at is not None


def option_mask(option_ids: Sequence[int]) -> int:
    """Bit i set for each chosen option position i."""
    mask = 0
    for option_id in option_ids:
        mask |= 1 << option_id
    return mask


async def record_answer(
    session: AsyncSession,
    learner: str,
    poll_id: str,
    option_ids: Sequence[int],
    now: datetime,
) -> AnswerOutcome:
    """Store the answer under the learner's hash, review its card and advance a test.

    Idempotent: a repeated update changes nothing. An empty option list (a retracted vote)
    removes the stored answer. Everything needed is read in one query: this is the bot's
    busiest path.
    """
    existing = aliased(LearnerAnswer)
    correct_mask = (
        select(func.coalesce(func.sum(literal(1).op("<<")(QuizOption.position)), 0))
        .where(QuizOption.quiz_id == Publication.quiz_id, QuizOption.is_correct)
        .scalar_subquery()
    )
    previous = (
        select(func.count())
        .select_from(LearnerAnswer)
        .where(LearnerAnswer.learner_hash == learner, LearnerAnswer.quiz_id == Publication.quiz_id)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                Publication, Quiz.topic_id, correct_mask, previous, existing.id, existing.is_correct
            )
            .join(Quiz, Quiz.id == Publication.quiz_id)
            .outerjoin(
                existing,
                and_(existing.publication_id == Publication.id, existing.learner_hash == learner),
            )
            .where(Publication.poll_id == poll_id, Publication.audience == Audience.PRIVATE)
        )
    ).first()
    if row is None:
        return AnswerOutcome(AnswerStatus.UNKNOWN_POLL)
    publication, topic_id, right_mask, earlier, existing_id, existing_correct = row
    quiz_id = str(publication.quiz_id)
    base = AnswerOutcome(
        AnswerStatus.RECORDED, quiz_id=quiz_id, topic_id=topic_id, purpose=publication.purpose
    )
    if not option_ids:
        if existing_id is not None:
            await session.execute(delete(LearnerAnswer).where(LearnerAnswer.id == existing_id))
        return replace(base, status=AnswerStatus.RETRACTED)
    if existing_id is not None:
        return replace(base, status=AnswerStatus.DUPLICATE, correct=bool(existing_correct))

    correct = option_mask(option_ids) == int(right_mask)
    session.add(
        LearnerAnswer(
            learner_hash=learner,
            publication_id=publication.id,
            quiz_id=quiz_id,
            option_mask=option_mask(option_ids),
            is_correct=correct,
            attempt=int(earlier) + 1,
            test_session_id=publication.test_session_id,
            answered_at=now,
        )
    )
    await reviews.review(session, learner, quiz_id, correct, now)
    test = await _advance_test(session, publication.test_session_id, correct, now)
    return replace(base, correct=correct, test=test)


async def _advance_test(
    session: AsyncSession, test_id: int | None, correct: bool, now: datetime
) -> TestSession | None:
    if test_id is None:
        return None
    test = await session.get(TestSession, test_id)
    if test is None or test.finished_at is not None:
        return test
    await session.flush()
    answered = await session.scalar(
        select(func.count())
        .select_from(LearnerAnswer)
        .where(LearnerAnswer.test_session_id == test_id)
    )
    test.correct_count += 1 if correct else 0
    if (answered or 0) >= test.size:
        test.finished_at = now
    return test
