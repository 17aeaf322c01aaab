"""Spaced repetition with FSRS: every answer reviews the learner's card for that quiz."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Quiz, ReviewCard
from bot.services.learning.catalog import servable_quizzes
from bot.services.learning.outcomes import NextReview, NoReviewCards, NothingDue
from bot.services.learning.views import QuizView

# Fuzzing spreads intervals so that cards learned together do not all fall due together.
DEFAULT_SCHEDULER = Scheduler(enable_fuzzing=True)


@dataclass(frozen=True)
class CardValues:
    """A review card's stored fields, as the answer batch reads and writes them."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due_at: datetime
    last_review_at: datetime | None
    reviews: int
    lapses: int


def reviewed(
    before: CardValues | None,
    correct: bool,
    now: datetime,
    scheduler: Scheduler = DEFAULT_SCHEDULER,
) -> CardValues:
    """A card's fields after one more answer (a new card when `before` is None): right counts
    as Good, wrong as Again. The one place FSRS is applied, per answer and in batches."""
    card = (
        Card(card_id=1, due=now)
        if before is None
        else Card(
            card_id=1,  # FSRS does not use it; our key is (learner_hash, quiz_id)
            state=State(before.state),
            step=before.step,
            stability=before.stability,
            difficulty=before.difficulty,
            due=before.due_at,
            last_review=before.last_review_at,
        )
    )
    card, _ = scheduler.review_card(card, Rating.Good if correct else Rating.Again, now)
    return CardValues(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due_at=card.due,
        last_review_at=card.last_review,
        reviews=(0 if before is None else before.reviews) + 1,
        lapses=(0 if before is None else before.lapses) + (0 if correct else 1),
    )


async def review(
    session: AsyncSession,
    learner: str,
    quiz_id: str,
    correct: bool,
    now: datetime,
    scheduler: Scheduler = DEFAULT_SCHEDULER,
) -> ReviewCard:
    """Record an answer as a review: right counts as Good, wrong as Again."""
    row = await session.get(ReviewCard, (learner, quiz_id))
    before = (
        None
        if row is None
        else CardValues(
            row.state,
            row.step,
            row.stability,
            row.difficulty,
            row.due_at,
            row.last_review_at,
            row.reviews,
            row.lapses,
        )
    )
    after = reviewed(before, correct, now, scheduler)
    if row is None:
        row = ReviewCard(learner_hash=learner, quiz_id=quiz_id)
        session.add(row)
    row.state = after.state
    row.step = after.step
    row.stability = after.stability
    row.difficulty = after.difficulty
    row.due_at = after.due_at
    row.last_review_at = after.last_review_at
    row.reviews = after.reviews
    row.lapses = after.lapses
    return row


@dataclass(frozen=True)
class DueSummary:
    """What the learner has to review now, and when the next review falls due otherwise."""

    due_count: int
    next_quiz: QuizView | None
    next_due_at: datetime | None
    has_cards: bool


async def due_summary(session: AsyncSession, learner: str, now: datetime) -> DueSummary:
    """Cards due now (oldest first), or the time of the next one."""
    servable = [ReviewCard.learner_hash == learner, *servable_quizzes()]
    due = [*servable, ReviewCard.due_at <= now]
    count = await session.scalar(
        select(func.count()).select_from(ReviewCard).join(Quiz).where(*due)
    )
    first = await session.scalar(
        select(Quiz).join(ReviewCard).where(*due).order_by(ReviewCard.due_at, Quiz.id).limit(1)
    )
    next_due = await session.scalar(
        select(func.min(ReviewCard.due_at)).join(Quiz).where(*servable, ReviewCard.due_at > now)
    )
    has_cards = bool(count) or next_due is not None
    return DueSummary(
        due_count=count or 0,
        next_quiz=None if first is None else QuizView.of(first),
        next_due_at=next_due,
        has_cards=has_cards,
    )


async def next_review(
    session: AsyncSession, learner: str, now: datetime, *, announce: bool
) -> NextReview | NoReviewCards | NothingDue:
    """The oldest due card's quiz, else when the next review falls due.

    `announce` is True for /review (say how many are due), False right after an answer.
    """
    due = await due_summary(session, learner, now)
    if due.next_quiz is not None:
        return NextReview(due.next_quiz, due.due_count, announce)
    if due.next_due_at is None:
        return NoReviewCards()
    return NothingDue(due.next_due_at, finished=not announce)
