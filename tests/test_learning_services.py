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
    Reminder,
    ReviewCard,
    SharedTest,
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
    reminders,
    reviews,
)
from bot.services.learning.outcomes import (
    BadReminderHour,
    BadTestLink,
    BadTestSize,
    NextQuiz,
    NextReview,
    NoAnswersYet,
    Nothing,
    NothingDue,
    ProgressReport,
    ReminderOff,
    ReminderPanel,
    ReminderSet,
    ScoreCard,
    SharedResults,
    TestChoice,
    TestQuestion,
    TestStarted,
    UnknownTopic,
)
from bot.services.learning.shares import Standing
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


# --- timed tests, shared tests, reminders ---------------------------------------------------


async def test_a_timed_question_that_runs_out_counts_unanswered_and_a_late_answer_does_not(
    sessions: Sessions,
) -> None:
    started = await start_test(sessions, ["activations", "3"], seconds=30)
    first = started.first
    assert first.seconds == 30
    poll_1 = await sent(sessions, first.quiz.id, Purpose.TEST, first.test_id)
    at = NOW + timedelta(seconds=10)
    second = await answer(sessions, poll_1, list(first.quiz.correct_indexes), at)
    assert isinstance(second, TestQuestion)
    poll_2 = await sent(sessions, second.quiz.id, Purpose.TEST, second.test_id, at=at)
    async with sessions() as session:  # answered in time: its clock stopped; the next runs
        assert await exams.due_for_expiry(session, at + timedelta(seconds=31)) == []
    # The second question's answer comes after its 30 seconds (and the grace): not counted,
    # and the test goes on at once.
    at += timedelta(seconds=35)
    third = await answer(sessions, poll_2, list(second.quiz.correct_indexes), at)
    assert isinstance(third, TestQuestion)
    assert third.number == 3
    poll_3 = await sent(sessions, third.quiz.id, Purpose.TEST, third.test_id, at=at)
    # Nobody answers the third: the job finds it once its time is up, and only then.
    async with sessions() as session:
        assert await exams.due_for_expiry(session, at + timedelta(seconds=30)) == []
        assert await exams.due_for_expiry(session, at + timedelta(seconds=33)) == [first.test_id]
    async with sessions.begin() as session:
        expired = await exams.expire(session, first.test_id, at + timedelta(seconds=33))
    assert expired is not None
    assert expired.sealed_chat == SEALED
    card = expired.follow
    assert isinstance(card, ScoreCard)
    assert (card.correct, card.wrong, card.unanswered, card.seconds) == (1, 0, 2, 30)
    async with sessions.begin() as session:  # settled once
        assert await exams.expire(session, first.test_id, at + timedelta(seconds=40)) is None
        test = await session.get(TestSession, first.test_id)
        assert test is not None
        assert test.sealed_chat is None  # the chat is kept only while the test runs
    assert await answer(sessions, poll_3, [0], at + timedelta(seconds=50)) == Nothing()
    assert await count(sessions, LearnerAnswer) == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_new_test_stops_a_timed_one_still_running(sessions: Sessions) -> None:
    timed = await start_test(sessions, ["cnn", "2"], seconds=30)
    poll_id = await sent(sessions, timed.first.quiz.id, Purpose.TEST, timed.first.test_id)
    await start_test(sessions, ["activations", "2"])
    async with sessions() as session:
        assert await exams.due_for_expiry(session, NOW + timedelta(minutes=5)) == []
        stopped = await session.get(TestSession, timed.first.test_id)
        assert stopped is not None
        assert stopped.sealed_chat is None
    assert await answer(sessions, poll_id, [0], NOW + timedelta(seconds=5)) == Nothing()


async def take(
    sessions: Sessions, started: TestStarted, learner: str, right: int
) -> tuple[list[str], ScoreCard]:
    """Answer a started (untimed) test, the first `right` questions right; quizzes and card."""
    question: object = started.first
    quizzes = []
    while isinstance(question, TestQuestion):
        quizzes.append(question.quiz.id)
        poll_id = await sent(
            sessions, question.quiz.id, Purpose.TEST, question.test_id, learner=learner
        )
        correct = list(question.quiz.correct_indexes)
        wrong = [next(i for i in range(4) if i not in correct)]
        options = correct if len(quizzes) <= right else wrong
        question = await answer(sessions, poll_id, options, learner=learner)
    assert isinstance(question, ScoreCard)
    return quizzes, question


