"""Recording a learner's answer to a quiz poll, and deciding what follows it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    Audience,
    LearnerAnswer,
    Publication,
    Purpose,
    Quiz,
    QuizOption,
    TestSession,
)
from bot.services.groups import games
from bot.services.groups.outcomes import PlayerAnswered
from bot.services.learning import exams, publications, reviews
from bot.services.learning.outcomes import AfterAnswer, Nothing

log = logging.getLogger(__name__)


def option_mask(option_ids: Sequence[int]) -> int:
    """Bit i set for each chosen option position i."""
    mask = 0
    for option_id in option_ids:
        mask |= 1 << option_id
    return mask


async def answer_poll(
    session: AsyncSession,
    learner: str,
    poll_id: str,
    option_ids: Sequence[int],
    now: datetime,
) -> AfterAnswer | PlayerAnswered:
    """Store the answer under the learner's hash, review its card, and say what follows.

    A test's answer brings its next quiz or the score card, a review's the next due review;
    a single quiz needs nothing (its poll shows the result and carries a "next" button).
    Idempotent: a repeated update changes nothing and reviews nothing. An empty option list
    (a retracted vote) removes the stored answer. Only the learner the poll was sent to is
    heard: a vote in a forwarded copy (someone else's) would move their test on. Option ids
    the quiz does not have are ignored. Everything needed is read in one query: this is the
    bot's busiest path. A poll that is no private quiz may be a group game's (see
    `_answer_in_game`).
    """
    existing = aliased(LearnerAnswer)
    correct_mask = (
        select(func.coalesce(func.sum(literal(1).op("<<")(QuizOption.position)), 0))
        .where(QuizOption.quiz_id == Publication.quiz_id, QuizOption.is_correct)
        .scalar_subquery()
    )
    option_count = (
        select(func.count())
        .select_from(QuizOption)
        .where(QuizOption.quiz_id == Publication.quiz_id)
        .scalar_subquery()
    )
    previous = (
        select(func.count())
        .select_from(LearnerAnswer)
        .where(LearnerAnswer.learner_hash == learner, LearnerAnswer.quiz_id == Publication.quiz_id)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(Publication, correct_mask, previous, existing.id, option_count)
            .join(Quiz, Quiz.id == Publication.quiz_id)
            .outerjoin(
                existing,
                and_(existing.publication_id == Publication.id, existing.learner_hash == learner),
            )
            .where(
                Publication.poll_id == poll_id,
                Publication.audience == Audience.PRIVATE,
                Publication.learner_hash == learner,
            )
        )
    ).first()
    if row is None:
        return await _answer_in_game(session, learner, poll_id, option_ids, now)
    publication, right_mask, earlier, existing_id, options = row
    if any(not 0 <= option_id < options for option_id in option_ids):
        log.info("answer with options %s to a quiz of %s ignored", option_ids, options)
        return Nothing()
    if not option_ids:
        if existing_id is not None:
            await session.execute(delete(LearnerAnswer).where(LearnerAnswer.id == existing_id))
        return Nothing()
    if existing_id is not None:
        return Nothing()  # Telegram delivered the same answer again
    test = None
    if publication.test_session_id is not None:
        # Locked: a timed question is settled once, by its answer or by the job's timeout.
        test = await session.get(TestSession, publication.test_session_id, with_for_update=True)
    if (
        test is not None
        and test.seconds_per_question is not None
        and not await exams.answer_in_time(session, test, publication.id, now)
    ):
        # Too late to count; if it is the waiting question, the test moves on now.
        return await exams.time_out(session, test, now) or Nothing()

    quiz_id = str(publication.quiz_id)
    correct = option_mask(option_ids) == int(right_mask)
    session.add(
        LearnerAnswer(
            learner_hash=learner,
            publication_id=publication.id,
            quiz_id=quiz_id,
            option_mask=option_mask(option_ids),
            is_correct=correct,
            attempt=int(earlier) + 1,
            test_session_id=publication.test_session_id,
            answered_at=now,
        )
    )
    await reviews.review(session, learner, quiz_id, correct, now)
    if test is not None:
        if test.finished_at is not None:
            return Nothing()
        test.correct_count += 1 if correct else 0
        return await exams.advance(session, test, now)
    if publication.purpose is Purpose.REVIEW:
        return await reviews.next_review(session, learner, now, announce=False)
    return Nothing()


async def _answer_in_game(
    session: AsyncSession,
    learner: str,
    poll_id: str,
    option_ids: Sequence[int],
    now: datetime,
) -> PlayerAnswered | Nothing:
    """A vote in a group game's poll: scored for the game and stored like a private answer.

    Only the first answer while the poll is open counts; a late one (after the timer, or once
    the poll was stopped) is not stored at all. The answer reaches the player's history as a
    publication of their own (purpose GAME, the poll being the group's), so /me, reviews and
    the statistics count it like any other.
    """
    poll = await games.game_poll(session, poll_id, now)
    if poll is None:
        log.info("answer to unknown poll %s ignored (or to another learner's)", poll_id)
        return Nothing()
    if not poll.open:
        log.info("answer to game poll %s after it closed ignored", poll_id)
        return Nothing()
    if not option_ids:  # Telegram lets no one take back a quiz vote; the first one stands
        return Nothing()
    right_mask, options, earlier = (
        await session.execute(
            select(
                select(func.coalesce(func.sum(literal(1).op("<<")(QuizOption.position)), 0))
                .where(QuizOption.quiz_id == poll.quiz_id, QuizOption.is_correct)
                .scalar_subquery(),
                select(func.count())
                .select_from(QuizOption)
                .where(QuizOption.quiz_id == poll.quiz_id)
                .scalar_subquery(),
                select(func.count())
                .select_from(LearnerAnswer)
                .where(LearnerAnswer.learner_hash == learner, LearnerAnswer.quiz_id == poll.quiz_id)
                .scalar_subquery(),
            )
        )
    ).one()
    if any(not 0 <= option_id < options for option_id in option_ids):
        log.info("answer with options %s to a quiz of %s ignored", option_ids, options)
        return Nothing()
    correct = option_mask(option_ids) == int(right_mask)
    if not await games.record_answer(session, poll, learner, correct, now):
        return Nothing()  # Telegram delivered the same answer again
    publication = await publications.record_game_quiz(session, learner, poll.quiz_id, poll.sent_at)
    session.add(
        LearnerAnswer(
            learner_hash=learner,
            publication_id=publication.id,
            quiz_id=poll.quiz_id,
            option_mask=option_mask(option_ids),
            is_correct=correct,
            attempt=int(earlier) + 1,
            answered_at=now,
        )
    )
    await reviews.review(session, learner, poll.quiz_id, correct, now)
    return PlayerAnswered(poll.game_id, learner)
