"""Item analysis and channel statistics, computed by SQL aggregation (never row by row).

Learner statistics use first attempts only (Moodle's default): a learner's second try at a
quiz says more about memory than about the item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    LearnerAnswer,
    Publication,
    Quiz,
    QuizOption,
    TestSession,
    Topic,
    VoteSnapshot,
    VoteSnapshotOption,
)

GROUP_SHARE = 27  # percent of learners in the upper and lower groups (Kelley's 27%)


def _first_attempts(since: datetime | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [LearnerAnswer.attempt == 1]
    if since is not None:
        conditions.append(LearnerAnswer.answered_at >= since)
    return conditions


def _rate(condition: Any) -> ColumnElement[float]:
    """The share of rows where `condition` holds."""
    return func.avg(case((condition, 1.0), else_=0.0))


@dataclass(frozen=True)
class ItemStats:
    """How one quiz behaved with learners."""

    quiz_id: str
    topic_id: str
    question: str
    answers: int
    facility: float  # share correct
    discrimination: float | None  # upper-group minus lower-group share correct
    option_shares: list[float] = field(default_factory=list)  # share choosing each option
    correct: list[bool] = field(default_factory=list)

    @property
    def answer_known(self) -> bool:
        """False for an imported quiz whose right answer nobody has set yet."""
        return any(self.correct)


def _groups(first: list[ColumnElement[bool]]) -> Any:
    """Each learner's comparison group: "upper", "lower" or "" (Kelley's 27% by score)."""
    scores = (
        select(
            LearnerAnswer.learner_hash.label("learner"),
            _rate(LearnerAnswer.is_correct).label("score"),
        )
        .where(*first)
        .group_by(LearnerAnswer.learner_hash)
        .subquery()
    )
    ranked = select(
        scores.c.learner,
        func.row_number().over(order_by=(scores.c.score.desc(), scores.c.learner)).label("rank"),
        func.count().over().label("n"),
    ).subquery()
    # ceil(27% of n) in integer arithmetic: `//`, since SQLAlchemy's `/` is true division (it
    # made the cut fractional, and the lower group one learner too big).
    cut = (ranked.c.n * GROUP_SHARE + 99) // 100
    return select(
        ranked.c.learner,
        case(
            (ranked.c.rank <= cut, literal("upper")),
            (ranked.c.rank > ranked.c.n - cut, literal("lower")),
            else_=literal(""),
        ).label("g"),
    ).subquery()


@dataclass
class _Tally:
    """First attempts at one quiz, counted from the aggregate rows."""

    answers: int = 0
    correct: int = 0
    group_answers: dict[str, int] = field(default_factory=dict)
    group_correct: dict[str, int] = field(default_factory=dict)
    masks: dict[int, int] = field(default_factory=dict)  # option mask -> answers


async def item_statistics(session: AsyncSession, since: datetime | None = None) -> list[ItemStats]:
    """Facility, discrimination and distractor shares of every answered quiz."""
    first = _first_attempts(since)
    groups = _groups(first)
    # One pass over the answers, counted by quiz, chosen options, right or not and group: a
    # few rows per quiz, from which every figure follows. The groups are read first, in
    # learner order (the covering learner index), and each learner's answers after them.
    rows = await session.execute(
        select(
            LearnerAnswer.quiz_id,
            LearnerAnswer.option_mask,
            LearnerAnswer.is_correct,
            groups.c.g,
            func.count(),
        )
        .select_from(groups)
        .join(LearnerAnswer, LearnerAnswer.learner_hash == groups.c.learner)
        .where(*first)
        .group_by(
            LearnerAnswer.quiz_id, LearnerAnswer.option_mask, LearnerAnswer.is_correct, groups.c.g
        )
        .order_by(LearnerAnswer.quiz_id)
    )
    tallies: dict[str, _Tally] = {}
    for quiz_id, mask, is_correct, group, count in rows:
        tally = tallies.setdefault(quiz_id, _Tally())
        count, right = int(count), bool(is_correct)
        tally.answers += count
        tally.correct += count if right else 0
        tally.group_answers[group] = tally.group_answers.get(group, 0) + count
        if right:
            tally.group_correct[group] = tally.group_correct.get(group, 0) + count
        tally.masks[int(mask)] = tally.masks.get(int(mask), 0) + count
    quizzes = {
        quiz_id: (topic_id, question)
        for quiz_id, topic_id, question in await session.execute(
            select(Quiz.id, Quiz.topic_id, Quiz.question)
        )  # the whole bank (thousands of rows at most): no IN list of unbounded length
    }
    options: dict[str, list[tuple[int, bool]]] = {}
    for quiz_id, position, is_correct in await session.execute(
        select(QuizOption.quiz_id, QuizOption.position, QuizOption.is_correct).order_by(
            QuizOption.quiz_id, QuizOption.position
        )
    ):
        options.setdefault(quiz_id, []).append((int(position), bool(is_correct)))
    result = []
    for quiz_id, tally in tallies.items():
        if quiz_id not in quizzes:
            continue  # an answer to a quiz no longer in the table (as the inner join had it)
        topic_id, question = quizzes[quiz_id]
        n_up, n_low = tally.group_answers.get("upper", 0), tally.group_answers.get("lower", 0)
        up, low = tally.group_correct.get("upper", 0), tally.group_correct.get("lower", 0)
        discrimination = (up / n_up - low / n_low) if n_up and n_low else None
        stats = ItemStats(
            quiz_id,
            topic_id,
            question,
            tally.answers,
            tally.correct / tally.answers,
            discrimination,
        )
        for position, is_correct in options.get(quiz_id, []):
            chosen = sum(n for mask, n in tally.masks.items() if mask & (1 << position))
            stats.option_shares.append(chosen / tally.answers)
            stats.correct.append(is_correct)
        result.append(stats)
    return result


@dataclass(frozen=True)
class TopicStats:
    """Accuracy and reach of one topic."""

    topic_id: str
    title: str
    answers: int
    accuracy: float
    learners: int


async def topic_statistics(
    session: AsyncSession, since: datetime | None = None
) -> list[TopicStats]:
    """Per topic: first-attempt accuracy and how many learners answered."""
    # Counted per learner and topic first (in learner order, from the covering index), so
    # the distinct learners of a topic are that subquery's rows: no DISTINCT over the answers.
    per_learner = (
        select(
            Quiz.topic_id.label("topic"),
            func.count().label("answers"),
            func.sum(case((LearnerAnswer.is_correct, 1), else_=0)).label("correct"),
        )
        .select_from(LearnerAnswer)
        .join(Quiz, Quiz.id == LearnerAnswer.quiz_id)
        .where(*_first_attempts(since))
        .group_by(LearnerAnswer.learner_hash, Quiz.topic_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Topic.id,
            Topic.title,
            func.sum(per_learner.c.answers),
            func.sum(per_learner.c.correct),
            func.count(),
        )
        .join(per_learner, per_learner.c.topic == Topic.id)
        .group_by(Topic.id, Topic.title, Topic.position)
        .order_by(Topic.position)
    )
    return [
        TopicStats(t, title, int(n), int(correct) / int(n), int(learners))
        for t, title, n, correct, learners in rows
    ]


def _local_day(session: AsyncSession, column: Any, tz: str) -> ColumnElement[str]:
    """The calendar day of a UTC timestamp in `tz`, as YYYY-MM-DD text."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(tz, column), "YYYY-MM-DD")
    # SQLite stores naive UTC and has no zone database; Iran keeps +03:30 all year (2022 on).
    return func.date(column, "+210 minutes")