async def test_a_shared_test_gives_the_same_questions_and_compares_scores_only(
    sessions: Sessions,
) -> None:
    owner_quizzes, card = await take(
        sessions, await start_test(sessions, ["activations", "3"]), LEARNER, 1
    )
    code = card.share_code
    assert card.standing is None
    friends = ["b" * 64, "c" * 64, "d" * 64]
    for friend, right in zip(friends, (3, 2, 0), strict=True):
        async with sessions.begin() as session:
            started = await exams.open_shared(session, friend, code, NOW, SEALED)
        assert isinstance(started, TestStarted)
        assert started.shared
        quizzes, friend_card = await take(sessions, started, friend, right)
        assert quizzes == owner_quizzes  # the same questions in the same order
        assert friend_card.share_code == code  # passed on, the same link
    assert friend_card.standing == Standing(size=3, you=0, sender=1, others=2, median=2.5, best=3)
    async with sessions.begin() as session:
        mine = await exams.sender_results(session, LEARNER, code)
        again = await exams.open_shared(session, friends[0], code, NOW, SEALED)
        own_link = await exams.open_shared(session, LEARNER, code, NOW, SEALED)
        unknown = await exams.open_shared(session, friends[0], "zzzzzzzzzz", NOW, SEALED)
        stranger = await exams.sender_results(session, "e" * 64, code)
    assert mine == SharedResults(code, Standing(3, 1, None, 3, 2.0, 3))
    assert own_link == mine
    # A second attempt is not taken: the first one's standing instead.
    assert again == SharedResults(code, Standing(3, 3, 1, 2, 1.0, 2))
    assert unknown == BadTestLink()
    assert stranger == BadTestLink()
    async with sessions.begin() as session:
        await forgetting.forget_learner(session, LEARNER, [])
    assert await count(sessions, SharedTest) == 0
    assert await count(sessions, TestSession) == 3  # the friends' own results stay theirs
    async with sessions.begin() as session:
        gone = await exams.open_shared(session, "e" * 64, code, NOW, SEALED)
    assert gone == BadTestLink()


async def test_reminders_come_once_a_day_at_their_hour_and_only_when_reviews_are_due(
    sessions: Sessions,
) -> None:
    due_learner, idle_learner, morning_learner = "b" * 64, "c" * 64, "d" * 64
    poll_id = await sent(sessions, "cnn-params", Purpose.SINGLE, learner=due_learner)
    await answer(sessions, poll_id, [0], learner=due_learner)  # wrong: due again in minutes
    async with sessions.begin() as session:
        for learner, hour in ((due_learner, 21), (idle_learner, 21), (morning_learner, 8)):
            assert await reminders.set_hour(
                session, learner, hour, f"sealed-{learner[0]}", NOW, TEHRAN
            ) == ReminderSet(hour)

    async def claim(at: datetime) -> tuple[int, list[tuple[str, str, int]]]:
        async with sessions.begin() as session:
            claim = await reminders.claim_due(session, at, TEHRAN)
        return claim.claimed, [(d.learner, d.sealed_chat, d.due) for d in claim.due]

    nine_pm = datetime(2026, 11, 26, 21, 0, tzinfo=TEHRAN)
    assert await claim(nine_pm - timedelta(minutes=1)) == (0, [])
    assert await claim(nine_pm) == (2, [(due_learner, "sealed-b", 1)])
    assert await claim(nine_pm + timedelta(minutes=5)) == (0, [])  # once a day
    assert await claim(nine_pm + timedelta(days=1)) == (2, [(due_learner, "sealed-b", 1)])
    late = nine_pm + timedelta(days=1, minutes=10)
    async with sessions.begin() as session:
        # Moved into an hour already under way: the first reminder comes tomorrow.
        await reminders.set_hour(session, morning_learner, 21, "sealed-d", late, TEHRAN)
        assert await reminders.turn_off(session, due_learner) == ReminderOff(was_on=True)
        assert await reminders.turn_off(session, due_learner) == ReminderOff(was_on=False)
    assert await claim(late + timedelta(minutes=1)) == (0, [])
    assert await claim(nine_pm + timedelta(days=2)) == (2, [])  # nothing due for either
    assert await count(sessions, Reminder) == 2


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], ReminderPanel(None)),
        (["۲۱"], ReminderSet(21)),
        (["۹", "شب"], ReminderSet(21)),
        (["7:00"], ReminderSet(7)),
        (["21:30"], BadReminderHour("21:30")),
        (["فردا"], BadReminderHour("فردا")),
        (["خاموش"], ReminderOff(was_on=False)),
    ],
)
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_remind_takes_an_hour_in_persian_words_or_off(
    sessions: Sessions, words: list[str], expected: object
) -> None:
    async with sessions.begin() as session:
        outcome = await reminders.by_words(session, LEARNER, words, SEALED, NOW, TEHRAN)
    assert outcome == expected
