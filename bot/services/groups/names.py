"""Players' first names, for the leaderboard of their game: never in the database.

The names come with each `poll_answer` update. One bot process keeps them in memory; several
processes behind a proxy (each answer may reach another one) keep them in Redis, where each
game's names expire a few hours after its last answer and the README asks for Redis without
persistence, so they never reach a disk either. After a restart (or Redis') they are gone, and
the leaderboard numbers the players whose names it lost («بازیکن ۲»); a player who answers
again is named again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# A first name may be 64 characters; the leaderboard shows this many.
NAME_LENGTH = 32
# Far longer than any game runs (questions × their timer); a crashed game's names still go.
NAMES_TTL = timedelta(hours=6)


class NameStore(Protocol):
    """Where the names are kept while their game runs."""

    async def remember(self, game_id: int, player: str, name: str) -> None:
        """Keep a player's first name for the game's leaderboard."""
        ...

    async def names_of(self, game_id: int) -> Mapping[str, str]:
        """The first names seen during the game, by player hash."""
        ...

    async def forget_game(self, game_id: int) -> None:
        """Drop a finished game's names."""
        ...


class PlayerNames:
    """First names by game and player hash, in this process's memory."""

    def __init__(self) -> None:
        self._names: dict[int, dict[str, str]] = {}

    async def remember(self, game_id: int, player: str, name: str) -> None:
        """See `NameStore.remember`."""
        self._names.setdefault(game_id, {})[player] = name

    async def names_of(self, game_id: int) -> Mapping[str, str]:
        """See `NameStore.names_of`."""
        return dict(self._names.get(game_id, {}))

    async def forget_game(self, game_id: int) -> None:
        """See `NameStore.forget_game`."""
        self._names.pop(game_id, None)

    def games(self) -> list[int]:
        """The games whose names are held (tests check that finished games leave none)."""
        return list(self._names)


class RedisPlayerNames:
    """First names by game and player hash, in Redis shared by the bot's processes.

    Names are a courtesy: with Redis away the leaderboard numbers its players, the game goes on.
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, game_id: int) -> str:
        return f"{self.prefix}:{game_id}"

    async def remember(self, game_id: int, player: str, name: str) -> None:
        """See `NameStore.remember`."""
        key = self._key(game_id)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, player, name)
                pipe.expire(key, int(NAMES_TTL.total_seconds()))
                await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("a player's name not kept: Redis unreachable (%s)", error)

    async def names_of(self, game_id: int) -> Mapping[str, str]:
        """See `NameStore.names_of`."""
        try:
            # redis-py types its commands for both its clients (a value or an awaitable).
            raw = await self.redis.hgetall(self._key(game_id))  # type: ignore[misc]
        except (RedisError, OSError) as error:
            log.warning("leaderboard without names: Redis unreachable (%s)", error)
            return {}
        return {_text(player): _text(name) for player, name in raw.items()}

    async def forget_game(self, game_id: int) -> None:
        """See `NameStore.forget_game`."""
        try:
            await self.redis.delete(self._key(game_id))
        except (RedisError, OSError) as error:  # they expire on their own
            log.warning("a game's names not dropped: Redis unreachable (%s)", error)

    async def games(self) -> list[int]:
        """The games whose names are held."""
        pattern = self.prefix.replace("{", "[{]") + ":*"
        return [int(_text(key).rsplit(":", 1)[1]) async for key in self.redis.scan_iter(pattern)]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
