"""Plain views of items, handed from services to handlers (no ORM object leaves a service)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import InterviewQuestion, Quiz, Topic


@dataclass(frozen=True)
class TopicRef:
    """A topic as learners see it."""

    id: str
    title: str

    @classmethod
    def of(cls, topic: Topic) -> TopicRef:
        """The view of a topic row."""
        return cls(topic.id, topic.title)


@dataclass(frozen=True)
class QuizView:
    """What sending a quiz poll needs."""

    id: str
    topic_id: str
    question: str
    options: tuple[str, ...]
    correct_indexes: tuple[int, ...]
    multiple_answers: bool
    explanation: str | None
    demo: str | None

    @classmethod
    def of(cls, quiz: Quiz) -> QuizView:
        """The view of a quiz row (its options must be loaded)."""
        return cls(
            id=quiz.id,
            topic_id=quiz.topic_id,
            question=quiz.question,
            options=tuple(option.text for option in quiz.options),
            correct_indexes=tuple(o.position for o in quiz.options if o.is_correct),
            multiple_answers=quiz.multiple_answers,
            explanation=quiz.explanation,
            demo=quiz.demo,
        )


@dataclass(frozen=True)
class InterviewView:
    """What sending an interview question needs."""

    id: str
    topic_id: str
    question: str
    answer: tuple[str, ...]

    @classmethod
    def of(cls, question: InterviewQuestion) -> InterviewView:
        """The view of an interview question row."""
        return cls(question.id, question.topic_id, question.question, tuple(question.answer))
