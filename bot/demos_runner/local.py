"""Demos in local worker processes (forked from a fork server, so torch never enters the bot).

Each worker is a process of our own with its own pipe, not a `multiprocessing.Pool`: a pool's
`terminate()` deadlocks once one of its workers has died (systemd's SIGTERM reaches the whole
process group, workers included), and a pool cannot stop one task past its time limit. Here a
worker past the limit, or at shutdown, is killed and reaped on its own; a pipe that closes
mid-run tells the waiting run at once.

Workers come from multiprocessing's fork server, a clean interpreter started once that imports
torch, matplotlib and the demos (`PRELOAD`) and then forks a worker per request. Importing those
takes seconds on this CPU; a fork takes milliseconds, so a worker that replaces one killed past
its time limit (or by the kernel) is ready at once. The server never runs torch itself, so no
thread pool or CUDA state is forked.
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
# What the fork server imports once, for every worker it forks.
PRELOAD = ["bot.demos_runner.jobs", "nn_demos.demos"]


def worker_context() -> Any:
    """The fork-server context, preloading the demos (once per process: the server is shared)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # no effect once the server runs: same list anyway
    return context


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


def _kill_started(starting: asyncio.Future[_Worker]) -> None:
    if not starting.cancelled() and starting.exception() is None:
        starting.result().kill()


class LocalRunner:
    """`concurrency` worker processes; a run past `timeout` seconds has its worker killed."""

    def __init__(self, concurrency: int = 1, timeout: float = 60.0, device: str = "auto") -> None:
        self.concurrency = concurrency
        self.timeout = timeout
        self.device = device
        self._context = worker_context()
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
        return await self._new_worker()

    async def _new_worker(self) -> _Worker:
        # The first fork waits for the fork server to import torch (seconds): off the loop.
        # Shielded, so a cancelled wait still gets the process it started, to kill it.
        starting = asyncio.ensure_future(asyncio.to_thread(_Worker, self._context, self.device))
        try:
            worker = await asyncio.shield(starting)
        except asyncio.CancelledError:
            starting.add_done_callback(_kill_started)
            raise
        if self._closed:  # `close` came while it started: it could not see this one
            await asyncio.to_thread(worker.kill)
            raise DemoInterruptedError("the runner is closed")
        self._busy.add(worker)  # so that `close` kills it even while it starts
        try:
            (kind,) = await worker.receive()  # forked, warmed up and ready
        except BaseException:
            self._busy.discard(worker)
            worker.kill()
            raise
        self._busy.discard(worker)
        assert kind == "ready"
        return worker

    async def start(self) -> None:
        """Start the worker processes and wait until they answer (torch imported, warmed up).

        Each start holds a run slot, so a run asked for meanwhile waits for that worker
        instead of starting one more.
        """
        while len(self._idle) + len(self._busy) < self.concurrency and not self._closed:
            async with self._slots:
                if self._closed or len(self._idle) + len(self._busy) >= self.concurrency:
                    return
                try:
                    worker = await self._new_worker()
                except DemoInterruptedError:
                    return  # closed meanwhile
                self._idle.append(worker)

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
