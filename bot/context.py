"""What every handler can reach: settings, database sessions, the learner hash, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings
from bot.db.base import utcnow
from bot.services.demos import DemoService
from bot.services.privacy import learner_hash

SERVICES_KEY = "services"


@dataclass
class BotServices:
    """Shared resources of the running bot."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    hash_key: bytes
    # Tests replace the clock to move time; everything time-dependent asks it.
    clock: Callable[[], datetime] = field(default=utcnow)
    demos: DemoService | None = None
    # Warnings already sent to admins (e.g. a slot running out), so each is sent once.
    warned: set[str] = field(default_factory=set)

    def learner(self, user_id: int) -> str:
        """The keyed hash that stands for this Telegram user in the database."""
        return learner_hash(self.hash_key, user_id)

    def now(self) -> datetime:
        """The current time (UTC, aware)."""
        return self.clock()


class QuizbotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[str, Any]]):
    """The callback context, with typed access to the bot's services."""

    @property
    def services(self) -> BotServices:
        """The services stored in bot_data when the application was built."""
        services = self.bot_data[SERVICES_KEY]
        if not isinstance(services, BotServices):
            raise TypeError("bot_data holds no BotServices")
        return services
