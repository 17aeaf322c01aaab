"""What the bank offers learners: topics with counts, and items by id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.normalize import comparison_key
from bot.db.models import InterviewQuestion, Quiz, Topic
from bot.services.learning.views import InterviewView, QuizView, TopicRef


@dataclass(frozen=True)
class TopicSummary:
    """A topic and how many servable items it has."""

    id: str
    title: str
    quizzes: int
    interviews: int


def servable_quizzes() -> list[ColumnElement[bool]]:
    """Conditions for quizzes that may be sent: not retired, answer known."""
    return [Quiz.retired_at.is_(None), Quiz.needs_review.is_(False)]


async def topic_summaries(session: AsyncSession) -> tuple[TopicSummary, ...]:
    """Active topics in bank order, with their item counts."""
    quiz_counts = (
        select(Quiz.topic_id, func.count().label("n"))
        .where(*servable_quizzes())
        .group_by(Quiz.topic_id)
        .subquery()
    )
    interview_counts = (
        select(InterviewQuestion.topic_id, func.count().label("n"))
        .where(InterviewQuestion.retired_at.is_(None))
        .group_by(InterviewQuestion.topic_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Topic.id,
            Topic.title,
            func.coalesce(quiz_counts.c.n, 0),
            func.coalesce(interview_counts.c.n, 0),
        )
        .outerjoin(quiz_counts, quiz_counts.c.topic_id == Topic.id)
        .outerjoin(interview_counts, interview_counts.c.topic_id == Topic.id)
        .where(Topic.retired_at.is_(None))
        .order_by(Topic.position)
    )
    return tuple(TopicSummary(*row) for row in rows)


async def find_topic(session: AsyncSession, text: str) -> TopicRef | None:
    """The active topic named by its id or its Persian title, loosely matched."""
    key = comparison_key(text)
    topics = (await session.scalars(select(Topic).where(Topic.retired_at.is_(None)))).all()
    for topic in topics:
        if key in (comparison_key(topic.id), comparison_key(topic.title)):
            return TopicRef.of(topic)
    return None


async def topic_by_id(session: AsyncSession, topic_id: str) -> TopicRef | None:
    """The active topic with this id."""
    topic = await session.get(Topic, topic_id)
    return None if topic is None or topic.retired_at is not None else TopicRef.of(topic)


async def active_quiz(session: AsyncSession, quiz_id: str) -> QuizView | None:
    """The quiz with this id if it may still be served."""
    quiz = await session.scalar(select(Quiz).where(Quiz.id == quiz_id, *servable_quizzes()))
    return None if quiz is None else QuizView.of(quiz)


async def active_interview(session: AsyncSession, question_id: str) -> InterviewView | None:
    """The interview question with this id if it is not retired."""
    question = await session.scalar(
        select(InterviewQuestion).where(
            InterviewQuestion.id == question_id, InterviewQuestion.retired_at.is_(None)
        )
    )
    return None if question is None else InterviewView.of(question)
