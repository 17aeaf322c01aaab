"""What several bot processes of one token share through Redis, when REDIS_URL is set.

Behind one proxy each update may reach any process, and each process sends: the send pacing's
windows (bot/pacing_redis.py) and the players' names of group games (names never go to the
database) then live in Redis; without REDIS_URL, in this process's memory. Everything else a
process needs from another is in the database already: conversation states and drafts, the
channel admins' rights, the demo cooldowns and cache, the scheduler's claims and the group
games' steps (row locks). The asyncio locks in `Runtime` only keep one process's own passes
apart.
"""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.demos_runner.base import DemoRunner
from bot.pacing import WindowStore
from bot.pacing_redis import RedisWindows, pacing_prefix
from bot.runtime import Runtime
from bot.services.groups.names import RedisPlayerNames

# Seconds a Redis call may take before it counts as failed (pacing then falls back to memory).
REDIS_TIMEOUT = 2.0


def bot_id(token: str) -> str:
    """The bot's numeric id, the part of the token before the colon (never the secret)."""
    return token.split(":", 1)[0]


def shared_runtime(
    settings: Settings,
    engine: AsyncEngine,
    hash_key: bytes,
    token: str,
    runner: DemoRunner | None = None,
) -> Runtime:
    """The runtime of a bot process: with Redis shared state when REDIS_URL is set."""
    if not settings.redis_url:
        return Runtime(settings, engine, hash_key, demo_runner=runner)
    redis = Redis.from_url(
        settings.redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    # The braces keep one bot's keys in one Redis Cluster slot.
    names = RedisPlayerNames(redis, f"quizbot:names:{{{bot_id(token)}}}")
    return Runtime(settings, engine, hash_key, demo_runner=runner, player_names=names, redis=redis)


def pacing_store(runtime: Runtime, token: str) -> WindowStore | None:
    """Redis windows when the runtime has Redis; None (this process's memory) otherwise."""
    if runtime.redis is None:
        return None
    return RedisWindows(runtime.redis, pacing_prefix(token))
