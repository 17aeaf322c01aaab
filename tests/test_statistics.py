"""Every statistic on small fixtures computed by hand, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    Audience,
    Channel,
    ItemKind,
    LearnerAnswer,
    Publication,
    Purpose,
    Quiz,
    QuizOption,
    TestSession,
    Topic,
    VoteSnapshot,
    VoteSnapshotOption,
)
from bot.services.reporting import statistics

Sessions = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def quiz(quiz_id: str, topic: str, options: int, correct: int) -> Quiz:
    return Quiz(
        id=quiz_id,
        topic_id=topic,
        difficulty=1,
        question=f"سوال {quiz_id}",
        content_hash="h",
        tags=[],
        options=[
            QuizOption(position=i, text=f"گزینه {i}", is_correct=i == correct)
            for i in range(options)
        ],
    )


async def bank(session: AsyncSession) -> None:
    session.add_all(
        [
            Topic(id="a", title="الف", hashtag="#A", position=0),
            Topic(id="b", title="ب", hashtag="#B", position=1),
        ]
    )
    await session.flush()
    session.add_all([quiz("q1", "a", 4, 1), quiz("q2", "b", 3, 0)])
    await session.flush()


async def answer(
    session: AsyncSession,
    learner: str,
    quiz_id: str,
    option: int,
    correct: bool,
    attempt: int = 1,
    at: datetime = T0,
    test_id: int | None = None,
) -> None:
    publication = Publication(
        audience=Audience.PRIVATE,
        learner_hash=learner,
        kind=ItemKind.QUIZ,
        quiz_id=quiz_id,
        sent_at=at,
        test_session_id=test_id,
    )
    session.add(publication)
    await session.flush()
    session.add(
        LearnerAnswer(
            learner_hash=learner,
            publication_id=publication.id,
            quiz_id=quiz_id,
            option_mask=1 << option,
            is_correct=correct,
            attempt=attempt,
            answered_at=at,
            test_session_id=test_id,
        )
    )
    await session.flush()


async def test_facility_discrimination_and_distractors(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await bank(session)
        # q1's right option is 1, q2's is 0. Scores: a=1.0, b=0.5, c=0.5, d=0.0.
        for learner, q1, q2 in (("a", 1, 0), ("b", 1, 2), ("c", 0, 0), ("d", 3, 1)):
            await answer(session, learner * 64, "q1", q1, q1 == 1)
            await answer(session, learner * 64, "q2", q2, q2 == 0)
        await answer(session, "d" * 64, "q1", 1, True, attempt=2)  # only first attempts count
    async with session_factory() as session:
        items = {item.quiz_id: item for item in await statistics.item_statistics(session)}
    # 27% of 4 learners rounds up to 2: upper = a, b; lower = c, d.
    assert items["q1"].answers == 4
    assert items["q1"].facility == pytest.approx(0.5)
    assert items["q1"].discrimination == pytest.approx(1.0)  # upper 2/2 right, lower 0/2
    assert items["q2"].discrimination == pytest.approx(0.0)  # upper 1/2, lower 1/2
    assert items["q1"].option_shares == pytest.approx([0.25, 0.5, 0.0, 0.25])
    assert items["q1"].correct == [False, True, False, False]
    assert items["q2"].option_shares == pytest.approx([0.5, 0.25, 0.25])


async def test_topics_and_answers_per_tehran_day(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await bank(session)
        evening = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)  # 23:30 in Tehran
        await answer(session, "a" * 64, "q1", 1, True, at=evening)
        await answer(session, "b" * 64, "q1", 0, False, at=evening + timedelta(hours=1))
        await answer(session, "b" * 64, "q2", 0, True, at=evening + timedelta(hours=1))
    async with session_factory() as session:
        topics = await statistics.topic_statistics(session)
        days = await statistics.answers_per_day(session)
    assert [(t.topic_id, t.answers, t.accuracy, t.learners) for t in topics] == [
        ("a", 2, pytest.approx(0.5), 2),
        ("b", 1, pytest.approx(1.0), 1),
    ]
    assert days == [("2026-11-26", 1), ("2026-11-27", 2)]  # 00:30 Tehran is the next day


async def test_test_scores_and_cronbach_alpha(session_factory: Sessions) -> None:
    # Four finished 2-question tests scoring [1,1], [1,0], [0,0], [1,1]:
    # item variances 0.1875 + 0.25, total variance 0.6875, α = 2 (1 − 0.4375/0.6875).
    async with session_factory.begin() as session:
        await bank(session)
        for index, (first, second) in enumerate([(1, 1), (1, 0), (0, 0), (1, 1)]):
            learner = str(index) * 64
            test = TestSession(
                learner_hash=learner,
                size=2,
                started_at=T0,
                finished_at=T0 + timedelta(minutes=2),
                correct_count=first + second,
            )
            session.add(test)
            await session.flush()
            await answer(
                session, learner, "q1", 1 if first else 0, bool(first), at=T0, test_id=test.id
            )
            await answer(
                session,
                learner,
                "q2",
                0 if second else 1,
                bool(second),
                at=T0 + timedelta(minutes=1),
                test_id=test.id,
            )
    async with session_factory() as session:
        (two,) = await statistics.test_statistics(session)
    assert two.size == 2
    assert two.sessions == 4
    assert two.distribution == {0: 1, 1: 1, 2: 2}
    assert two.cronbach_alpha == pytest.approx(2 * (1 - 0.4375 / 0.6875))


async def test_channel_quiz_uses_the_latest_snapshot(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await bank(session)
        channel = Channel(chat_id=-100_1, title="کانال", default_hashtags=[])
        session.add(channel)
        await session.flush()
        publication = Publication(
            audience=Audience.CHANNEL,
            purpose=Purpose.CHANNEL,
            channel_id=channel.id,
            kind=ItemKind.QUIZ,
            quiz_id="q1",
            poll_id="p",
            quiz_number=90,
            sent_at=T0,
        )
        session.add(publication)
        await session.flush()
        for minutes, counts in ((5, [1, 2, 0, 0]), (60, [21, 63, 11, 5])):
            session.add(
                VoteSnapshot(
                    publication_id=publication.id,
                    taken_at=T0 + timedelta(minutes=minutes),
                    total_voter_count=sum(counts),
                    options=[
                        VoteSnapshotOption(position=i, voter_count=c) for i, c in enumerate(counts)
                    ],
                )
            )
    async with session_factory() as session:
        (stats,) = await statistics.channel_quiz_statistics(session)
    assert stats.number == 90
    assert stats.voters == 100
    assert stats.shares == pytest.approx([0.21, 0.63, 0.11, 0.05])
    assert stats.share_correct == pytest.approx(0.63)
