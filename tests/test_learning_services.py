"""The learning services on a real database session: no bot, milliseconds each."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank.loader import load_bank
from bot.db.models import (
    ConversationState,
    DemoCooldown,
    LearnerAnswer,
    Publication,
    Purpose,
    ReviewCard,
    TestSession,
)
from bot.services import conversations
from bot.services.content.sync import sync_bank
from bot.services.learning import (
    answers,
    exams,
    forgetting,
    practice,
    progress,
    publications,
    reviews,
)
from bot.services.learning.outcomes import (
    BadTestSize,
    NextQuiz,
    NextReview,
    NoAnswersYet,
    Nothing,
    NothingDue,
    ProgressReport,
    ScoreCard,
    TestChoice,
    TestQuestion,
    TestStarted,
    UnknownTopic,
)
from tests.banks import learner_bank_data, write_bank

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
TEHRAN = ZoneInfo("Asia/Tehran")
LEARNER = "a" * 64
SEALED = "sealed-chat"  # what the handler passes: the learner's chat, sealed
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(session_factory: Sessions, tmp_path: Path) -> Sessions:
    """Sessions on a database holding the sample bank."""
    async with session_factory.begin() as session:
        await sync_bank(session, load_bank(write_bank(tmp_path / "content", learner_bank_data())))
    return session_factory


async def sent(
    sessions: Sessions,
    quiz_id: str,
    purpose: Purpose,
    test_id: int | None = None,
    *,
    at: datetime = NOW,
    learner: str = LEARNER,
) -> str:
    """Record a quiz as sent (what the handler does after sendPoll); its poll id.

    A timed test's clock starts then, as the handler starts it.
    """
    async with sessions.begin() as session:
        count = await session.scalar(select(func.count()).select_from(Publication))
        poll_id = f"poll-{count}"
        await publications.record_private_quiz(
            session, learner, quiz_id, poll_id, 1, purpose, at, test_id
        )
        if test_id is not None:
            await exams.start_clock(session, test_id, at)
    return poll_id


async def answer(
    sessions: Sessions,
    poll_id: str,
    options: list[int],
    at: datetime = NOW,
    learner: str = LEARNER,
) -> object:
    async with sessions.begin() as session:
        return await answers.answer_poll(session, learner, poll_id, options, at)


async def start_test(
    sessions: Sessions,
    words: list[str],
    seconds: int = 0,
    *,
    learner: str = LEARNER,
    at: datetime = NOW,
) -> TestStarted:
    """/test with these words, then the timer button (`seconds`, 0: none) pressed."""
    async with sessions.begin() as session:
        choice = await practice.start_test_by_words(session, words)
        assert isinstance(choice, TestChoice)
        topic = choice.topic.id if choice.topic else None
        started = await practice.start_chosen_test(
            session, learner, topic, choice.size, seconds, at, SEALED
        )
    assert isinstance(started, TestStarted)
    return started


async def count(sessions: Sessions, model: type) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_repeated_answer_is_stored_once_and_reviews_the_card_once(
    sessions: Sessions,
) -> None:
    poll_id = await sent(sessions, "cnn-params", Purpose.SINGLE)
    assert await answer(sessions, poll_id, [1]) == Nothing()  # Telegram shows the result
    assert await answer(sessions, poll_id, [1]) == Nothing()
    async with sessions() as session:
        card = await session.get(ReviewCard, (LEARNER, "cnn-params"))
        assert card is not None
        assert card.reviews == 1
    assert await count(sessions, LearnerAnswer) == 1


async def test_a_retracted_vote_removes_the_answer(sessions: Sessions) -> None:
    poll_id = await sent(sessions, "cnn-params", Purpose.SINGLE)
    await answer(sessions, poll_id, [1])
    await answer(sessions, poll_id, [])
    assert await count(sessions, LearnerAnswer) == 0


async def test_an_unknown_poll_changes_nothing(sessions: Sessions) -> None:
    assert await answer(sessions, "no-such-poll", [0]) == Nothing()
    assert await count(sessions, LearnerAnswer) == 0


async def test_a_test_numbers_its_quizzes_and_ends_with_a_score_card(sessions: Sessions) -> None:
    started = await start_test(sessions, ["cnn", "۲"])
    assert (started.size, started.first.number, started.first.seconds) == (2, 1, None)
    first = started.first
    poll_id = await sent(sessions, first.quiz.id, Purpose.TEST, first.test_id)
    second = await answer(sessions, poll_id, list(first.quiz.correct_indexes))
    assert isinstance(second, TestQuestion)
    assert (second.number, second.size) == (2, 2)
    assert second.quiz.id != first.quiz.id  # no repeat within a test
    poll_id = await sent(sessions, second.quiz.id, Purpose.TEST, second.test_id)
    wrong = next(i for i in range(4) if i not in second.quiz.correct_indexes)
    card = await answer(sessions, poll_id, [wrong], NOW + timedelta(seconds=75))
    assert isinstance(card, ScoreCard)
    assert (card.correct, card.wrong, card.unanswered, card.size) == (1, 1, 0, 2)
    assert (card.seconds, card.duration) == (None, timedelta(seconds=75))
    assert card.weakest is not None
    assert (card.weakest.correct, card.weakest.total) == (1, 2)


async def test_a_test_is_capped_by_its_topic_and_sizes_are_checked(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        capped = await practice.start_test_by_words(session, ["cnn", "10"])
        too_big = await practice.start_test_by_words(session, ["cnn", "۹۹"])
        unknown = await practice.start_test_by_words(session, ["astrology"])
    assert isinstance(capped, TestChoice)
    assert (capped.size, capped.requested, capped.timers) == (2, 10, (30, 60))
    assert too_big == BadTestSize(1, 20)
    assert isinstance(unknown, UnknownTopic)
    assert [topic.id for topic in unknown.topics] == ["activations", "cnn"]


async def test_no_quiz_repeats_until_the_topic_is_exhausted(sessions: Sessions) -> None:
    seen = []
    for minute in range(3):
        async with sessions.begin() as session:
            pick = await practice.quiz_by_name(session, LEARNER, "شبکه‌های کانولوشنی")
        assert isinstance(pick, NextQuiz)
        seen.append((pick.quiz.id, pick.repeated))
        async with sessions.begin() as session:
            await publications.record_private_quiz(
                session, LEARNER, pick.quiz.id, f"p{minute}", 1, Purpose.SINGLE,
                NOW + timedelta(minutes=minute),
            )  # fmt: skip
    assert {quiz for quiz, _ in seen[:2]} == {"cnn-params", "cnn-pool-size"}
    assert seen[2] == (seen[0][0], True)  # the one seen longest ago, said to be a repeat


async def test_a_wrong_review_comes_back_then_the_next_date_is_given(sessions: Sessions) -> None:
    poll_id = await sent(sessions, "cnn-params", Purpose.SINGLE)
    await answer(sessions, poll_id, [0])  # wrong: FSRS brings it back within minutes
    later = NOW + timedelta(minutes=10)
    async with sessions() as session:
        due = await reviews.next_review(session, LEARNER, later, announce=True)
    assert isinstance(due, NextReview)
    assert (due.quiz.id, due.due_count) == ("cnn-params", 1)
    review_poll = await sent(sessions, "cnn-params", Purpose.REVIEW)
    after = await answer(sessions, review_poll, [1], later)
    assert isinstance(after, NothingDue)
    assert after.finished
    assert after.next_due_at > later


async def test_progress_counts_answers_topics_and_the_daily_streak(sessions: Sessions) -> None:
    tz = TEHRAN
    async with sessions() as session:
        assert await progress.learner_progress(session, LEARNER, NOW, tz) == NoAnswersYet()
    answered = [("cnn-params", 1), ("cnn-pool-size", 0), ("act-relu-grad", 0)]
    for day, (quiz, option) in enumerate(answered):
        poll_id = await sent(sessions, quiz, Purpose.SINGLE)
        await answer(sessions, poll_id, [option], NOW + timedelta(days=day))
    async with sessions() as session:
        report = await progress.learner_progress(session, LEARNER, NOW + timedelta(days=2), tz)
    assert isinstance(report, ProgressReport)
    assert (report.answered, report.correct, report.streak_days) == (3, 2, 3)
    assert [(t.title, t.correct, t.total) for t in report.topics] == [
        ("توابع فعال‌سازی", 1, 1),
        ("شبکه‌های کانولوشنی", 1, 2),
    ]


async def test_forget_deletes_answers_cards_tests_cooldowns_and_drafts(sessions: Sessions) -> None:
    poll_id = await sent(sessions, "cnn-params", Purpose.SINGLE)
    await answer(sessions, poll_id, [1])
    await start_test(sessions, ["cnn"])
    async with sessions.begin() as session:
        session.add(DemoCooldown(learner_hash=LEARNER, last_run_at=NOW))
        await conversations.save(
            session, "schedule", "k" * 64, "when", {}, NOW + timedelta(hours=1)
        )
    async with sessions.begin() as session:
        await forgetting.forget_learner(session, LEARNER, ["k" * 64])
    kept = (LearnerAnswer, ReviewCard, Publication, TestSession, DemoCooldown, ConversationState)
    for model in kept:
        assert await count(sessions, model) == 0, model.__name__


async def test_forget_goes_through_votes_others_left_in_the_learners_forwarded_polls(
    sessions: Sessions,
) -> None:
    # Stored before such votes were ignored: another person's answer to the learner's poll.
    started = await start_test(sessions, ["cnn", "2"])
    poll_id = await sent(sessions, "cnn-params", Purpose.TEST, started.first.test_id)
    async with sessions.begin() as session:
        publication = await session.scalar(
            select(Publication).where(Publication.poll_id == poll_id)
        )
        assert publication is not None
        session.add(
            LearnerAnswer(
                learner_hash="b" * 64,
                publication_id=publication.id,
                quiz_id="cnn-params",
                option_mask=1,
                is_correct=False,
                test_session_id=started.first.test_id,
                answered_at=NOW,
            )
        )
    async with sessions.begin() as session:
        await forgetting.forget_learner(session, LEARNER, [])
    for model in (LearnerAnswer, Publication, TestSession):
        assert await count(sessions, model) == 0, model.__name__
