"""Inserting a row unless one with the same key is there, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base


async def insert_once(
    session: AsyncSession, model: type[Base], values: Mapping[str, Any], key: Sequence[str]
) -> bool:
    """Insert `values` unless a row with the same `key` columns exists (then change nothing).

    One statement (ON CONFLICT DO NOTHING), so two processes adding the same fact at once
    neither fail nor add it twice. True when the row was inserted.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(model).values(dict(values)).on_conflict_do_nothing(index_elements=list(key))
    )
    return bool(getattr(result, "rowcount", 0))
