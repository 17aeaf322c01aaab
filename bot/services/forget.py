"""`/forget`: delete everything stored under a learner's hash."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LearnerAnswer, Publication, ReviewCard, TestSession


async def forget_learner(session: AsyncSession, learner: str) -> int:
    """Remove the learner's answers, review cards, publications and tests; return rows removed."""
    removed = 0
    # Children before parents: answers point at publications and tests.
    for model in (LearnerAnswer, ReviewCard, Publication, TestSession):
        result = await session.execute(delete(model).where(model.learner_hash == learner))
        removed += result.rowcount or 0  # type: ignore[attr-defined]
    return removed
