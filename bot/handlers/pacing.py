"""Pacing bulk sends under Telegram's limit of about 30 messages a second."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

# Below Telegram's 30 a second: the bot's answers to updates share the same budget.
BULK_PER_SECOND = 20


class Pacer:
    """At most `count` sends in any `window` seconds: a sliding window.

    A token bucket (AIORateLimiter's) lets a burst through at the start; a window does not.
    It paces real sends, so it reads the monotonic clock, not the bot's (tests stop that one).
    """

    def __init__(
        self,
        count: int = BULK_PER_SECOND,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.count = count
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()

    async def wait(self) -> None:
        """Return when one more send keeps within the limit (and count it as sent)."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        if len(self._sent) >= self.count:
            await self._sleep(self.window - (now - self._sent[0]))
            self._sent.popleft()
            now = self._clock()
        self._sent.append(now)
