"""Demos in local worker processes (spawned, so torch never enters the bot process)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import queue
import uuid
from collections.abc import Callable, Mapping
from multiprocessing.pool import Pool
from typing import Any

from bot.demos_runner import jobs
from bot.demos_runner.base import DemoTimeoutError, ProgressCallback
from nn_demos.catalogue import ParamValue

log = logging.getLogger(__name__)


class LocalRunner:
    """A pool of `concurrency` worker processes; a run past `timeout` seconds is killed."""

    def __init__(self, concurrency: int = 1, timeout: float = 60.0, device: str = "auto") -> None:
        self.concurrency = concurrency
        self.timeout = timeout
        self.device = device
        self._context = multiprocessing.get_context("spawn")
        self._progress: Any = self._context.Queue()
        self._pool: Pool | None = None
        self._slots = asyncio.Semaphore(concurrency)
        self._listeners: dict[str, ProgressCallback] = {}
        self._reader: asyncio.Task[None] | None = None
        self._started = False  # the workers answered once: torch is imported

    def _ensure_pool(self) -> Pool:
        if self._pool is None:
            self._pool = self._context.Pool(
                self.concurrency,
                initializer=jobs.init_worker,
                initargs=(self._progress, self.device),
            )
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read_progress())
        return self._pool

    async def _read_progress(self) -> None:
        while True:
            try:
                job_id, fraction, stage = await asyncio.to_thread(self._progress.get, True, 0.2)
            except queue.Empty:
                continue
            listener = self._listeners.get(job_id)
            if listener is not None:
                listener(fraction, stage)

    async def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def settle(value: Any = None, error: BaseException | None = None) -> None:
            if future.done():  # cancelled by a timeout meanwhile
                return
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)

        # Pool callbacks run on the pool's result thread: hand them to the event loop.
        def done(value: Any) -> None:
            loop.call_soon_threadsafe(settle, value)

        def failed(error: BaseException) -> None:
            loop.call_soon_threadsafe(settle, None, error)

        self._ensure_pool().apply_async(function, args, callback=done, error_callback=failed)
        return await future

    async def start(self) -> None:
        """Start the worker processes and wait until one answers (spawn and torch import)."""
        if not self._started:
            await self._call(jobs.ready)
            self._started = True

    async def run(
        self, name: str, params: Mapping[str, ParamValue], progress: ProgressCallback
    ) -> dict[str, Any]:
        """Run in a worker; past the time limit the pool is killed and DemoTimeoutError raised.

        Starting the workers is not timed: only the run itself is.
        """
        async with self._slots:
            await self.start()
            job_id = uuid.uuid4().hex
            self._listeners[job_id] = progress
            try:
                result: dict[str, Any] = await asyncio.wait_for(
                    self._call(jobs.run, job_id, name, dict(params)), self.timeout
                )
                return result
            except TimeoutError:
                log.warning("demo %s ran past %.0f s; stopping its worker", name, self.timeout)
                self._kill()
                raise DemoTimeoutError(name) from None
            finally:
                self._listeners.pop(job_id, None)

    def _kill(self) -> None:
        # A pool cannot stop one task, so the whole pool goes; the next call starts a new one.
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
        self._started = False

    async def close(self) -> None:
        """Stop the workers and the progress reader."""
        self._kill()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
