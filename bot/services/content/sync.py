"""Write a validated content bank into the database: upsert, update in place, retire."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.loader import Bank, Located
from bot.bank.schema import InterviewItem, LessonItem, QuizItem
from bot.db.base import utcnow
from bot.db.models import ContentSource, InterviewQuestion, Lesson, Quiz, QuizOption, Topic

ProgressCallback = Callable[[int], None]


@dataclass
class KindReport:
    """What sync did to one kind of item."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.added or self.updated or self.retired)


@dataclass
class SyncReport:
    """What sync did, per kind."""

    topics: KindReport = field(default_factory=KindReport)
    quizzes: KindReport = field(default_factory=KindReport)
    interview_questions: KindReport = field(default_factory=KindReport)
    lessons: KindReport = field(default_factory=KindReport)

    @property
    def changed(self) -> bool:
        """Whether the database changed at all."""
        return any(
            report.changed
            for report in (self.topics, self.quizzes, self.interview_questions, self.lessons)
        )


def _apply_quiz(row: Quiz, item: QuizItem) -> None:
    row.topic_id = item.topic
    row.difficulty = item.difficulty
    row.question = item.question
    row.explanation = item.explanation
    row.multiple_answers = item.multiple
    row.tags = list(item.tags)
    row.demo = item.demo
    row.claim = item.claim
    correct = set(item.correct_indexes)
    # Update option rows in place by position: unchanged options keep their ids, and no
    # insert can collide with a not-yet-deleted row at the same position.
    by_position = {option.position: option for option in row.options}
    for position, text in enumerate(item.options):
        option = by_position.pop(position, None)
        if option is None:
            row.options.append(
                QuizOption(position=position, text=text, is_correct=position in correct)
            )
        else:
            option.text, option.is_correct = text, position in correct
    for option in by_position.values():
        row.options.remove(option)


def _apply_interview(row: InterviewQuestion, item: InterviewItem) -> None:
    row.topic_id = item.topic
    row.question = item.question
    row.answer = list(item.answer)
    row.tags = list(item.tags)


def _apply_lesson(row: Lesson, item: LessonItem) -> None:
    row.topic_id = item.topic
    row.title = item.title
    row.body = item.body
    row.hashtags = list(item.hashtags)


async def _sync_kind(
    session: AsyncSession,
    model: type[Any],
    located_items: Sequence[Located[Any]],
    apply: Callable[[Any, Any], None],
    now: datetime,
    progress: ProgressCallback | None,
) -> KindReport:
    report = KindReport()
    rows = (await session.scalars(select(model))).all()
    # Items imported from a channel's history or written in chat live only in the database:
    # sync never retires them. One that reaches the files (e.g. through `content export`)
    # becomes a file item under the same id, keeping its statistics.
    existing = {row.id: row for row in rows if row.source == ContentSource.BANK}
    elsewhere = {row.id: row for row in rows if row.source != ContentSource.BANK}
    for located in located_items:
        item = located.item
        digest = item.content_hash()
        row = existing.pop(item.id, None)
        adopted = elsewhere.pop(item.id, None)
        if adopted is not None:
            adopted.source = ContentSource.BANK
            if model is Quiz:
                adopted.needs_review = False  # the file names the right answer
            apply(adopted, item)
            adopted.content_hash = digest
            adopted.retired_at = None
            report.updated.append(item.id)
        elif row is None:
            row = model(id=item.id, content_hash=digest)
            if model is Quiz:
                row.options = []
            apply(row, item)
            session.add(row)
            report.added.append(item.id)
        elif row.content_hash != digest or row.retired_at is not None:
            apply(row, item)
            row.content_hash = digest
            row.retired_at = None
            report.updated.append(item.id)
        else:
            report.unchanged += 1
        if progress is not None:
            progress(1)
    for row in existing.values():
        if row.retired_at is None:
            row.retired_at = now
            report.retired.append(row.id)
    return report


async def _sync_topics(session: AsyncSession, bank: Bank, now: datetime) -> KindReport:
    report = KindReport()
    existing = {row.id: row for row in (await session.scalars(select(Topic))).all()}
    for position, topic in enumerate(bank.topics):
        row = existing.pop(topic.id, None)
        if row is None:
            session.add(
                Topic(id=topic.id, title=topic.title, hashtag=topic.hashtag, position=position)
            )
            report.added.append(topic.id)
        elif (row.title, row.hashtag, row.position, row.retired_at) != (
            topic.title,
            topic.hashtag,
            position,
            None,
        ):
            row.title, row.hashtag, row.position, row.retired_at = (
                topic.title,
                topic.hashtag,
                position,
                None,
            )
            report.updated.append(topic.id)
        else:
            report.unchanged += 1
    for row in existing.values():
        if row.retired_at is None:
            row.retired_at = now
            report.retired.append(row.id)
    return report


async def sync_bank(
    session: AsyncSession, bank: Bank, progress: ProgressCallback | None = None
) -> SyncReport:
    """Make the database match `bank` inside the caller's transaction.

    New items are added, changed ones updated in place, and items gone from the files are
    retired (kept, with their statistics, but no longer served). Running it twice changes
    nothing the second time.
    """
    now = utcnow()
    report = SyncReport(topics=await _sync_topics(session, bank, now))
    await session.flush()  # items reference topics
    report.quizzes = await _sync_kind(session, Quiz, bank.quizzes, _apply_quiz, now, progress)
    report.interview_questions = await _sync_kind(
        session, InterviewQuestion, bank.interview_questions, _apply_interview, now, progress
    )
    report.lessons = await _sync_kind(session, Lesson, bank.lessons, _apply_lesson, now, progress)
    await session.flush()
    return report
