"""Choosing what a learner gets next: no repeats until a topic is exhausted."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import InterviewQuestion, ItemKind, Publication, Quiz
from bot.services.catalog import servable_quizzes
from bot.services.views import InterviewView, QuizView


@dataclass(frozen=True)
class QuizPick:
    """The chosen quiz; `repeated` when the learner has already seen every candidate."""

    quiz: QuizView
    repeated: bool


@dataclass(frozen=True)
class InterviewPick:
    """The chosen interview question; `repeated` as for quizzes."""

    question: InterviewView
    repeated: bool


def _seen(
    learner: str, kind: ItemKind, column: InstrumentedAttribute[str | None]
) -> Select[str | None]:
    """Ids of items of `kind` already sent to the learner."""
    return select(column).where(
        Publication.learner_hash == learner, Publication.kind == kind, column.is_not(None)
    )


async def pick_quiz(
    session: AsyncSession,
    learner: str,
    topic_id: str | None = None,
    exclude: Collection[str] = (),
) -> QuizPick | None:
    """A random quiz the learner has not been sent; the longest-unseen one once all are seen."""
    conditions: list[ColumnElement[bool]] = [*servable_quizzes()]
    if topic_id is not None:
        conditions.append(Quiz.topic_id == topic_id)
    if exclude:
        conditions.append(Quiz.id.not_in(exclude))
    fresh = await session.scalar(
        select(Quiz)
        .where(*conditions, Quiz.id.not_in(_seen(learner, ItemKind.QUIZ, Publication.quiz_id)))
        .order_by(func.random())
        .limit(1)
    )
    if fresh is not None:
        return QuizPick(QuizView.of(fresh), repeated=False)
    last_sent = (
        select(Publication.quiz_id, func.max(Publication.sent_at).label("last"))
        .where(Publication.learner_hash == learner, Publication.kind == ItemKind.QUIZ)
        .group_by(Publication.quiz_id)
        .subquery()
    )
    oldest = await session.scalar(
        select(Quiz)
        .join(last_sent, last_sent.c.quiz_id == Quiz.id)
        .where(*conditions)
        .order_by(last_sent.c.last, Quiz.id)
        .limit(1)
    )
    return None if oldest is None else QuizPick(QuizView.of(oldest), repeated=True)


async def pick_interview(
    session: AsyncSession, learner: str, topic_id: str | None = None
) -> InterviewPick | None:
    """An interview question chosen the same way as quizzes."""
    conditions: list[ColumnElement[bool]] = [InterviewQuestion.retired_at.is_(None)]
    if topic_id is not None:
        conditions.append(InterviewQuestion.topic_id == topic_id)
    seen = _seen(learner, ItemKind.INTERVIEW, Publication.interview_question_id)
    fresh = await session.scalar(
        select(InterviewQuestion)
        .where(*conditions, InterviewQuestion.id.not_in(seen))
        .order_by(func.random())
        .limit(1)
    )
    if fresh is not None:
        return InterviewPick(InterviewView.of(fresh), repeated=False)
    last_sent = (
        select(Publication.interview_question_id, func.max(Publication.sent_at).label("last"))
        .where(Publication.learner_hash == learner, Publication.kind == ItemKind.INTERVIEW)
        .group_by(Publication.interview_question_id)
        .subquery()
    )
    oldest = await session.scalar(
        select(InterviewQuestion)
        .join(last_sent, last_sent.c.interview_question_id == InterviewQuestion.id)
        .where(*conditions)
        .order_by(last_sent.c.last, InterviewQuestion.id)
        .limit(1)
    )
    return None if oldest is None else InterviewPick(InterviewView.of(oldest), repeated=True)
