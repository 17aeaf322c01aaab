"""Demos run in worker processes (locally or through Redis), are cached and rate-limited."""

import asyncio
import contextlib
import multiprocessing
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.demos_runner import jobs
from bot.demos_runner.base import DemoInterruptedError, DemoTimeoutError
from bot.demos_runner.local import LocalRunner
from bot.demos_runner.redis_queue import QueueRunner, build_worker
from bot.demos_runner.warmup import start_warm_up, warm_up
from bot.services.learning import demos
from bot.services.learning.demos import DemoCooling, DemoInvalid, DemoReady, DemoToRun
from nn_demos.catalogue import ParamErrorCode, resolve
from tests.fakebot import FakeUser
from tests.harness import eventually
from tests.inprocess import in_process_bot, one

SMALL = {"samples": "40", "steps": "20", "seeds": "1"}
SMALL_PARAMS = resolve("letters", SMALL)
REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
async def runner() -> AsyncIterator[LocalRunner]:
    local = LocalRunner(concurrency=1, timeout=120)
    try:
        yield local
    finally:
        await local.close()


async def test_local_worker_checks_again_and_runs(runner: LocalRunner) -> None:
    # The bot resolves before it sends, but a worker on other code may disagree: it checks too.
    invalid = await runner.run("letters", {**SMALL_PARAMS, "hidden": 1000}, lambda *_: None)
    assert invalid["ok"] is False
    assert invalid["error"]["code"] == ParamErrorCode.NOT_A_CHOICE
    assert invalid["error"]["param"] == "hidden"
    progress: list[float] = []
    result = await runner.run(
        "letters", SMALL_PARAMS, lambda fraction, _stage: progress.append(fraction)
    )
    assert result["ok"] is True
    assert result["png"].startswith(b"\x89PNG")
    assert result["device"] == "cpu"
    assert result["params"] == SMALL_PARAMS
    # Progress crosses the process boundary on its own queue: wait for it to arrive.
    await eventually(lambda: asyncio.sleep(0, bool(progress)))
    assert progress == sorted(progress)


async def test_a_run_past_the_time_limit_is_stopped_and_the_runner_recovers() -> None:
    runner = LocalRunner(concurrency=1, timeout=0.5)
    try:
        # Starting the worker (spawn, import torch) is not timed: only the run itself is.
        big = resolve("letters", {"samples": "500", "steps": "1000", "seeds": "5"})
        with pytest.raises(DemoTimeoutError):
            await runner.run("letters", big, lambda *_: None)
        runner.timeout = 120
        # A new worker takes the next run (the quickest demo will do).
        result = await runner.run(
            "gradients", resolve("gradients", {"seeds": "1"}), lambda *_: None
        )
        assert result["ok"] is True
    finally:
        await runner.close()


async def test_a_worker_killed_from_outside_is_replaced_and_close_interrupts_a_run() -> None:
    runner = LocalRunner(concurrency=1, timeout=120)
    try:
        await runner.start()
        # systemd's SIGTERM reaches the whole process group, the workers too.
        for child in multiprocessing.active_children():
            child.terminate()
            child.join()
        quick = await runner.run("gradients", resolve("gradients", {"seeds": "1"}), lambda *_: None)
        assert quick["ok"] is True  # a fresh worker took it
        big = resolve("letters", {"samples": "500", "steps": "1000", "seeds": "5"})
        running = asyncio.Event()
        run = asyncio.create_task(runner.run("letters", big, lambda *_: running.set()))
        await running.wait()  # progress came: it trains
    finally:
        await runner.close()
    with pytest.raises(DemoInterruptedError):
        await run
    assert multiprocessing.active_children() == []  # reaped, none left behind


