"""`/test`: several quizzes in a row, numbered, then a score card; timed or not, shareable.

A timed test sends each quiz poll with Telegram's `open_period`. Telegram closes the poll by
itself and tells the bot nothing, so the test keeps the deadline of the question waiting for
an answer; a job (`expire_due`) or a late answer, whichever comes first, counts the question
unanswered and moves on. The test row is read with a row lock on both paths, so a question
is settled once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LearnerAnswer, Publication, Quiz, SharedTest, TestSession
from bot.services.learning import catalog, shares
from bot.services.learning.catalog import servable_quizzes
from bot.services.learning.outcomes import (
    BadTestLink,
    NoQuizzes,
    ScoreCard,
    SharedResults,
    StaleTestLink,
    TestChoice,
    TestQuestion,
    TestStarted,
)
from bot.services.learning.picking import pick_quiz
from bot.services.learning.scores import topic_scores
from bot.services.learning.views import TopicRef

MIN_SIZE, DEFAULT_SIZE, MAX_SIZE = 1, 5, 20
# Seconds per question a learner may choose (Telegram allows 5–600).
TIMERS = (30, 60)
# The deadline is counted from when Telegram returned the poll, which is after it opened it;
# an answer Telegram took just before closing may still reach us a moment after the deadline.
GRACE = timedelta(seconds=2)
EXPIRE_BATCH = 200


async def available_quizzes(session: AsyncSession, topic_id: str | None) -> int:
    """How many quizzes a test on this topic (or the whole bank) can draw from."""
    query = select(func.count()).select_from(Quiz).where(*servable_quizzes())
    if topic_id is not None:
        query = query.where(Quiz.topic_id == topic_id)
    return await session.scalar(query) or 0


async def choose(
    session: AsyncSession, topic: TopicRef | None, size: int
) -> TestChoice | NoQuizzes:
    """What the learner is asked before a test: timed or not (nothing is stored yet)."""
    available = await available_quizzes(session, topic.id if topic else None)
    if available == 0:
        return NoQuizzes()
    return TestChoice(topic, min(size, available), size, TIMERS)


async def start(
    session: AsyncSession,
    learner: str,
    topic: TopicRef | None,
    size: int,
    now: datetime,
    *,
    seconds: int | None = None,
    sealed_chat: str | None = None,
) -> TestStarted | NoQuizzes:
    """Open a test of `size` quizzes (fewer if the scope has fewer) and pick its first.

    A timed test keeps the learner's sealed chat while it runs (`sealed_chat`).
    """
    topic_id = topic.id if topic else None
    available = await available_quizzes(session, topic_id)
    if available == 0:
        return NoQuizzes()
    await _stop_running(session, learner)
    test = TestSession(
        learner_hash=learner,
        topic_id=topic_id,
        size=min(size, available),
        started_at=now,
        seconds_per_question=seconds,
        sealed_chat=sealed_chat if seconds is not None else None,
    )
    session.add(test)
    await session.flush()
    first = await next_question(session, learner, test)
    if first is None:
        return NoQuizzes()
    return TestStarted(test.size, size, topic, first, seconds)


async def _stop_running(session: AsyncSession, learner: str) -> None:
    """A new test takes over: a timed one still running sends no more questions."""
    await session.execute(
        update(TestSession)
        .where(
            TestSession.learner_hash == learner,
            TestSession.finished_at.is_(None),
            or_(TestSession.deadline.is_not(None), TestSession.sealed_chat.is_not(None)),
        )
        .values(deadline=None, sealed_chat=None)
        .execution_options(synchronize_session=False)
    )


async def open_shared(
    session: AsyncSession, learner: str, code: str, now: datetime, sealed_chat: str
) -> TestStarted | SharedResults | BadTestLink | StaleTestLink:
    """A friend's link `test_<code>`: the same questions in the same order, timed alike.

    Its sender, and anyone who took it already, sees how everyone did instead (only a first
    attempt counts among the scores).
    """
    shared = await shares.by_code(session, code)
    if shared is None:
        return BadTestLink()
    results = await _results(session, shared, learner)
    if results is not None:
        return results
    served = await session.scalar(
        select(func.count())
        .select_from(Quiz)
        .where(Quiz.id.in_(shared.quiz_ids), *servable_quizzes())
    )
    if not shared.quiz_ids or served != len(set(shared.quiz_ids)):
        return StaleTestLink()
    seconds = shared.seconds_per_question
    await _stop_running(session, learner)
    test = TestSession(
        learner_hash=learner,
        topic_id=shared.topic_id,
        size=len(shared.quiz_ids),
        started_at=now,
        seconds_per_question=seconds,
        sealed_chat=sealed_chat if seconds is not None else None,
        shared_test_id=shared.id,
    )
    session.add(test)
    await session.flush()
    first = await next_question(session, learner, test)
    if first is None:
        return StaleTestLink()
    topic = None if shared.topic_id is None else await catalog.topic_by_id(session, shared.topic_id)
    return TestStarted(test.size, test.size, topic, first, seconds, shared=True)


async def sender_results(
    session: AsyncSession, learner: str, code: str
) -> SharedResults | BadTestLink:
    """The comparison button under a shared test's link: for its sender or one who took it."""
    shared = await shares.by_code(session, code)
    results = None if shared is None else await _results(session, shared, learner)
    return BadTestLink() if results is None else results


