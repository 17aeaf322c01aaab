"""Recording a learner's answer to a quiz poll, and what should follow it."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def _correct_mask(session: AsyncSession, quiz_id: str) -> int:
    positions = await session.scalars(
        select(QuizOption.position).where(QuizOption.quiz_id == quiz_id, QuizOption.is_correct)
    )
    return option_mask(list(positions))


async def record_answer(
    session: AsyncSession,
    learner: str,
    poll_id: str,
    option_ids: Sequence[int],
    now: datetime,
) -> AnswerOutcome:
    """Store the answer under the learner's hash, review its card and advance a test.

    Idempotent: a repeated update changes nothing. An empty option list (a retracted vote)
    removes the stored answer.
    """
    publication = await session.scalar(
        select(Publication).where(
            Publication.poll_id == poll_id, Publication.audience == Audience.PRIVATE
        )
    )
    if publication is None or publication.quiz_id is None:
        return AnswerOutcome(AnswerStatus.UNKNOWN_POLL)
    quiz_id = publication.quiz_id
    topic_id = await session.scalar(select(Quiz.topic_id).where(Quiz.id == quiz_id))
    existing = await session.scalar(
        select(LearnerAnswer).where(
            LearnerAnswer.publication_id == publication.id, LearnerAnswer.learner_hash == learner
        )
    )
    base = AnswerOutcome(
        AnswerStatus.RECORDED, quiz_id=quiz_id, topic_id=topic_id, purpose=publication.purpose
    )
    if not option_ids:
        if existing is not None:
            await session.execute(delete(LearnerAnswer).where(LearnerAnswer.id == existing.id))
        return replace(base, status=AnswerStatus.RETRACTED)
    if existing is not None:
        return replace(base, status=AnswerStatus.DUPLICATE, correct=existing.is_correct)

    mask = option_mask(option_ids)
    correct = mask == await _correct_mask(session, quiz_id)
    previous = await session.scalar(
        select(func.count())
        .select_from(LearnerAnswer)
        .where(LearnerAnswer.learner_hash == learner, LearnerAnswer.quiz_id == quiz_id)
    )
    session.add(
        LearnerAnswer(
            learner_hash=learner,
            publication_id=publication.id,
            quiz_id=quiz_id,
            option_mask=mask,
            is_correct=correct,
            attempt=(previous or 0) + 1,
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
