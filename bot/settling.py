"""When an update counts as handled: its database work committed, even if replies still go out.

The dispatcher (bot/dispatch.py) gives each update a `Marker` through a context variable; the
unit of work (or the answer batcher) calls `settle()` once its commit is done, and the error
handler calls `fail()` when a handler raised. Polling confirms an update to Telegram, and
webhook mode answers it, only after it settled: a crash after that point can lose replies still
being sent, never what was committed. Outside a dispatched update (jobs, tests calling
`process_update` themselves) both do nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any


class Marker:
    """One update's progress: settled (committed or finished), and whether it failed first.

    `settled` is a future resolved with `outcome()` rather than an event a task would wait
    on: every update has one, and a task per update costs.
    """

    __slots__ = ("failed", "settled")

    def __init__(self) -> None:
        self.settled: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.failed = False

    def outcome(self) -> Any:
        """What `settled` resolves to: whether it failed before anything committed."""
        return self.failed

    def settle(self) -> None:
        """It committed, or its handling ended (idempotent)."""
        if not self.settled.done():
            self.settled.set_result(self.outcome())


_CURRENT: contextvars.ContextVar[Marker | None] = contextvars.ContextVar(
    "quizbot_settling", default=None
)


def settle() -> None:
    """Mark the update being handled as committed (idempotent; a no-op outside one)."""
    marker = _CURRENT.get()
    if marker is not None:
        marker.settle()


def fail() -> None:
    """Note that a handler of the update raised; it matters only if nothing had committed."""
    marker = _CURRENT.get()
    if marker is not None and not marker.settled.done():
        marker.failed = True


def handling(marker: Marker) -> contextvars.Token[Marker | None]:
    """Make `marker` the one of the update handled in this context (the dispatcher's call)."""
    return _CURRENT.set(marker)


def handled(token: contextvars.Token[Marker | None]) -> None:
    """Undo `handling` once the update is done."""
    _CURRENT.reset(token)