async def test_results_are_cached_and_fresh_runs_rate_limited(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    cooldown = timedelta(seconds=30)

    async def ask(learner: str, raw: dict[str, str], at: datetime = now) -> object:
        async with session_factory.begin() as session:
            return await demos.request(session, learner, "letters", raw, at, cooldown)

    first = await ask("learner-a", SMALL)
    assert isinstance(first, DemoToRun)
    # The run itself is a worker's business (tested above); here it trains in this process.
    result = await asyncio.to_thread(jobs.run, "letters", first.params)
    async with session_factory.begin() as session:
        await demos.store_result(session, "letters", result, now)
    again = await ask("learner-a", dict(SMALL))
    assert isinstance(again, DemoReady)  # cached results skip the cooldown
    assert again.png == result["png"]
    other = await ask("learner-a", {**SMALL, "hidden": "8"})
    assert other == DemoCooling(every=cooldown, wait=cooldown)
    assert isinstance(await ask("learner-b", {**SMALL, "hidden": "8"}), DemoToRun)
    assert isinstance(await ask("learner-a", {**SMALL, "hidden": "8"}, now + cooldown), DemoToRun)
    bad = await ask("learner-c", {"colour": "red"})
    assert isinstance(bad, DemoInvalid)
    assert (bad.error.code, bad.error.param) == (ParamErrorCode.UNKNOWN_PARAM, "colour")
    assert demos.repeat_command("letters", first.params).startswith("/demo letters noise=")


# arq's Worker.close() still calls redis-py's deprecated close(); not our call to change.
@pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")
async def test_demos_go_through_redis_to_a_worker() -> None:
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    settings = Settings(
        _env_file=None,
        redis_url=REDIS_URL,  # type: ignore[call-arg]
        demo_timeout_seconds=120,
    )
    worker = build_worker(settings, handle_signals=False)
    worker_task = asyncio.create_task(worker.main())
    runner = QueueRunner(REDIS_URL, timeout=120)
    try:
        progress: list[float] = []
        # Long enough (about a second) for the runner to look at progress while it runs.
        defaults = resolve("letters", {})  # 200 samples, 300 steps, 3 seeds
        result = await runner.run("letters", defaults, lambda f, _s: progress.append(f))
        assert result["ok"] is True
        assert result["png"].startswith(b"\x89PNG")
        assert progress  # relayed through Redis while the job ran
    finally:
        await runner.close()
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker_task
        await worker.close()
        await redis.flushdb()
        await redis.aclose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_at_start_the_worker_is_ready_and_defaults_are_cached(
    tmp_path: Path, sample_bank_url: str, runner: LocalRunner
) -> None:
    async with in_process_bot(sample_bank_url, tmp_path, demo_runner=runner) as bot:
        # The setting: test bots leave it off, so no other test pays for a warm-up.
        async with in_process_bot(
            sample_bank_url, tmp_path, demo_runner=runner, demo_warmup=False
        ) as cold:
            assert start_warm_up(runner, cold.runtime) is None
        warming = start_warm_up(runner, bot.runtime)
        assert warming is not None  # on by default; `quizbot run` starts it in the background
        warming.cancel()  # all five demos cost seconds: one stands for them below
        with contextlib.suppress(asyncio.CancelledError):
            await warming
        assert await warm_up(runner, bot.runtime, names=["gradients"]) == ["gradients"]
        workers = [p for p in multiprocessing.active_children() if p.name == "quizbot-demo-worker"]
        assert len(workers) == 1  # started before any learner asked, and only one
        assert await warm_up(runner, bot.runtime, names=["gradients"]) == []  # cached: skipped
        # A learner who runs the panel as offered gets the picture at once, without a worker
        # run: even with the workers gone, it comes from the cache.
        await runner.close()
        sara = FakeUser(77_777_777, "Sara")
        panel = one(await bot.send_text(sara, "/demo gradients"), "sendMessage")
        photo = one(await bot.press(sara, bot.message_of(panel), "dr:gradients"), "sendPhoto")
        assert photo.files["photo"].startswith(b"\x89PNG")
        assert "تکرار: /demo gradients" in photo.params["caption"]
