"""Sending inside Telegram's limits: sliding windows per chat and overall, never a burst.

Telegram allows a bot about 30 messages a second overall, 20 a minute in one group or
channel and one a second in one private chat; past that it answers 429 and makes the chat
wait. PTB's AIORateLimiter is a leaky bucket that lets a burst through (55-59 sendPoll in one
second were measured) and stops every chat while one waits out a 429. Here each send takes the
earliest moment at which no window (any interval of that length, not fixed buckets) would hold
more than its limit, reserved at once so concurrent senders never take the same slot; a chat's
own messages keep their order; a 429 holds back only its chat. Telegram counts a send when it
arrives, which is after its slot by however late the event loop woke and the request travelled:
so a send is counted at the moment its answer came (no earlier than its arrival), one still
under way counts as made at whatever moment another send looks (it cannot arrive earlier), and
a slot reserved before either is checked again when its moment comes. The windows live in this
process's memory or, for several processes, in Redis (bot/pacing_redis.py).
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
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

    def earliest(self, limits: dict[str, Limit], now: float, after: float = 0.0) -> float:
        """The earliest time ≥ now and ≥ `after` that every key's window allows; not taken."""
        candidates = {max(now, after)}
        for key, limit in limits.items():
            candidates.update(t + limit.seconds for t in self.history.get(key, []))
        # Past every window of every key, a slot is always free (float rounding aside).
        candidates.add(max(candidates) + max(limit.seconds for limit in limits.values()) + 1e-6)
        return next(
            moment
            for moment in sorted(c for c in candidates if c >= max(now, after))
            if all(self._fits(key, limit, moment) for key, limit in limits.items())
        )

    def reserve(self, limits: dict[str, Limit], now: float, after: float = 0.0) -> float:
        """The earliest time ≥ now and ≥ `after` that every key's window allows; taken."""
        at = self.earliest(limits, now, after)
        for key, limit in limits.items():
            times = self.history.setdefault(key, [])
            bisect.insort(times, at)
            # What no window can reach any more is forgotten.
            del times[: bisect.bisect_left(times, now - limit.seconds)]
        return at

    def release(self, keys: Iterable[str], at: float) -> None:
        """Give back a slot taken at `at` (if it is not forgotten already)."""
        for key in keys:
            times = self.history.get(key, [])
            index = bisect.bisect_left(times, at)
            if index < len(times) and times[index] == at:
                del times[index]

    def add(self, keys: Iterable[str], at: float) -> None:
        """Count a send at `at` in each key's window."""
        for key in keys:
            bisect.insort(self.history.setdefault(key, []), at)

    def move(self, keys: Iterable[str], at: float, to: float) -> None:
        """Count a send taken at `at` as made at `to` instead."""
        self.release(keys, at)
        self.add(keys, to)


@dataclass(frozen=True)
class Slot:
    """A reserved moment on the store's clock, the store's time when it was taken, its name."""

    at: float
    now: float
    member: str = ""


Sleep = Callable[[float], Awaitable[None]]


class WindowStore(Protocol):
    """Where the windows are kept: this process's memory, or Redis shared by every process."""

    async def reserve(self, limits: dict[str, Limit], after: float) -> Slot:
        """Take the earliest slot ≥ `after` every key's window (and hold) allows.

        Its moment and `now` are on the store's clock, which `after` (an earlier slot) is on.
        """
        ...

    async def reslot(self, limits: dict[str, Limit], slot: Slot) -> Slot:
        """Its moment came: move `slot` to the earliest moment (≥ its own) that fits now.

        What fits is judged against every send made or under way and every slot reserved
        before this one, not the later ones still waiting: their senders check again when
        their moments come, so a send is only ever held back by those ahead of it.
        """
        ...

    async def earliest(self, limits: dict[str, Limit], after: float) -> Slot:
        """When `reserve` would place a send now; nothing is taken."""
        ...

    async def sent(self, limits: dict[str, Limit], slot: Slot) -> None:
        """The send of `slot` was answered: count it at the store's now instead."""
        ...

    async def hold(self, key: str, seconds: float) -> None:
        """Telegram said 429 for `key`: nothing goes to it for `seconds`."""
        ...


@dataclass
class _Pending:
    """A slot reserved and not yet answered: its keys, its moment now, its place in line."""

    keys: tuple[str, ...]
    at: float
    order: int


