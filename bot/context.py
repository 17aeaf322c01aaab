"""The typed callback context: handlers reach the runtime and the caller's identity through it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.dispatch import JsonRoute
from bot.runtime import Runtime


@dataclass
class UserData:
    """Per-user data of this process: a copy of the user's conversation drafts.

    The database holds the drafts (so they survive a restart and every bot process sees
    them); they are read into this copy before each update from that user is handled.
    """

    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class BotData:
    """Bot-wide data: the runtime, set when the application is built, and the routes that
    take updates straight from Telegram's JSON (bot/dispatch.py), registered with the
    handlers."""

    runtime: Runtime | None = None
    json_routes: list[JsonRoute] = field(default_factory=list)


class QuizbotContext(CallbackContext[ExtBot[None], UserData, dict[Any, Any], BotData]):
    """The callback context, with typed access to the runtime."""

    @property
    def runtime(self) -> Runtime:
        """The runtime stored in bot_data when the application was built."""
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("the application was built without a runtime")
        return runtime

    @property
    def drafts(self) -> dict[str, dict[str, Any]]:
        """The user's conversation drafts (empty for updates without a user)."""
        return self.user_data.drafts if self.user_data is not None else {}


CONTEXT_TYPES = ContextTypes(context=QuizbotContext, user_data=UserData, bot_data=BotData)
