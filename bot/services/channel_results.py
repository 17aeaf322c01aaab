"""Vote snapshots of channel polls and the `/results` view of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Audience,
    Publication,
    Quiz,
    QuizOption,
    SnapshotSource,
    VoteSnapshot,
    VoteSnapshotOption,
)


async def record_snapshot(
    session: AsyncSession,
    poll_id: str,
    counts: Sequence[int],
    total: int,
    closed: bool,
    now: datetime,
) -> bool:
    """Store a channel poll's totals; False when the poll is not one of our channel posts."""
    publication_id = await session.scalar(
        select(Publication.id).where(
            Publication.poll_id == poll_id, Publication.audience == Audience.CHANNEL
        )
    )
    if publication_id is None:
        return False
    session.add(
        VoteSnapshot(
            publication_id=publication_id,
            taken_at=now,
            total_voter_count=total,
            is_closed=closed,
            source=SnapshotSource.LIVE,
            options=[VoteSnapshotOption(position=i, voter_count=c) for i, c in enumerate(counts)],
        )
    )
    return True


@dataclass(frozen=True)
class QuizResult:
    """The latest vote shares of one channel quiz."""

    number: int | None
    question: str
    shares: list[float]  # per option, 0–1
    correct: list[bool]
    voters: int

    @property
    def share_correct(self) -> float:
        """The share of voters who chose a correct option."""
        return sum(s for s, right in zip(self.shares, self.correct, strict=True) if right)


async def recent_results(
    session: AsyncSession, channel_id: int, limit: int = 5
) -> list[QuizResult]:
    """The newest channel quizzes with their latest snapshot."""
    publications = await session.scalars(
        select(Publication)
        .where(Publication.channel_id == channel_id, Publication.quiz_id.is_not(None))
        .order_by(Publication.sent_at.desc(), Publication.id.desc())
        .limit(limit)
    )
    results = []
    for publication in publications.all():
        snapshot = await session.scalar(
            select(VoteSnapshot)
            .where(VoteSnapshot.publication_id == publication.id)
            .order_by(VoteSnapshot.taken_at.desc(), VoteSnapshot.id.desc())
            .limit(1)
        )
        quiz = await session.get(Quiz, publication.quiz_id)
        if quiz is None:
            continue
        correct_rows = await session.scalars(
            select(QuizOption.is_correct)
            .where(QuizOption.quiz_id == quiz.id)
            .order_by(QuizOption.position)
        )
        correct = list(correct_rows.all())
        counts = [0] * len(correct)
        total = 0
        if snapshot is not None:
            total = snapshot.total_voter_count
            for option in snapshot.options:
                if option.position < len(counts):
                    counts[option.position] = option.voter_count
        shares = [count / total if total else 0.0 for count in counts]
        results.append(QuizResult(publication.quiz_number, quiz.question, shares, correct, total))
    return results
