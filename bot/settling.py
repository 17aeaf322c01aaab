"""When an update counts as handled: its database work committed, even if replies still go out.

The dispatcher (bot/dispatch.py) gives each update a `Settled` marker through a context
variable; the unit of work (or the answer batcher) calls `settle()` once its commit is done.
Polling confirms an update to Telegram, and webhook mode answers it 200, only after it settled:
a crash after that point can lose replies still being sent, never what was committed.
Outside a dispatched update (jobs, tests calling `process_update`) `settle()` does nothing.
"""

from __future__ import annotations

import asyncio
import contextvars

_CURRENT: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar(
    "quizbot_settled", default=None
)


def settle() -> None:
    """Mark the update being handled as committed (idempotent; a no-op outside one)."""
    event = _CURRENT.get()
    if event is not None:
        event.set()


def settling(event: asyncio.Event) -> contextvars.Token[asyncio.Event | None]:
    """Make `event` the marker of the update handled in this context (the dispatcher's call)."""
    return _CURRENT.set(event)