async def answers_per_day(
    session: AsyncSession, tz: str = "Asia/Tehran", since: datetime | None = None
) -> list[tuple[str, int]]:
    """How many answers arrived on each local day."""
    day = _local_day(session, LearnerAnswer.answered_at, tz)
    query = select(day, func.count()).group_by(day).order_by(day)
    if since is not None:
        query = query.where(LearnerAnswer.answered_at >= since)
    return [(str(d), int(n)) for d, n in await session.execute(query)]


@dataclass(frozen=True)
class TestStats:
    """Scores of finished /test sessions of one size, and their reliability."""

    __test__ = False  # not a pytest class

    size: int
    sessions: int
    distribution: dict[int, int]  # correct count -> sessions
    cronbach_alpha: float | None


async def test_statistics(session: AsyncSession) -> list[TestStats]:
    """Per test size: score distribution and Cronbach's α (the i-th question as item i)."""
    finished = [TestSession.finished_at.is_not(None)]
    distribution_rows = await session.execute(
        select(TestSession.size, TestSession.correct_count, func.count())
        .where(*finished)
        .group_by(TestSession.size, TestSession.correct_count)
    )
    distributions: dict[int, dict[int, int]] = {}
    for size, correct, count in distribution_rows:
        distributions.setdefault(int(size), {})[int(correct)] = int(count)
    score = case((LearnerAnswer.is_correct, 1.0), else_=0.0)
    positioned = (
        select(
            TestSession.size.label("k"),
            LearnerAnswer.test_session_id.label("s"),
            score.label("x"),
            func.row_number()
            .over(
                partition_by=LearnerAnswer.test_session_id,
                order_by=(LearnerAnswer.answered_at, LearnerAnswer.id),
            )
            .label("pos"),
        )
        .join(TestSession, TestSession.id == LearnerAnswer.test_session_id)
        .where(*finished)
        .subquery()
    )
    # Population variances from sums of squares: SQLite has no variance function.
    items = (
        select(
            positioned.c.k,
            positioned.c.pos,
            (
                func.avg(positioned.c.x * positioned.c.x)
                - func.avg(positioned.c.x) * func.avg(positioned.c.x)
            ).label("var"),
        )
        .group_by(positioned.c.k, positioned.c.pos)
        .subquery()
    )
    item_variance = dict(
        (int(k), float(v))
        for k, v in await session.execute(
            select(items.c.k, func.sum(items.c.var)).group_by(items.c.k)
        )
    )
    totals = (
        select(positioned.c.k, positioned.c.s, func.sum(positioned.c.x).label("t"))
        .group_by(positioned.c.k, positioned.c.s)
        .subquery()
    )
    total_variance = dict(
        (int(k), float(v))
        for k, v in await session.execute(
            select(
                totals.c.k,
                func.avg(totals.c.t * totals.c.t) - func.avg(totals.c.t) * func.avg(totals.c.t),
            ).group_by(totals.c.k)
        )
    )
    result = []
    for size, distribution in sorted(distributions.items()):
        alpha = None
        variance = total_variance.get(size, 0.0)
        if size > 1 and variance > 0:
            alpha = size / (size - 1) * (1 - item_variance.get(size, 0.0) / variance)
        result.append(TestStats(size, sum(distribution.values()), distribution, alpha))
    return result