class MemoryWindows:
    """The windows in this process's memory (one bot process, or no Redis)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.windows = Windows()
        self._held_until: dict[str, float] = {}
        # Slots reserved and not yet answered, by member. A heap by moment finds the ones
        # whose moment has passed (sends under way) without looking at those still waiting;
        # a heap entry whose moment changed since is stale.
        self._pending: dict[str, _Pending] = {}
        self._due: list[tuple[float, str]] = []
        self._order = itertools.count()

    def _after(self, limits: dict[str, Limit], after: float) -> float:
        return max([after, *(self._held_until.get(key, 0.0) for key in limits)])

    def _settle(self, now: float) -> None:
        """Count every send under way at `now`: it reaches Telegram no earlier than that."""
        moved: list[tuple[float, str]] = []
        while self._due and self._due[0][0] < now:
            at, member = heapq.heappop(self._due)
            pending = self._pending.get(member)
            if pending is None or pending.at != at:
                continue
            self.windows.move(pending.keys, at, now)
            pending.at = now
            moved.append((now, member))
        for item in moved:
            heapq.heappush(self._due, item)

    async def reserve(self, limits: dict[str, Limit], after: float) -> Slot:
        """See `WindowStore.reserve`."""
        now = self.clock()
        self._settle(now)
        at = self.windows.reserve(limits, now, self._after(limits, after))
        order = next(self._order)
        self._pending[str(order)] = _Pending(tuple(limits), at, order)
        heapq.heappush(self._due, (at, str(order)))
        return Slot(at, now, str(order))

    async def reslot(self, limits: dict[str, Limit], slot: Slot) -> Slot:
        """See `WindowStore.reslot`."""
        now = self.clock()
        self._settle(now)
        mine = self._pending.get(slot.member)
        if mine is None:  # not one of this store's slots: a fresh one, at the back
            return await self.reserve(limits, slot.at)
        self.windows.release(limits, mine.at)
        behind: dict[str, list[float]] = {}  # later slots still waiting, by key
        for other in self._pending.values():
            if other.order > mine.order and other.at > now:
                for key in other.keys:
                    behind.setdefault(key, []).append(other.at)
        ahead = Windows(
            {
                key: _without(self.windows.history.get(key, []), behind.get(key, []))
                for key in limits
            }
        )
        at = ahead.earliest(limits, now, self._after(limits, slot.at))
        self.windows.add(limits, at)
        mine.at = at
        heapq.heappush(self._due, (at, slot.member))
        return Slot(at, now, slot.member)

    async def earliest(self, limits: dict[str, Limit], after: float) -> Slot:
        """See `WindowStore.earliest`."""
        now = self.clock()
        self._settle(now)
        return Slot(self.windows.earliest(limits, now, self._after(limits, after)), now)

    async def sent(self, limits: dict[str, Limit], slot: Slot) -> None:
        """See `WindowStore.sent`."""
        pending = self._pending.pop(slot.member, None)
        at = slot.at if pending is None else pending.at
        self.windows.move(limits, at, max(at, self.clock()))

    async def hold(self, key: str, seconds: float) -> None:
        """See `WindowStore.hold`."""
        self._held_until[key] = max(self._held_until.get(key, 0.0), self.clock() + seconds)


def _without(times: list[float], gone: list[float]) -> list[float]:
    """`times` (sorted) less one occurrence of each of `gone`."""
    if not gone:
        return times
    left = collections.Counter(gone)
    kept = []
    for moment in times:
        if left[moment]:
            left[moment] -= 1
        else:
            kept.append(moment)
    return kept


@dataclass
class _Turn:
    """One chat's sends in order: the lock, and how many hold or wait for it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


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
        # One reservation at a time in this process, whatever the store's round trips do.
        self._reserving = asyncio.Lock()
        # Per chat, its sends one after another in the order asked (see `_paced`).
        self._turns: dict[str, _Turn] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @staticmethod
    def _limits(chat: str | None) -> dict[str, Limit]:
        return {"*": OVERALL} if chat is None else {"*": OVERALL, chat: chat_limit(chat)}

    async def slot(self, chat: str | None) -> Slot:
        """Reserve the next send's moment (to this chat, or none)."""
        async with self._reserving:
            return await self.store.reserve(self._limits(chat), 0.0)

    async def free_in(self, chat: str | None, *, own_only: bool = False) -> float:
        """Seconds before a send to `chat` could go out (0: now); no slot is taken.

        `own_only`: by the chat's own limit, order and 429 hold alone, not the overall one.
        """
        limits = self._limits(chat)
        if own_only and chat is not None:
            del limits["*"]
        slot = await self.store.earliest(limits, 0.0)
        return max(0.0, slot.at - slot.now)

    async def _until_free(self, chat: str | None, slot: Slot) -> Slot:
        """Sleep until `slot`; then, if it no longer fits, take the next one that does.

        Sends counted since at their answers' moments (below) may have filled a window the
        slot was reserved in.
        """
        limits = self._limits(chat)
        while (wait := slot.at - slot.now) > 0:
            await self.sleep(wait)
            async with self._reserving:
                slot = await self.store.reslot(limits, slot)
        return slot

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
        async with self._turn(chat):
            return await self._send(callback, args, kwargs, chat, rate_limit_args)

    @contextlib.asynccontextmanager
    async def _turn(self, chat: str | None) -> AsyncIterator[None]:
        """Wait for the chat's earlier sends to be answered (or to fail); then this one's.

        A chat's messages then keep their order: each reserves its slot only once the one
        before it is counted. (Slots reserved side by side could not: a send that wakes late
        finds its moment passed, and the next free one is behind its chat's later slots.)
        """
        if chat is None:
            yield
            return
        turn = self._turns.setdefault(chat, _Turn())
        turn.waiting += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.waiting -= 1
            if not turn.waiting:
                del self._turns[chat]  # a chat nobody is sending to costs no memory

    async def _send(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        chat: str | None,
        rate_limit_args: int | None,
    ) -> Any:
        retries = rate_limit_args if rate_limit_args is not None else self.max_retries
        for attempt in range(retries + 1):
            slot = await self._until_free(chat, await self.slot(chat))
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
            finally:
                # Telegram counted the send when it arrived, some time before its answer came:
                # kept at the answer's moment, no later send can crowd it in any window.
                await self.store.sent(self._limits(chat), slot)
        raise AssertionError("unreachable")
