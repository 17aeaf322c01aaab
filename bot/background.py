"""Long work started from chat (exports) that runs beside the updates, not inside one.

A handler starts the job and returns at once, so the updates behind it are handled while the
job runs. One job per key (an admin) at a time: a second request is refused rather than
queued. At shutdown the running jobs are cancelled (each tells its admin it stopped) before the
application stops: a job holds a read transaction and may run for many seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundJobs:
    """The running jobs of this process, by key."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def running(self, key: str) -> bool:
        """Whether a job under `key` is running."""
        return key in self._tasks

    def start(self, key: str, work: Coroutine[Any, Any, None]) -> bool:
        """Run `work` in the background under `key`; False (and `work` dropped) if one runs."""
        if key in self._tasks:
            work.close()
            return False
        task = asyncio.get_running_loop().create_task(work, name=f"background:{key[:12]}")
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))
        return True

    def _finished(self, key: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and task.exception() is not None:
            # Jobs report their own failures; this is one that escaped them.
            log.error("background job failed", exc_info=task.exception())

    async def wait(self) -> None:
        """Until no job runs (tests; a stop that lets jobs finish)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def cancel_all(self) -> None:
        """Cancel every running job and wait until each has wound down."""
        # One turn of the loop first: a job started just now reaches its first await, inside
        # the code that tells its admin it stopped (a task cancelled before it ran says nothing).
        await asyncio.sleep(0)
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
