"""Demos through a Redis-backed arq queue, run by `quizbot worker` processes (a GPU host)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from typing import Any

from arq import Worker, create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.jobs import JobStatus
from arq.worker import func

from bot.config import Settings
from bot.demos_runner.base import DemoInterruptedError, DemoTimeoutError, ProgressCallback
from bot.demos_runner.local import LocalRunner
from nn_demos.catalogue import ParamValue

QUEUE = "quizbot:demos"
PROGRESS_KEY = "quizbot:demo-progress:{}"
# Time for queueing and the round trip on top of the worker's own run limit.
QUEUE_GRACE_SECONDS = 30.0


class QueueRunner:
    """Sends demo jobs to the queue and follows their progress in Redis."""

    def __init__(self, redis_url: str, timeout: float) -> None:
        self.settings = RedisSettings.from_dsn(redis_url)
        self.timeout = timeout
        self._redis: ArqRedis | None = None
        self._closed = False

    async def _pool(self) -> ArqRedis:
        if self._redis is None:
            self._redis = await create_pool(self.settings, default_queue_name=QUEUE)
        return self._redis

    async def run(
        self, name: str, params: Mapping[str, ParamValue], progress: ProgressCallback
    ) -> dict[str, Any]:
        """Queue the run and relay its progress until it finishes."""
        redis = await self._pool()
        job_id = uuid.uuid4().hex
        job = await redis.enqueue_job("run_demo", job_id, name, dict(params), _queue_name=QUEUE)
        if job is None:
            raise RuntimeError("could not enqueue run_demo")
        deadline = asyncio.get_running_loop().time() + self.timeout + QUEUE_GRACE_SECONDS
        seen = b""

        async def relay() -> None:
            nonlocal seen
            latest = await redis.get(PROGRESS_KEY.format(job_id))
            if latest and latest != seen:
                seen = latest
                fraction, stage = json.loads(latest)
                progress(float(fraction), str(stage))

        while await job.status() != JobStatus.complete:
            if self._closed:  # the bot is stopping: the worker may finish, nobody waits
                raise DemoInterruptedError(name)
            if asyncio.get_running_loop().time() > deadline:
                raise DemoTimeoutError(name)
            await relay()
            await asyncio.sleep(0.2)
        await relay()  # a short run may finish between two looks: report where it ended
        result: dict[str, Any] = await job.result(timeout=5)
        if result.get("timeout"):
            raise DemoTimeoutError(name)
        return result

    async def start(self) -> None:
        """Connect to Redis; the workers are `quizbot worker` processes, ready on their own."""
        await self._pool()

    async def close(self) -> None:
        """Stop waiting for runs (they end with DemoInterruptedError); close the connection."""
        self._closed = True
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


# --- the worker side -------------------------------------------------------------------


async def _run_demo(
    ctx: dict[str, Any], job_id: str, name: str, params: dict[str, ParamValue]
) -> dict[str, Any]:
    runner: LocalRunner = ctx["runner"]
    redis: ArqRedis = ctx["redis"]
    writes: set[asyncio.Task[Any]] = set()

    async def write(fraction: float, stage: str) -> None:
        await redis.set(PROGRESS_KEY.format(job_id), json.dumps([fraction, stage]), ex=600)

    def progress(fraction: float, stage: str) -> None:
        task = asyncio.get_running_loop().create_task(write(fraction, stage))
        writes.add(task)
        task.add_done_callback(writes.discard)

    try:
        result = await runner.run(name, params, progress)
    except DemoTimeoutError:
        return {"ok": False, "timeout": True}
    if writes:
        await asyncio.gather(*writes)  # the last progress lands before the job completes
    return result


def build_worker(settings: Settings, *, handle_signals: bool = True) -> Worker:
    """An arq worker that runs demos in its own local worker processes."""
    if not settings.redis_url:
        raise ValueError("REDIS_URL is not set")

    async def startup(ctx: dict[str, Any]) -> None:
        runner = LocalRunner(
            settings.demo_concurrency, settings.demo_timeout_seconds, settings.demo_device
        )
        await runner.start()  # torch is imported before the first job, not during it
        ctx["runner"] = runner

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["runner"].close()

    return Worker(
        functions=[func(_run_demo, name="run_demo")],
        queue_name=QUEUE,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=startup,
        on_shutdown=shutdown,
        # No more jobs than runs: a job waiting for a free process inside this worker would use
        # up its job_timeout there, when another worker could have taken it from the queue.
        max_jobs=settings.demo_concurrency,
        job_timeout=int(settings.demo_timeout_seconds + QUEUE_GRACE_SECONDS),
        max_tries=1,  # a demo that failed once would fail again
        handle_signals=handle_signals,
        poll_delay=0.05,
    )
