"""`/forget`: delete everything stored under a learner's hash."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AdminChoice,
    AdminContact,
    ConversationState,
    DemoCooldown,
    GameAnswer,
    LearnerAnswer,
    Publication,
    Reminder,
    ReviewCard,
    SharedTest,
    TestSession,
)
from bot.services.learning.outcomes import Forgotten


async def forget_learner(
    session: AsyncSession, learner: str, conversation_keys: Collection[str]
) -> Forgotten:
    """Remove everything kept under the learner's hash, their sealed chats too.

    That is their sealed admin contact and their review reminder; the tests they shared go
    (a friend's link then says it is unknown; friends' own results stay theirs).
    `conversation_keys` are the keyed hashes of the learner's conversations (their private
    chat); the admin rights Telegram lists for channels are Telegram's, and stay.
    """
    # Children before parents: answers point at publications and tests. Votes others left in
    # the learner's forwarded polls (stored before such votes were ignored) point at them too.
    publications = select(Publication.id).where(Publication.learner_hash == learner)
    tests = select(TestSession.id).where(TestSession.learner_hash == learner)
    await session.execute(
        delete(LearnerAnswer).where(
            or_(
                LearnerAnswer.publication_id.in_(publications),
                LearnerAnswer.test_session_id.in_(tests),
            )
        )
    )
    for model in (LearnerAnswer, ReviewCard, Publication, TestSession, DemoCooldown, Reminder):
        await session.execute(delete(model).where(model.learner_hash == learner))
    # Friends' tests taken from these links lose the link (ON DELETE SET NULL), not themselves.
    await session.execute(delete(SharedTest).where(SharedTest.owner_hash == learner))
    await session.execute(delete(GameAnswer).where(GameAnswer.player_hash == learner))
    await session.execute(delete(AdminChoice).where(AdminChoice.admin_hash == learner))
    await session.execute(delete(AdminContact).where(AdminContact.admin_hash == learner))
    if conversation_keys:
        await session.execute(
            delete(ConversationState).where(ConversationState.key_hash.in_(conversation_keys))
        )
    return Forgotten()
