"""Shared tests: a finished test's questions behind a link code, and how its takers compare.

A code stands for the questions in their order; nothing in the row names the sender but the
keyed hash (to know them when they open their own link, and for /forget). Comparisons are by
score only: no one learns who else took the test.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Publication, SharedTest, TestSession

# No 0/o, 1/l: a code read aloud or typed from a screenshot stays right. 32**10 = 2**50
# codes: guessing one through Telegram, a message per guess, is hopeless.
CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
CODE_LENGTH = 10
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    """A fresh unguessable link code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    """Whether the text has the shape of a link code (the database is not asked otherwise)."""
    return _CODE.match(text) is not None


@dataclass(frozen=True)
class Standing:
    """One shared test's scores, by score only: yours, the sender's, everyone else's."""

    size: int
    you: int
    sender: int | None  # None: you are the sender
    others: int  # how many others took it (neither you nor the sender)
    median: float | None
    best: int | None


async def share_of(session: AsyncSession, test: TestSession, now: datetime) -> SharedTest:
    """The shared test a finished test can be passed on as: its link's, or a new one."""
    if test.shared_test_id is not None:
        shared = await session.get(SharedTest, test.shared_test_id)
        if shared is not None:
            return shared
    quiz_ids = [
        quiz_id
        for quiz_id in await session.scalars(
            select(Publication.quiz_id)
            .where(Publication.test_session_id == test.id)
            .order_by(Publication.id)
        )
        if quiz_id is not None
    ]
    shared = SharedTest(
        code=new_code(),
        quiz_ids=quiz_ids,
        topic_id=test.topic_id,
        seconds_per_question=test.seconds_per_question,
        owner_hash=test.learner_hash,
        owner_correct=test.correct_count,
        created_at=now,
    )
    session.add(shared)
    await session.flush()
    return shared


async def by_code(session: AsyncSession, code: str) -> SharedTest | None:
    """The shared test behind a link code."""
    if not is_code(code):
        return None
    return await session.scalar(select(SharedTest).where(SharedTest.code == code))


async def standing(
    session: AsyncSession, shared: SharedTest, you: int, taken: TestSession | None
) -> Standing:
    """Scores of a shared test as `taken` (None: the sender) sees them.

    Only finished tests count; the median is read in SQL (the middle one or two scores).
    """
    conditions = [TestSession.shared_test_id == shared.id, TestSession.finished_at.is_not(None)]
    if taken is not None:
        conditions.append(TestSession.id != taken.id)
    count, best = (
        await session.execute(
            select(func.count(), func.max(TestSession.correct_count)).where(*conditions)
        )
    ).one()
    median = None
    if count:
        middle = (
            await session.scalars(
                select(TestSession.correct_count)
                .where(*conditions)
                .order_by(TestSession.correct_count)
                .offset((count - 1) // 2)
                .limit(2 if count % 2 == 0 else 1)
            )
        ).all()
        median = sum(middle) / len(middle)
    return Standing(
        size=len(shared.quiz_ids),
        you=you,
        sender=None if taken is None else shared.owner_correct,
        others=int(count),
        median=median,
        best=None if best is None else int(best),
    )


async def finished_attempt(
    session: AsyncSession, shared: SharedTest, learner: str
) -> TestSession | None:
    """The learner's first finished test from this link, if they took it already."""
    return await session.scalar(
        select(TestSession)
        .where(
            TestSession.shared_test_id == shared.id,
            TestSession.learner_hash == learner,
            TestSession.finished_at.is_not(None),
        )
        .order_by(TestSession.id)
        .limit(1)
    )
