"""Importing a channel's past polls: quizzes kept out of rotation until an admin sets the
right answer, publications and historical vote snapshots. Importing twice changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.telegram_export import ChannelExport
from bot.db.models import (
    Audience,
    Channel,
    ContentSource,
    ItemKind,
    Publication,
    Purpose,
    Quiz,
    QuizOption,
    SnapshotSource,
    VoteSnapshot,
    VoteSnapshotOption,
)


@dataclass(frozen=True)
class ImportReport:
    """What an import added."""

    quizzes: int
    publications: int
    snapshots: int
    skipped: int


def imported_quiz_id(chat_id: int, message_id: int) -> str:
    """A stable id for a poll of a channel's history."""
    return f"tg{abs(chat_id) % 10**10}-{message_id}"


async def import_history(
    session: AsyncSession,
    export: ChannelExport,
    topic_id: str,
    now: datetime,
    progress: Callable[[int, int], object] | None = None,
) -> ImportReport:
    """Add the export's polls; existing ones (same channel and message) are left alone.

    `progress` hears (polls done, polls in all) after each poll: a channel's history may hold
    thousands.
    """
    channel = await session.scalar(select(Channel).where(Channel.chat_id == export.chat_id))
    if channel is None:
        channel = Channel(
            chat_id=export.chat_id,
            title=export.title,
            bot_is_admin=False,
            default_hashtags=[],
            created_at=now,
            updated_at=now,
        )
        session.add(channel)
        await session.flush()
    used_numbers: set[int] = {
        number
        for number in await session.scalars(
            select(Publication.quiz_number).where(Publication.channel_id == channel.id)
        )
        if number is not None
    }
    quizzes = publications = snapshots = skipped = 0
    for done, poll in enumerate(export.polls):
        if progress is not None:
            progress(done, len(export.polls))
        if len(poll.options) < 2:
            skipped += 1
            continue
        quiz_id = imported_quiz_id(export.chat_id, poll.message_id)
        exists = await session.scalar(
            select(Publication.id).where(
                Publication.channel_id == channel.id, Publication.message_id == poll.message_id
            )
        )
        if exists is not None:
            skipped += 1
            continue
        if await session.get(Quiz, quiz_id) is None:
            digest = hashlib.sha256("\n".join([poll.question, *poll.options]).encode())
            session.add(
                Quiz(
                    id=quiz_id,
                    topic_id=topic_id,
                    difficulty=2,
                    question=poll.question,
                    explanation=None,
                    tags=["imported"],
                    content_hash=digest.hexdigest(),
                    source=ContentSource.TELEGRAM_EXPORT,
                    needs_review=True,
                    created_at=now,
                    updated_at=now,
                    options=[
                        QuizOption(position=i, text=text, is_correct=False)
                        for i, text in enumerate(poll.options)
                    ],
                )
            )
            await session.flush()  # no ORM relationship orders this insert before the post
            quizzes += 1
        number = poll.number if poll.number not in used_numbers else None
        if number is not None:
            used_numbers.add(number)
        publication = Publication(
            audience=Audience.CHANNEL,
            purpose=Purpose.CHANNEL,
            channel_id=channel.id,
            kind=ItemKind.QUIZ,
            quiz_id=quiz_id,
            message_id=poll.message_id,
            quiz_number=number,
            sent_at=poll.date,
        )
        session.add(publication)
        await session.flush()
        publications += 1
        session.add(
            VoteSnapshot(
                publication_id=publication.id,
                taken_at=poll.date,
                total_voter_count=poll.total,
                is_closed=poll.closed,
                source=SnapshotSource.IMPORT,
                options=[
                    VoteSnapshotOption(position=i, voter_count=c) for i, c in enumerate(poll.counts)
                ],
            )
        )
        snapshots += 1
    if progress is not None:
        progress(len(export.polls), len(export.polls))
    if used_numbers and max(used_numbers) >= channel.next_quiz_number:
        channel.next_quiz_number = max(used_numbers) + 1  # new quizzes continue the series
    return ImportReport(quizzes, publications, snapshots, skipped)


async def set_answer(session: AsyncSession, quiz_id: str, position: int) -> bool:
    """An admin names the right option (1-based) of an imported quiz: it may now be served."""
    quiz = await session.get(Quiz, quiz_id)
    if quiz is None or not 1 <= position <= len(quiz.options):
        return False
    for option in quiz.options:
        option.is_correct = option.position == position - 1
    quiz.needs_review = False
    return True
