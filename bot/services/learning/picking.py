"""Choosing what a learner gets next: no repeats until a topic is exhausted."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import BindParameter, ColumnElement, Select, String, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import InterviewQuestion, ItemKind, Publication, Quiz, QuizOption
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
    learner: str | BindParameter[Any], kind: ItemKind, column: InstrumentedAttribute[str | None]
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


# The common case of /quiz (an unseen quiz, any or one topic), built once with bind parameters
# and read as plain rows: building the statement afresh and loading ORM objects cost far more
# than SQLite's own work on a bank of a few hundred quizzes.
_TOPIC = bindparam("topic", type_=String)
_FRESH_QUIZ = (
    select(
        Quiz.id,
        Quiz.topic_id,
        Quiz.question,
        Quiz.multiple_answers,
        Quiz.explanation,
        Quiz.demo,
    )
    .where(
        *servable_quizzes(),
        or_(_TOPIC.is_(None), Quiz.topic_id == _TOPIC),
        Quiz.id.not_in(_seen(bindparam("learner"), ItemKind.QUIZ, Publication.quiz_id)),
    )
    .order_by(func.random())
    .limit(1)
)
_OPTIONS = (
    select(QuizOption.position, QuizOption.text, QuizOption.is_correct)
    .where(QuizOption.quiz_id == bindparam("quiz"))
    .order_by(QuizOption.position)
)


async def _fresh_quiz(session: AsyncSession, learner: str, topic_id: str | None) -> QuizView | None:
    """A random servable quiz the learner was never sent, as a view; None when none is left."""
    row = (await session.execute(_FRESH_QUIZ, {"learner": learner, "topic": topic_id})).first()
    if row is None:
        return None
    options = (await session.execute(_OPTIONS, {"quiz": row.id})).all()
    return QuizView(
        id=row.id,
        topic_id=row.topic_id,
        question=row.question,
        options=tuple(option.text for option in options),
        correct_indexes=tuple(option.position for option in options if option.is_correct),
        multiple_answers=row.multiple_answers,
        explanation=row.explanation,
        demo=row.demo,
    )


async def pick_quiz(
    session: AsyncSession,
    learner: str,
    topic_id: str | None = None,
    exclude: Collection[str] = (),
) -> QuizPick | None:
    """A random quiz the learner has not been sent; the longest-unseen one once all are seen."""
    if not exclude:
        fresh = await _fresh_quiz(session, learner, topic_id)
        if fresh is not None:
            return QuizPick(fresh, repeated=False)
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
