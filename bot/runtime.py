"""What the running bot shares between updates: settings, the database, the key, the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.background import BackgroundJobs
from bot.batching import AnswerBatcher
from bot.channel_engine.publisher import Broadcaster
from bot.config import Settings
from bot.db.base import utcnow
from bot.db.engine import create_session_factory
from bot.demos_runner.base import DemoRunner
from bot.services.groups.names import NameStore, PlayerNames
from bot.services.privacy import ChatSealer, learner_hash

READ_SLOTS = 8


@dataclass
class Runtime:
    """The bot's shared resources; one per process, built at start."""

    settings: Settings
    engine: AsyncEngine
    hash_key: bytes
    # Tests replace the clock to move time; everything time-dependent asks it.
    clock: Callable[[], datetime] = field(default=utcnow)
    demo_runner: DemoRunner | None = None
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    # This process's channel sends: a lane per channel, all at once (channel_engine/publisher).
    broadcaster: Broadcaster = field(init=False, default_factory=Broadcaster)
    # Deferred (never holding SQLite's write lock) for long reads such as exports.
    read_sessions: async_sessionmaker[AsyncSession] = field(init=False)
    # Seals the few chat ids kept to write to someone later (channel admins' notices).
    sealer: ChatSealer = field(init=False)
    # One games tick at a time in this process (see handlers/groups/engine.py).
    games_lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    # Reads running at once for updates (stored flow states, picking a quiz, reports): past
    # it they wait their turn, so a burst of them cannot take every pooled connection (and
    # every turn of the loop) from the answers and writes behind them.
    read_slots: asyncio.Semaphore = field(
        init=False, default_factory=lambda: asyncio.Semaphore(READ_SLOTS)
    )
    # Players' first names for their game's leaderboard, never the database: this process's
    # memory, or Redis when several processes share the bot (bot/shared.py).
    player_names: NameStore = field(default_factory=PlayerNames)
    # Redis shared by the bot's processes (REDIS_URL), for the pacing and the names.
    redis: Redis | None = None
    # Long work started from chat (exports), beside the updates; cancelled at shutdown.
    background: BackgroundJobs = field(init=False, default_factory=BackgroundJobs)
    # Poll answers of concurrent updates, committed a batch at a time (bot/batching.py).
    answers: AnswerBatcher = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = create_session_factory(self.engine)
        self.read_sessions = create_session_factory(self.engine, read_only=True)
        self.sealer = ChatSealer(self.hash_key)
        self.answers = AnswerBatcher(self.sessions)

    def person(self, user_id: int) -> str:
        """The keyed hash that stands for this Telegram user in the database."""
        return learner_hash(self.hash_key, user_id)

    def group(self, chat_id: int) -> str:
        """The keyed hash that stands for a group chat in the database."""
        return learner_hash(self.hash_key, f"group:{chat_id}")

    def conversation_key(self, chat_id: int, user_id: int) -> str:
        """The keyed hash under which a person's flows in one chat are kept."""
        return learner_hash(self.hash_key, f"conversation:{chat_id}:{user_id}")

    def now(self) -> datetime:
        """The current time (UTC, aware)."""
        return self.clock()
