"""Updates handled concurrently, each source's in the order Telegram sent them.

PTB's `process_update` handles one update; this runs many at once so that an answer does not
wait behind a hundred `/quiz` commands that are busy sending. Order still matters within one
source: a learner's answers, presses and messages run one after another (their test's next
question depends on the last answer), as do a group's or a channel's updates. An update starts
once everything earlier from its source has finished, replies included.

`submit` (or the future `begin` gives) returns when the update has *settled*: its unit of
work committed (bot/settling.py), or its handlers finished without one. That is the moment
polling may confirm it to Telegram and webhook mode may answer it; its replies may still be
on their way. `drain` waits for
those at shutdown. At most `limit` updates are in hand at once: past that `submit` waits,
which holds back polling (and so Telegram) instead of piling updates up in memory.

A feature may also take an update straight from Telegram's JSON (`JsonRoute`, registered in
`BotData.json_routes`): polling and webhook mode offer each update to the routes before PTB
parses it (`begin_json`, `submit_json`). A private quiz vote, the busiest update by far, is
recorded that way without PTB building its objects (31-55 µs a vote here) or trying its
handlers; the route parses it only when there is something to show.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from enum import Enum
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot import metrics
from bot.settling import Marker, handled, handling

log = logging.getLogger(__name__)

LIMIT = 512


# Takes an update from Telegram's JSON, or not (None): the source it is ordered under (as
# `order_key` would name it) and its handling, which runs in that order, in the update's turn.
JsonRoute = Callable[[Mapping[str, Any]], "tuple[Hashable, Callable[[], Awaitable[None]]] | None"]


class Settled(Enum):
    """How an update's handling ended, as far as Telegram needs to know."""

    COMMITTED = "committed"  # its work is done, or at least committed (replies may follow)
    FAILED = "failed"  # a handler raised before anything was committed; it was reported


def order_key(update: Update) -> Hashable:
    """The source whose updates must be handled in order: a person, a group, a channel."""
    if update.poll_answer is not None:
        voter = update.poll_answer.user or update.poll_answer.voter_chat
        return ("person", voter.id) if voter is not None else ("update", update.update_id)
    if update.poll is not None:  # the vote counts of one poll
        return ("poll", update.poll.id)
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        return ("person", chat.id)
    if update.callback_query is not None:  # a button under a message in a group or channel
        return ("person", update.callback_query.from_user.id)
    if chat is not None:  # a group's commands and members, a channel's posts
        return ("chat", chat.id)
    return ("update", update.update_id)


class _Work(Marker):
    """One update in hand: the settling marker, and when it is done altogether."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        super().__init__()
        self.done = asyncio.Event()

    def outcome(self) -> Settled:
        """What Telegram needs to know once it settled."""
        return Settled.FAILED if self.failed else Settled.COMMITTED


Bot = Application[Any, Any, Any, Any, Any, Any]


class Dispatcher:
    """Runs updates concurrently, one source's in order; `submit` returns once one settled."""

    def __init__(self, application: Bot, *, limit: int = LIMIT) -> None:
        self.application = application
        bot_data = application.bot_data
        self._routes: list[JsonRoute] = list(getattr(bot_data, "json_routes", ()))
        self._room = asyncio.Semaphore(limit)
        self._last: dict[Hashable, _Work] = {}  # each source's latest update in hand
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def in_hand(self) -> int:
        """Updates started and not yet done (replies included)."""
        return len(self._tasks)

    async def submit(self, update: Update) -> Settled:
        """Handle `update` after its source's earlier ones; return once it settled."""
        # Shielded: a caller that gives up (a webhook request cut off) leaves the update's own
        # future, which others may read, as it is.
        return await asyncio.shield(await self.begin(update))

    async def begin(self, update: Update) -> asyncio.Future[Settled]:
        """Start handling `update` once there is room; the future resolves when it settled.

        Updates begun one after another keep that order within each source (a batch from
        getUpdates is begun in Telegram's order, then waited for as a whole).
        """
        await self._room.acquire()  # before the order is fixed: nothing waits on a roomless one
        metrics.count_update(update)
        return self._start(
            update.update_id, order_key(update), lambda: self.application.process_update(update)
        )

    async def submit_json(self, raw: Mapping[str, Any]) -> Settled | None:
        """`submit` for Telegram's JSON, if a route takes it (`begin_json`); else None."""
        settling = await self.begin_json(raw)
        return None if settling is None else await asyncio.shield(settling)

    async def begin_json(self, raw: Mapping[str, Any]) -> asyncio.Future[Settled] | None:
        """Start handling Telegram's JSON `raw` as a route takes it (as `begin` does an
        update); None when no route takes it (nothing begun: parse it and `begin` it)."""
        for route in self._routes:
            taken = route(raw)
            if taken is not None:
                await self._room.acquire()
                metrics.count_update(raw)
                key, handle = taken
                return self._start(raw.get("update_id"), key, handle)
        return None

    def _start(
        self, update_id: object, key: Hashable, handle: Callable[[], Awaitable[object]]
    ) -> asyncio.Future[Settled]:
        before = self._last.get(key)
        work = _Work()
        self._last[key] = work
        metrics.queue_entered()
        task = asyncio.create_task(self._run(update_id, handle, key, before, work), name="update")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        settled: asyncio.Future[Settled] = work.settled
        return settled

    async def _run(
        self,
        update_id: object,
        handle: Callable[[], Awaitable[object]],
        key: Hashable,
        before: _Work | None,
        work: _Work,
    ) -> None:
        try:
            if before is not None:
                await before.done.wait()
            token = handling(work)
            try:
                # PTB (and a JSON route) hands a handler's exception to the error handler
                # (which calls fail()); what reaches here is PTB itself failing.
                await handle()
            except Exception:
                log.exception("update %s could not be handled", update_id)
                work.failed = not work.settled.done()
            finally:
                handled(token)
        finally:
            metrics.queue_left()
            work.settle()
            work.done.set()
            if self._last.get(key) is work:
                del self._last[key]
            self._room.release()

    async def drain(self, patience: float | None = None) -> bool:
        """Wait until every update in hand is done, replies included; False on timeout."""
        if not self._tasks:
            return True
        _done, pending = await asyncio.wait(set(self._tasks), timeout=patience)
        return not pending