@dataclass(frozen=True)
class ChannelQuizStats:
    """The latest totals of one channel quiz."""

    publication_id: int
    channel_id: int
    quiz_id: str
    number: int | None
    sent_at: datetime
    voters: int
    counts: list[int]
    correct: list[bool]
    multiple: bool = False  # several right options; a voter may tick several

    @property
    def shares(self) -> list[float]:
        """Each option's share of the voters."""
        return [count / self.voters if self.voters else 0.0 for count in self.counts]

    @property
    def answer_known(self) -> bool:
        """False for an imported quiz whose right answer nobody has set yet."""
        # Every bank quiz has a right option (the schema insists); only imports have none.
        return any(self.correct)

    @property
    def correct_options(self) -> list[int] | None:
        """The 1-based positions of the right options; None when the answer is unknown."""
        if not self.answer_known:
            return None
        return [position + 1 for position, right in enumerate(self.correct) if right]

    @property
    def share_correct(self) -> float | None:
        """The share of voters who chose a correct option; None when it cannot be known.

        It cannot for an imported quiz without its right answer, nor for a multiple-answer
        quiz: Telegram counts voters per option, so who ticked exactly the right set is lost.
        """
        if not self.answer_known or self.multiple:
            return None
        return sum(s for s, right in zip(self.shares, self.correct, strict=True) if right)


