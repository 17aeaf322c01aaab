"""At start, in the background: the demo workers ready, and every demo's default result cached.

Most learners run a demo as offered, at its defaults: those results are computed once here (one
demo after another, each through the normal run slots, so a learner's own run waits for at most
one of them) and stored in the result cache, where `/demo NAME` finds them at once. A demo
whose defaults are cached under the current code version is skipped, so a restart costs only
the worker's start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.demos_runner.base import DemoInterruptedError, DemoRunner, DemoTimeoutError
from bot.runtime import Runtime
from bot.services.learning import demos
from nn_demos import catalogue

log = logging.getLogger(__name__)


async def warm_up(
    runner: DemoRunner, runtime: Runtime, names: Sequence[str] = catalogue.NAMES
) -> list[str]:
    """Start the workers, then run and cache each demo in `names` at its defaults.

    Returns the demos it ran. Never raises for a demo that fails (the bot works without the
    cache; the failure is logged); stops quietly when the runner closes.
    """
    ran: list[str] = []
    try:
        await runner.start()
        for name in names:
            params = catalogue.resolve(name, {})
            async with runtime.sessions() as session:
                if await demos.has_result(session, name, params, catalogue.CODE_VERSION):
                    continue
            try:
                result = await runner.run(name, params, lambda _fraction, _stage: None)
            except DemoTimeoutError:
                log.warning("demo %s at its defaults ran past the time limit", name)
                continue
            if not result["ok"]:
                log.warning("demo %s refused its own defaults: %s", name, result["error"])
                continue
            async with runtime.sessions.begin() as session:
                await demos.store_result(session, name, result, runtime.now())
            ran.append(name)
    except DemoInterruptedError:
        pass  # the bot is stopping
    except Exception:
        log.exception("warming up the demos failed; they run on request instead")
    return ran


def start_warm_up(runner: DemoRunner, runtime: Runtime) -> asyncio.Task[list[str]] | None:
    """`warm_up` as a background task when DEMO_WARMUP is on (the default), else None."""
    if not runtime.settings.demo_warmup:
        return None
    return asyncio.get_running_loop().create_task(warm_up(runner, runtime), name="demo-warm-up")
