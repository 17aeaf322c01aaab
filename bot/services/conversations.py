"""Where people are in multi-step flows, kept in the database under a keyed hash.

The handlers read a person's states before each update and write the new state in the
update's own transaction, so every bot process sees the same step and a restart keeps it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ConversationState


async def load(
    session: AsyncSession, key_hash: str, now: datetime
) -> dict[str, tuple[str, dict[str, Any]]]:
    """The person's unexpired flows: flow name -> (state, draft)."""
    rows = await session.scalars(
        select(ConversationState).where(
            ConversationState.key_hash == key_hash, ConversationState.expires_at > now
        )
    )
    return {row.flow: (row.state, dict(row.draft)) for row in rows}


async def draft(session: AsyncSession, flow: str, key_hash: str, now: datetime) -> dict[str, Any]:
    """The draft the person keeps under `flow` (empty when there is none or it expired)."""
    stored = await session.scalar(
        select(ConversationState.draft).where(
            ConversationState.flow == flow,
            ConversationState.key_hash == key_hash,
            ConversationState.expires_at > now,
        )
    )
    return dict(stored or {})


async def save(
    session: AsyncSession,
    flow: str,
    key_hash: str,
    state: str,
    draft: dict[str, Any],
    expires_at: datetime,
) -> None:
    """Keep the flow's new state and draft (until `expires_at`)."""
    row = await session.get(ConversationState, (flow, key_hash))
    if row is None:
        session.add(
            ConversationState(
                flow=flow, key_hash=key_hash, state=state, draft=draft, expires_at=expires_at
            )
        )
    else:
        row.state, row.draft, row.expires_at = state, draft, expires_at


async def end(session: AsyncSession, flow: str, key_hash: str) -> None:
    """The flow is over for this person."""
    await session.execute(
        delete(ConversationState).where(
            ConversationState.flow == flow, ConversationState.key_hash == key_hash
        )
    )
