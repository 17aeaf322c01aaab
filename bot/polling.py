"""Long polling that confirms updates to Telegram only once they have been handled.

Telegram forgets every update below the offset of the next getUpdates call. PTB's Updater
fetches the next batch (and so confirms the last) while the previous one still waits in an
unbounded queue: a crash then loses answers Telegram believes we have. Here each batch is
handled, update by update, before the next fetch confirms it; a crash means Telegram sends
the unconfirmed updates again (handlers are idempotent where it matters: a repeated answer is
stored once). An update PTB cannot parse is reported and skipped instead of stopping the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, NetworkError, TimedOut
from telegram.ext import Application

from bot import metrics

log = logging.getLogger(__name__)

# Seconds Telegram holds a getUpdates open when there is nothing new.
LONG_POLL_SECONDS = 30
BATCH = 100
MAX_BACKOFF_SECONDS = 30.0


class Poller:
    """Fetches updates, hands each to the application, and confirms them afterwards."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        allowed_updates: Sequence[str],
        *,
        long_poll: float = LONG_POLL_SECONDS,
        batch: int = BATCH,
    ) -> None:
        self.application = application
        self.allowed_updates = list(allowed_updates)
        self.long_poll = long_poll
        self.batch = batch
        self.offset: int | None = None  # the next update id to ask for: confirms all before it

    async def _fetch(self, long_poll: float, limit: int) -> list[dict[str, Any]]:
        # Raw JSON, so that one update PTB cannot parse does not lose the others. Bot API
        # method names are case-insensitive; PTB warns when "getUpdates" goes through
        # do_api_request (it would have us use get_updates, which parses the whole batch).
        result = await self.application.bot.do_api_request(
            "getupdates",
            api_kwargs={
                "offset": self.offset,
                "limit": limit,
                "timeout": long_poll,
                "allowed_updates": self.allowed_updates,
            },
            read_timeout=long_poll + 10,
        )
        return list(result or [])

    async def handle(self, raw: dict[str, Any]) -> None:
        """Hand one update to the application; the offset then moves past it."""
        update_id = int(raw["update_id"])
        metrics.count_update(raw)  # from the JSON: an update PTB cannot parse counts too
        try:
            update = Update.de_json(raw, self.application.bot)
        except Exception:
            # Telegram sent something this PTB version cannot read: skip it, say so loudly.
            log.exception("update %s could not be parsed; skipped", update_id)
        else:
            await self.application.process_update(update)
        self.offset = update_id + 1

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; then confirm what was handled."""
        await self.application.bot.delete_webhook()
        backoff = 0.5
        while not stop.is_set():
            fetch = asyncio.ensure_future(self._fetch(self.long_poll, self.batch))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, NetworkError):
                    await fetch
                break
            try:
                updates = fetch.result()
            except (TimedOut, NetworkError, Conflict) as error:
                log.warning("getUpdates failed (%s); retrying in %.1f s", error, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff)
                backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)
                continue
            backoff = 0.5
            for raw in updates:
                if stop.is_set():
                    break  # the rest stays unconfirmed: Telegram sends it again
                await self.handle(raw)
        await self.confirm()

    async def confirm(self) -> None:
        """Tell Telegram that everything handled so far is done (at shutdown)."""
        if self.offset is None:
            return
        try:
            # Asking for at most one update confirms all before the offset; the one it
            # returns (if any) is not handled, so it stays unconfirmed and comes again.
            await self._fetch(0, 1)
        except (TimedOut, NetworkError) as error:
            log.warning("could not confirm the handled updates: %s", error)
