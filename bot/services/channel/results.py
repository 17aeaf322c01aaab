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
    SnapshotSource,
    VoteSnapshot,
    VoteSnapshotOption,
)
from bot.services.channel.outcomes import Refusal
from bot.services.channel.rights import Admin, acting_channel
from bot.services.channel.views import ChannelView


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
    options: tuple[str, ...]
    shares: tuple[float, ...]  # per option, 0–1
    correct: tuple[bool, ...]
    voters: int
    multiple: bool = False  # several right options; a voter may tick several

    @property
    def answer_known(self) -> bool:
        """False for an imported quiz whose right answer nobody has set yet."""
        # Every bank quiz has a right option (the schema insists); only imports have none.
        return any(self.correct)

    @property
    def share_correct(self) -> float | None:
        """The share of voters who chose a correct option; None when it cannot be known.

        It cannot for an imported quiz without its right answer, nor for a multiple-answer
        quiz: Telegram counts voters per option, so who ticked exactly the right set is lost.
        """
        if not self.answer_known or self.multiple:
            return None
        return sum(s for s, right in zip(self.shares, self.correct, strict=True) if right)


@dataclass(frozen=True)
class ResultsShown:
    """The latest vote shares of the acting channel's newest quizzes."""

    channel: ChannelView
    results: tuple[QuizResult, ...]


async def show_results(session: AsyncSession, admin: Admin) -> ResultsShown | Refusal:
    """/results: the acting channel's newest quizzes with their vote shares."""
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    return ResultsShown(channel, tuple(await recent_results(session, channel.id)))


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
        options = sorted(quiz.options, key=lambda option: option.position)
        correct = [option.is_correct for option in options]
        counts = [0] * len(correct)
        total = 0
        if snapshot is not None:
            total = snapshot.total_voter_count
            for option in snapshot.options:
                if option.position < len(counts):
                    counts[option.position] = option.voter_count
        shares = tuple(count / total if total else 0.0 for count in counts)
        option_texts = tuple(option.text for option in options)
        results.append(
            QuizResult(
                publication.quiz_number,
                quiz.question,
                option_texts,
                shares,
                tuple(correct),
                total,
                quiz.multiple_answers,
            )
        )
    return results