async def _results(session: AsyncSession, shared: SharedTest, learner: str) -> SharedResults | None:
    """How a shared test went, for its sender or one who finished it; None for anyone else."""
    if shared.owner_hash == learner:
        standing = await shares.standing(session, shared, shared.owner_correct, None)
        return SharedResults(shared.code, standing)
    taken = await shares.finished_attempt(session, shared, learner)
    if taken is None:
        return None
    standing = await shares.standing(session, shared, taken.correct_count, taken)
    return SharedResults(shared.code, standing)


async def _sent(session: AsyncSession, test: TestSession) -> Sequence[str]:
    """The quizzes sent in the test so far, in order."""
    return [
        quiz_id
        for quiz_id in await session.scalars(
            select(Publication.quiz_id)
            .where(Publication.test_session_id == test.id)
            .order_by(Publication.id)
        )
        if quiz_id is not None
    ]


async def next_question(
    session: AsyncSession, learner: str, test: TestSession
) -> TestQuestion | None:
    """The test's next quiz, numbered, never one already sent in it.

    A test from a link takes the link's next question; otherwise one is picked.
    """
    sent = await _sent(session, test)
    number = len(sent) + 1
    shared = (
        None if test.shared_test_id is None else await session.get(SharedTest, test.shared_test_id)
    )
    if shared is not None:
        if len(sent) >= len(shared.quiz_ids):
            return None
        quiz = await catalog.active_quiz(session, shared.quiz_ids[len(sent)])
        if quiz is None:
            return None  # retired meanwhile: the test ends here
        return TestQuestion(quiz, test.id, number, test.size, test.seconds_per_question)
    pick = await pick_quiz(session, learner, test.topic_id, exclude=sent)
    if pick is None:
        return None
    return TestQuestion(pick.quiz, test.id, number, test.size, test.seconds_per_question)


async def start_clock(session: AsyncSession, test_id: int, now: datetime) -> None:
    """A timed test's question was just sent: its time runs from now."""
    test = await session.get(TestSession, test_id, with_for_update=True)
    if test is None or test.seconds_per_question is None or test.finished_at is not None:
        return
    test.deadline = now + timedelta(seconds=test.seconds_per_question) + GRACE