async def channel_quiz_statistics(
    session: AsyncSession, channel_id: int | None = None, since: datetime | None = None
) -> list[ChannelQuizStats]:
    """Every channel quiz with its latest vote snapshot, newest first."""
    latest = (
        select(VoteSnapshot.publication_id, func.max(VoteSnapshot.id).label("snapshot"))
        .group_by(VoteSnapshot.publication_id)
        .subquery()
    )
    query = (
        select(
            Publication.id,
            Publication.channel_id,
            Publication.quiz_id,
            Publication.quiz_number,
            Publication.sent_at,
            VoteSnapshot.total_voter_count,
            VoteSnapshot.id,
        )
        .join(latest, latest.c.publication_id == Publication.id)
        .join(VoteSnapshot, VoteSnapshot.id == latest.c.snapshot)
        .where(Publication.channel_id.is_not(None), Publication.quiz_id.is_not(None))
        .order_by(Publication.sent_at.desc(), Publication.id.desc())
    )
    if channel_id is not None:
        query = query.where(Publication.channel_id == channel_id)
    if since is not None:
        query = query.where(Publication.sent_at >= since)
    heads = (await session.execute(query)).all()
    snapshot_ids = [row[6] for row in heads]
    counts: dict[int, dict[int, int]] = {}
    for snapshot_id, position, count in await session.execute(
        select(
            VoteSnapshotOption.snapshot_id,
            VoteSnapshotOption.position,
            VoteSnapshotOption.voter_count,
        ).where(VoteSnapshotOption.snapshot_id.in_(snapshot_ids))
    ):
        counts.setdefault(snapshot_id, {})[position] = count
    quiz_ids = {row[2] for row in heads if row[2] is not None}
    correct: dict[str, list[bool]] = {}
    for quiz_id, is_correct in await session.execute(
        select(QuizOption.quiz_id, QuizOption.is_correct)
        .where(QuizOption.quiz_id.in_(quiz_ids))
        .order_by(QuizOption.quiz_id, QuizOption.position)
    ):
        correct.setdefault(quiz_id, []).append(bool(is_correct))
    multiple = set(
        await session.scalars(
            select(Quiz.id).where(Quiz.id.in_(quiz_ids), Quiz.multiple_answers.is_(True))
        )
    )
    result = []
    for pub_id, chan_id, head_quiz, number, sent_at, voters, snapshot_id in heads:
        if head_quiz is None or chan_id is None:
            continue
        flags = correct.get(head_quiz, [])
        by_position = counts.get(snapshot_id, {})
        result.append(
            ChannelQuizStats(
                pub_id,
                chan_id,
                head_quiz,
                number,
                sent_at,
                int(voters),
                [by_position.get(i, 0) for i in range(len(flags))],
                flags,
                head_quiz in multiple,
            )
        )
    return result


async def quiz_text(session: AsyncSession, quiz_id: str) -> tuple[str, list[str]]:
    """A quiz's question and option texts."""
    quiz = await session.get(Quiz, quiz_id)
    if quiz is None:
        return "", []
    return quiz.question, [option.text for option in quiz.options]


async def voters_over_time(
    session: AsyncSession, channel_id: int | None = None, since: datetime | None = None
) -> list[tuple[int, int | None, datetime, int]]:
    """Every snapshot of every channel quiz: (publication, number, time, voters)."""
    query = (
        select(
            Publication.id,
            Publication.quiz_number,
            VoteSnapshot.taken_at,
            VoteSnapshot.total_voter_count,
        )
        .join(VoteSnapshot, VoteSnapshot.publication_id == Publication.id)
        .where(Publication.channel_id.is_not(None))
        .order_by(Publication.id, VoteSnapshot.taken_at, VoteSnapshot.id)
    )
    if channel_id is not None:
        query = query.where(Publication.channel_id == channel_id)
    if since is not None:
        query = query.where(VoteSnapshot.taken_at >= since)
    return [(p, n, t, int(v)) for p, n, t, v in await session.execute(query)]
