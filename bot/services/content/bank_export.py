"""The database's content items written back as a content file (`quizbot content export
--format yaml`), e.g. the items admins wrote in chat, to keep them with the files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.interchange import quiz_to_yaml_data
from bot.bank.schema import InterviewItem, LessonItem, QuizItem
from bot.db.models import ContentSource, InterviewQuestion, Lesson, Quiz


@dataclass
class ExportedItems:
    """The sections of a content file, and the ids of rows no content file can hold."""

    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unusable: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many items the file holds."""
        return sum(map(len, self.sections.values()))


def _quiz_data(quiz: Quiz) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": quiz.id,
        "topic": quiz.topic_id,
        "difficulty": quiz.difficulty,
        "question": quiz.question,
        "options": [option.text for option in quiz.options],
        "correct": [option.position + 1 for option in quiz.options if option.is_correct],
        "multiple": quiz.multiple_answers,
        "tags": list(quiz.tags),
    }
    for name, value in (
        ("explanation", quiz.explanation),
        ("demo", quiz.demo),
        ("claim", quiz.claim),
    ):
        if value is not None:
            data[name] = value
    return data


M = TypeVar("M", Quiz, InterviewQuestion, Lesson)


async def _rows(session: AsyncSession, model: type[M], source: ContentSource | None) -> list[M]:
    query = select(model).where(model.retired_at.is_(None)).order_by(model.id)
    if source is not None:
        query = query.where(model.source == source)
    return list((await session.scalars(query)).all())


async def export_items(session: AsyncSession, source: ContentSource | None) -> ExportedItems:
    """Every item in service (of `source`, when given) as it would be written in a file.

    Each goes through the bank's schema again; a row it refuses (an imported poll whose right
    answer is not known yet) is listed in `unusable` instead.
    """
    exported = ExportedItems()
    quizzes = await _rows(session, Quiz, source)
    interviews = await _rows(session, InterviewQuestion, source)
    lessons = await _rows(session, Lesson, source)
    for quiz in quizzes:
        try:
            item = QuizItem.model_validate(_quiz_data(quiz))
        except ValidationError:
            exported.unusable.append(quiz.id)
            continue
        exported.sections.setdefault("quizzes", []).append(quiz_to_yaml_data(item))
    for question in interviews:
        data = {
            "id": question.id,
            "topic": question.topic_id,
            "question": question.question,
            "answer": list(question.answer),
            "tags": list(question.tags),
        }
        try:
            interview = InterviewItem.model_validate(data)
        except ValidationError:
            exported.unusable.append(question.id)
            continue
        dumped = interview.model_dump(mode="json", exclude_defaults=True)
        exported.sections.setdefault("interview_questions", []).append(dumped)
    for lesson in lessons:
        data = {
            "id": lesson.id,
            "topic": lesson.topic_id,
            "title": lesson.title,
            "body": lesson.body,
            "hashtags": list(lesson.hashtags),
        }
        try:
            lesson_item = LessonItem.model_validate(data)
        except ValidationError:
            exported.unusable.append(lesson.id)
            continue
        dumped = lesson_item.model_dump(mode="json", exclude_defaults=True)
        exported.sections.setdefault("lessons", []).append(dumped)
    return exported
