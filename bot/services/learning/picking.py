"""Choosing what a learner gets next: no repeats until a topic is exhausted."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import InterviewQuestion, ItemKind, Publication, Quiz
from bot.services.learning.catalog import servable_quizzes
from bot.services.learning.views import InterviewView, QuizView


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


ItemRow = TypeVar("ItemRow", Quiz, InterviewQuestion)


async def _pick(
    session: AsyncSession,
    learner: str,
    model: type[ItemRow],
    kind: ItemKind,
    column: InstrumentedAttribute[str | None],
    conditions: list[ColumnElement[bool]],
) -> tuple[ItemRow, bool] | None:
    """A random unseen row, else the one sent longest ago; with whether it is a repeat."""
    fresh = await session.scalar(
        select(model)
        .where(*conditions, model.id.not_in(_seen(learner, kind, column)))
        .order_by(func.random())
        .limit(1)
    )
    if fresh is not None:
        return fresh, False
    last_sent = (
        select(column.label("item"), func.max(Publication.sent_at).label("last"))
        .where(Publication.learner_hash == learner, Publication.kind == kind)
        .group_by(column)
        .subquery()
    )
    oldest = await session.scalar(
        select(model)
        .join(last_sent, last_sent.c.item == model.id)
        .where(*conditions)
        .order_by(last_sent.c.last, model.id)
        .limit(1)
    )
    return None if oldest is None else (oldest, True)


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
    picked = await _pick(session, learner, Quiz, ItemKind.QUIZ, Publication.quiz_id, conditions)
    return None if picked is None else QuizPick(QuizView.of(picked[0]), repeated=picked[1])


async def pick_interview(
    session: AsyncSession, learner: str, topic_id: str | None = None
) -> InterviewPick | None:
    """An interview question chosen the same way as quizzes."""
    conditions: list[ColumnElement[bool]] = [InterviewQuestion.retired_at.is_(None)]
    if topic_id is not None:
        conditions.append(InterviewQuestion.topic_id == topic_id)
    picked = await _pick(
        session,
        learner,
        InterviewQuestion,
        ItemKind.INTERVIEW,
        Publication.interview_question_id,
        conditions,
    )
    if picked is None:
        return None
    return InterviewPick(InterviewView.of(picked[0]), repeated=picked[1])