async def answer_in_time(
    session: AsyncSession, test: TestSession, publication_id: int, now: datetime
) -> bool:
    """Whether an answer to this question of a timed test counts (then its clock stops).

    Only the question now waiting counts, before its deadline; an earlier question's answer
    came after that one was settled.
    """
    if test.finished_at is not None or test.deadline is None or now > test.deadline:
        return False
    current = await session.scalar(
        select(func.max(Publication.id)).where(Publication.test_session_id == test.id)
    )
    if publication_id != current:
        return False
    test.deadline = None
    return True


async def time_out(
    session: AsyncSession, test: TestSession, now: datetime
) -> TestQuestion | ScoreCard | None:
    """If the waiting question's time ran out, count it unanswered; what follows (or None)."""
    if test.finished_at is not None or test.deadline is None or now <= test.deadline:
        return None
    test.deadline = None
    test.timed_out += 1
    return await advance(session, test, now)


async def advance(
    session: AsyncSession, test: TestSession, now: datetime
) -> TestQuestion | ScoreCard:
    """After a question is settled (answered or timed out): the next one, or the score card."""
    await session.flush()
    answered = await session.scalar(
        select(func.count())
        .select_from(LearnerAnswer)
        .where(LearnerAnswer.test_session_id == test.id)
    )
    if (answered or 0) + test.timed_out < test.size:
        question = await next_question(session, test.learner_hash, test)
        if question is not None:
            return question
    return await finish(session, test, now)


async def finish(session: AsyncSession, test: TestSession, now: datetime) -> ScoreCard:
    """End the test (its sealed chat is dropped) and make its score card."""
    test.finished_at = now
    test.deadline = None
    test.sealed_chat = None
    await session.flush()
    return await score_card(session, test, now)


async def score_card(session: AsyncSession, test: TestSession, now: datetime) -> ScoreCard:
    """Right, wrong and unanswered, time taken, weakest topic; the link to pass it on.

    A test taken from a link is compared with the sender's score and the other takers'.
    """
    scores = await topic_scores(session, LearnerAnswer.test_session_id == test.id)
    weak = [score for score in scores if score.correct < score.total]
    weakest = min(weak, key=lambda s: (s.correct / s.total, s.title)) if weak else None
    answered = sum(score.total for score in scores)
    finished = test.finished_at or test.started_at
    shared = await shares.share_of(session, test, now)
    standing = (
        None
        if test.shared_test_id is None
        else await shares.standing(session, shared, test.correct_count, test)
    )
    return ScoreCard(
        size=test.size,
        correct=test.correct_count,
        wrong=max(0, answered - test.correct_count),
        unanswered=max(0, test.size - answered),
        seconds=test.seconds_per_question,
        duration=finished - test.started_at,
        weakest=weakest,
        topic_id=test.topic_id,
        share_code=shared.code,
        standing=standing,
    )


@dataclass(frozen=True)
class Expired:
    """A timed test whose question ran out: where to send what follows."""

    sealed_chat: str | None
    follow: TestQuestion | ScoreCard


async def due_for_expiry(session: AsyncSession, now: datetime) -> list[int]:
    """Running timed tests whose waiting question's time has run out."""
    rows = await session.scalars(
        select(TestSession.id)
        .where(TestSession.deadline < now, TestSession.finished_at.is_(None))
        .order_by(TestSession.deadline)
        .limit(EXPIRE_BATCH)
    )
    return list(rows.all())


async def expire(session: AsyncSession, test_id: int, now: datetime) -> Expired | None:
    """Settle one timed-out question for the job; None when an answer or another pass did."""
    test = await session.get(TestSession, test_id, with_for_update=True)
    if test is None:
        return None
    sealed = test.sealed_chat  # read before a finished test drops it
    follow = await time_out(session, test, now)
    return None if follow is None else Expired(sealed, follow)


async def abandon(session: AsyncSession, test_id: int) -> None:
    """A timed test that cannot go on (its next question could not be sent): its chat goes."""
    test = await session.get(TestSession, test_id, with_for_update=True)
    if test is not None and test.finished_at is None:
        test.deadline = None
        test.sealed_chat = None
