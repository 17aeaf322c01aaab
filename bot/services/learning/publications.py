"""Recording what was sent to a learner, so answers and repeats can be traced to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Audience, ItemKind, Publication, Purpose


async def record_private_quiz(
    session: AsyncSession,
    learner: str,
    quiz_id: str,
    poll_id: str,
    message_id: int,
    purpose: Purpose,
    now: datetime,
    test_session_id: int | None = None,
) -> Publication:
    """Remember a quiz poll sent in private chat (by learner hash, never chat id)."""
    publication = Publication(
        audience=Audience.PRIVATE,
        purpose=purpose,
        learner_hash=learner,
        kind=ItemKind.QUIZ,
        quiz_id=quiz_id,
        poll_id=poll_id,
        message_id=message_id,
        test_session_id=test_session_id,
        sent_at=now,
    )
    session.add(publication)
    await session.flush()
    return publication


async def record_private_interview(
    session: AsyncSession, learner: str, question_id: str, message_id: int, now: datetime
) -> Publication:
    """Remember an interview question sent in private chat."""
    publication = Publication(
        audience=Audience.PRIVATE,
        purpose=Purpose.SINGLE,
        learner_hash=learner,
        kind=ItemKind.INTERVIEW,
        interview_question_id=question_id,
        message_id=message_id,
        sent_at=now,
    )
    session.add(publication)
    await session.flush()
    return publication


async def record_game_quiz(
    session: AsyncSession, learner: str, quiz_id: str, sent_at: datetime
) -> Publication:
    """Remember that a group game's quiz reached a player who answered it (by their hash).

    The poll is the group's (`game_questions` keeps its id); this row is the player's, so
    their answer, their progress and "no repeats" treat it like a quiz sent to them.
    """
    publication = Publication(
        audience=Audience.PRIVATE,
        purpose=Purpose.GAME,
        learner_hash=learner,
        kind=ItemKind.QUIZ,
        quiz_id=quiz_id,
        sent_at=sent_at,
    )
    session.add(publication)
    await session.flush()
    return publication
