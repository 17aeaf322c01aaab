"""Long polling that confirms updates to Telegram only once they have been handled.

Telegram forgets every update below the offset of the next getUpdates call. PTB's Updater
fetches the next batch (and so confirms the last) while the previous one still waits in an
unbounded queue: a crash then loses answers Telegram believes we have. Here a batch goes to
the dispatcher (bot/dispatch.py: concurrently, each source in order), and a fetch confirms
only the updates that have settled (their work committed): it asks from the oldest one still
in hand. A crash before an update settled means Telegram sends it again (handlers are
idempotent where it matters: a repeated answer is stored once); a crash after it can lose
only replies still on their way. An update PTB cannot parse is reported and skipped instead
of stopping the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot import metrics
from bot.dispatch import LIMIT, Dispatcher, Settled

log = logging.getLogger(__name__)

# Seconds Telegram holds a getUpdates open when there is nothing new.
LONG_POLL_SECONDS = 30
BATCH = 100
MAX_BACKOFF_SECONDS = 30.0
# How long an update in hand may take to settle before polling goes on past it.
SLOW_SECONDS = 0.25
# At a stop, how long replies of updates already confirmed may take to go out.
DRAIN_SECONDS = 20.0


def own_poll_totals(raw: dict[str, Any]) -> bool:
    """Whether this is the new totals of one of the bot's own quiz polls (not anonymous: a
    private chat's or a game's), which Telegram sends with every vote: their answers come as
    poll_answer updates, so the totals are confirmed without even being parsed. A channel
    poll's (always anonymous) are stored (bot/handlers/channel/events.py)."""
    poll = raw.get("poll")
    return isinstance(poll, dict) and poll.get("is_anonymous") is False


class Poller:
    """Fetches updates, hands each to the application, and confirms them afterwards."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        allowed_updates: Sequence[str],
        *,
        long_poll: float = LONG_POLL_SECONDS,
        batch: int = BATCH,
        in_hand: int = LIMIT,
    ) -> None:
        self.application = application
        self.allowed_updates = list(allowed_updates)
        self.long_poll = long_poll
        self.batch = batch
        self.offset: int | None = None  # the next update id to ask for: confirms all before it
        # Updates begun and not yet known settled, oldest first; the newest id begun.
        self._unsettled: dict[int, asyncio.Future[Settled]] = {}
        self._begun_through: int | None = None
        self.dispatcher = Dispatcher(application, limit=in_hand)  # 1: one update at a time

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

    def parse(self, raw: dict[str, Any]) -> Update | None:
        """The update, or None (reported) when this PTB version cannot read it."""
        try:
            return Update.de_json(raw, self.application.bot)
        except Exception:
            # Telegram sent something this PTB version cannot read: skip it, say so loudly.
            # It is counted here (the dispatcher counts the ones it is given).
            metrics.count_update(raw)
            log.exception("update %s could not be parsed; skipped", raw.get("update_id"))
            return None

    def _advance(self) -> None:
        """Move the offset past every update settled in a row from the oldest in hand."""
        while self._unsettled:
            update_id, settling = next(iter(self._unsettled.items()))
            if not settling.done():
                self.offset = update_id  # confirms everything before it, nothing from it on
                return
            del self._unsettled[update_id]
        if self._begun_through is not None:
            self.offset = self._begun_through + 1

    async def handle(self, batch: list[dict[str, Any]]) -> int:
        """Begin the updates of `batch` not yet in hand, in Telegram's order; how many.

        A getUpdates asks from the oldest update not yet settled, so it may bring back ones
        already in hand: those are skipped.
        """
        begun = 0
        for raw in batch:
            update_id = int(raw["update_id"])
            if self._begun_through is not None and update_id <= self._begun_through:
                continue
            self._begun_through = update_id
            begun += 1
            if own_poll_totals(raw):  # settled as it is: nothing to do
                metrics.count_update(raw)
                continue
            settling = await self.dispatcher.begin_json(raw)
            if settling is not None:  # a route took it as it is (bot/dispatch.py)
                self._unsettled[update_id] = settling
                continue
            update = self.parse(raw)
            if update is not None:
                self._unsettled[update_id] = await self.dispatcher.begin(update)
        return begun

    async def _settled_or_slow(self, stop: asyncio.Event) -> None:
        """Wait until every update in hand settled, or SLOW_SECONDS passed, or `stop`.

        Usually a batch settles at once and the next fetch confirms all of it (one round trip
        a batch). An update slow to commit (a long import, a demo) then holds back polling
        for SLOW_SECONDS only: the fetch after it asks from that update, which comes back
        with the news and is skipped, and only its confirmation waits.
        """
        waits: set[asyncio.Future[Any]] = {f for f in self._unsettled.values() if not f.done()}
        if not waits:
            return
        settled: asyncio.Future[Any] = asyncio.gather(*waits)
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait(
                {settled, stopping}, timeout=SLOW_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            stopping.cancel()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; then confirm what was handled.

        Fetching goes on while earlier updates are still in hand: each getUpdates asks from
        the oldest one not yet settled (so confirms only what settled), and the updates it
        brings that are new are begun at once. An update slow to commit holds back only
        the confirmation, and its own source's later updates.
        """
        await self.application.bot.delete_webhook()
        backoff = 0.5
        while not stop.is_set():
            self._advance()
            # With updates in hand Telegram answers at once (they are still unconfirmed).
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
            except InvalidToken:
                raise  # revoked while running: the operator must act (see app.run_polling)
            except RetryAfter as error:  # Telegram names the wait itself
                wait = error.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                log.warning("getUpdates refused for flood; again in %.0f s", seconds)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), seconds)
                continue
            except TelegramError as error:  # 5xx, the network, another poller, a refusal
                log.warning("getUpdates failed (%s); retrying in %.1f s", error, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff)
                backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)
                continue
            backoff = 0.5
            await self.handle(updates)
            await self._settled_or_slow(stop)
        # What was begun settles (commits) before its confirmation; then its replies go out.
        pending = [f for f in self._unsettled.values() if not f.done()]
        if pending:
            await asyncio.wait(pending)
        self._advance()
        await self.confirm()
        if not await self.dispatcher.drain(DRAIN_SECONDS):
            log.warning("stopped with replies still unsent after %s s", DRAIN_SECONDS)

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
