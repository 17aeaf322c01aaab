"""Demos in local worker processes (spawned, so torch never enters the bot process).

Each worker is a process of our own with its own pipe, not a `multiprocessing.Pool`: a pool's
`terminate()` deadlocks once one of its workers has died (systemd's SIGTERM reaches the whole
process group, workers included), and a pool cannot stop one task past its time limit. Here a
worker past the limit, or at shutdown, is killed and reaped on its own; a pipe that closes
mid-run tells the waiting run at once.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Mapping
from multiprocessing.process import BaseProcess
from typing import Any

from bot.demos_runner import jobs
from bot.demos_runner.base import DemoInterruptedError, DemoTimeoutError, ProgressCallback
from nn_demos.catalogue import ParamValue

log = logging.getLogger(__name__)

# A killed process is gone at once; this only bounds the wait for the kernel to reap it.
REAP_SECONDS = 5.0


class _Worker:
    """One spawned worker process and the bot's end of its pipe."""

    def __init__(self, context: Any, device: str) -> None:
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=jobs.serve, args=(child, device), daemon=True, name="quizbot-demo-worker"
        )
        self.process.start()
        child.close()  # only the worker holds its end: its death closes the pipe for us

    async def receive(self) -> tuple[Any, ...]:
        """The next message from the worker; DemoInterruptedError when its pipe closed."""
        try:
            message: tuple[Any, ...] = await asyncio.to_thread(self.connection.recv)
        except (EOFError, OSError):
            raise DemoInterruptedError("the demo worker stopped") from None
        return message

    def kill(self) -> None:
        """Kill the process (SIGKILL: a demo does not finish a step first) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(REAP_SECONDS)
        # The pipe is left to the garbage collector: a receive may still be reading the
        # end-of-file the death caused, and closing under it could hand its descriptor on.


class LocalRunner:
    """`concurrency` worker processes; a run past `timeout` seconds has its worker killed."""

    def __init__(self, concurrency: int = 1, timeout: float = 60.0, device: str = "auto") -> None:
        self.concurrency = concurrency
        self.timeout = timeout
        self.device = device
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []  # started and ready, waiting for a run
        self._busy: set[_Worker] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._closed = False

    async def _ready_worker(self) -> _Worker:
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                return worker
            worker.kill()  # died while idle (an OOM kill, a stray signal): reap, start anew
        worker = _Worker(self._context, self.device)
        self._busy.add(worker)  # so that `close` kills it even while it starts
        try:
            (kind,) = await worker.receive()  # spawned and torch imported
        except BaseException:
            self._busy.discard(worker)
            worker.kill()
            raise
        self._busy.discard(worker)
        assert kind == "ready"
        return worker

    async def start(self) -> None:
        """Start the worker processes and wait until they answer (spawn and torch import)."""
        while len(self._idle) + len(self._busy) < self.concurrency:
            self._idle.append(await self._ready_worker())

    async def run(
        self, name: str, params: Mapping[str, ParamValue], progress: ProgressCallback
    ) -> dict[str, Any]:
        """Run in a worker; past the time limit the worker is killed and DemoTimeoutError raised.

        Starting a worker is not timed: only the run itself is.
        """
        async with self._slots:
            if self._closed:
                raise DemoInterruptedError("the runner is closed")
            worker = await self._ready_worker()
            self._busy.add(worker)
            healthy = False
            try:
                try:
                    worker.connection.send((name, dict(params)))
                except OSError:
                    raise DemoInterruptedError("the demo worker stopped") from None
                result = await asyncio.wait_for(self._result(worker, progress), self.timeout)
                healthy = True
                return result
            except TimeoutError:
                log.warning("demo %s ran past %.0f s; stopping its worker", name, self.timeout)
                raise DemoTimeoutError(name) from None
            finally:
                self._busy.discard(worker)
                if healthy and not self._closed:
                    self._idle.append(worker)
                else:
                    worker.kill()

    @staticmethod
    async def _result(worker: _Worker, progress: ProgressCallback) -> dict[str, Any]:
        while True:
            message = await worker.receive()
            if message[0] == "progress":
                progress(message[1], message[2])
            else:
                result: dict[str, Any] = message[1]
                return result

    async def close(self) -> None:
        """Kill every worker: runs in progress end with DemoInterruptedError."""
        self._closed = True
        workers = [*self._idle, *self._busy]
        self._idle.clear()
        for worker in workers:
            await asyncio.to_thread(worker.kill)
