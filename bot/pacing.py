"""Sending inside Telegram's limits: sliding windows per chat and overall, never a burst.

Telegram allows a bot about 30 messages a second overall, 20 a minute in one group or
channel and one a second in one private chat; past that it answers 429 and makes the chat
wait. PTB's AIORateLimiter is a leaky bucket that lets a burst through (55-59 sendPoll in one
second were measured) and stops every chat while one waits out a 429. Here each send takes the
earliest moment at which no window (any interval of that length, not fixed buckets) would hold
more than its limit, reserved at once so concurrent senders never take the same slot; a chat's
own messages keep their order; a 429 holds back only its chat.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` sends in any `seconds` long window."""

    count: int
    seconds: float


OVERALL = Limit(30, 1.0)
GROUP = Limit(20, 60.0)  # groups, supergroups and channels (negative chat ids, @usernames)
PRIVATE = Limit(1, 1.0)
# Requests that put or change a message in a chat; reads (getChat…) and answers to button
# presses are not what Telegram paces.
_PACED_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage", "stopPoll")


def paced(endpoint: str) -> bool:
    """Whether a Bot API method counts against the sending limits."""
    return endpoint.startswith(_PACED_PREFIXES)


def chat_limit(chat_id: object) -> Limit:
    """The per-chat limit: private chats have positive ids; groups and channels the rest."""
    with contextlib.suppress(TypeError, ValueError):
        if int(str(chat_id)) > 0:
            return PRIVATE
    return GROUP


@dataclass
class Windows:
    """The send times taken so far, per key, and the earliest free slot for the next send."""

    history: dict[str, list[float]] = field(default_factory=dict)

    def _fits(self, key: str, limit: Limit, at: float) -> bool:
        times = self.history.get(key, [])
        # Every window that would hold `at` starts in (at - seconds, at].
        low = bisect.bisect_right(times, at - limit.seconds)
        high = bisect.bisect_right(times, at + limit.seconds)
        near = times[low:high]
        starts = [at - limit.seconds + 1e-9, *(t for t in near if t <= at)]
        for start in starts:
            inside = bisect.bisect_left(near, start + limit.seconds) - bisect.bisect_left(
                near, start
            )
            if inside + 1 > limit.count:
                return False
        return True

    def reserve(self, limits: dict[str, Limit], now: float, after: float = 0.0) -> float:
        """The earliest time ≥ now and ≥ `after` that every key's window allows; taken."""
        candidates = {max(now, after)}
        for key, limit in limits.items():
            candidates.update(t + limit.seconds for t in self.history.get(key, []))
        # Past every window of every key, a slot is always free (float rounding aside).
        candidates.add(max(candidates) + max(limit.seconds for limit in limits.values()) + 1e-6)
        at = next(
            moment
            for moment in sorted(c for c in candidates if c >= max(now, after))
            if all(self._fits(key, limit, moment) for key, limit in limits.items())
        )
        for key, limit in limits.items():
            times = self.history.setdefault(key, [])
            bisect.insort(times, at)
            # What no window can reach any more is forgotten.
            del times[: bisect.bisect_left(times, now - limit.seconds)]
        return at


Sleep = Callable[[float], Awaitable[None]]


class WindowStore(Protocol):
    """Where the windows are kept: this process's memory, or Redis shared by every process."""

    async def reserve(self, limits: dict[str, Limit], after: float) -> tuple[float, float]:
        """Take the earliest slot ≥ `after` every key's window allows: (the slot, now).

        Both are on the store's clock, which `after` (an earlier slot) is on too.
        """
        ...

    async def hold(self, key: str, seconds: float) -> None:
        """Telegram said 429 for `key`: nothing goes to it for `seconds`."""
        ...


class MemoryWindows:
    """The windows in this process's memory (one bot process, or no Redis)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.windows = Windows()
        self._held_until: dict[str, float] = {}

    async def reserve(self, limits: dict[str, Limit], after: float) -> tuple[float, float]:
        """See `WindowStore.reserve`."""
        now = self.clock()
        for key in limits:
            after = max(after, self._held_until.get(key, 0.0))
        return self.windows.reserve(limits, now, after), now

    async def hold(self, key: str, seconds: float) -> None:
        """See `WindowStore.hold`."""
        self._held_until[key] = max(self._held_until.get(key, 0.0), self.clock() + seconds)


class PacingLimiter(BaseRateLimiter[int]):
    """PTB's rate-limiter hook: every paced request waits for its slot (see module doc)."""

    def __init__(
        self,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        store: WindowStore | None = None,
    ) -> None:
        self.max_retries = max_retries
        self.clock = clock  # for the send-latency metric; the windows keep their own
        self.sleep = sleep
        self.store: WindowStore = store or MemoryWindows(clock)
        # Per chat: the last slot taken, so that its messages keep their order.
        self._last: dict[str, float] = {}
        # One reservation at a time in this process: a chat's slots are then taken in the
        # order its messages were asked for, whatever the store's round trips do.
        self._reserving = asyncio.Lock()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def slot(self, chat: str | None) -> float:
        """Reserve the next send's moment (to this chat, or none); the seconds to wait."""
        limits = {"*": OVERALL}
        if chat is not None:
            limits[chat] = chat_limit(chat)
        async with self._reserving:
            after = self._last.get(chat, 0.0) if chat is not None else 0.0
            at, now = await self.store.reserve(limits, after)
            if chat is not None:
                self._last[chat] = at
        return at - now

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Wait for the request's slot, send it; after a 429 wait as told and try again."""
        if not paced(endpoint):
            return await callback(*args, **kwargs)
        started = self.clock()
        try:
            return await self._paced(callback, args, kwargs, data, rate_limit_args)
        finally:  # a refusal is Telegram's reply too: its wait counts
            metrics.observe_send(self.clock() - started)

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat = None if data.get("chat_id") is None else str(data["chat_id"])
        retries = rate_limit_args if rate_limit_args is not None else self.max_retries
        for attempt in range(retries + 1):
            wait = await self.slot(chat)
            if wait > 0:
                await self.sleep(wait)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    raise
                hold = error.retry_after
                seconds = hold if isinstance(hold, int | float) else hold.total_seconds()
                log.info("429 for %s: waiting %.1f s before sending again", chat, seconds)
                if chat is not None:
                    await self.store.hold(chat, seconds)
                else:
                    await self.sleep(seconds)
        raise AssertionError("unreachable")
