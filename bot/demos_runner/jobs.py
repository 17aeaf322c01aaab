"""The functions a demo worker process executes.

The torch demos are imported inside the functions: this module is imported by the bot process
too, only to name the functions, and that must stay cheap and torch-free (the catalogue is).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from multiprocessing.queues import Queue
from typing import Any

from nn_demos import catalogue

_progress: Queue[tuple[str, float, str]] | None = None


def init_worker(progress: Queue[tuple[str, float, str]] | None, device: str) -> None:
    """Runs once in each worker process: where progress goes and which device to use."""
    global _progress
    _progress = progress
    os.environ["DEMO_DEVICE"] = device
    import torch

    import nn_demos.demos  # noqa: F401 - pay torch's import cost once, before the first request

    # These models are small: one thread each is as fast, and leaves the bot its own core.
    torch.set_num_threads(1)


def ready() -> bool:
    """Answers once the worker process is up (its initializer has imported torch)."""
    return True


def run(
    job_id: str,
    name: str,
    params: Mapping[str, object],
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, Any]:
    """Run a demo; progress goes to `progress`, or to the shared queue tagged with `job_id`.

    The parameters are checked again here, since this worker may run another version of the
    code than the bot that resolved them; a refusal comes back as `DemoParamError.to_data()`.
    """
    import nn_demos
    from nn_demos.device import demo_device

    def report(fraction: float, stage: str) -> None:
        if progress is not None:
            progress(fraction, stage)
        elif _progress is not None:
            _progress.put((job_id, fraction, stage))

    try:
        resolved = catalogue.resolve(name, params)
    except catalogue.DemoParamError as error:
        return {"ok": False, "error": error.to_data()}
    started = time.perf_counter()
    result = nn_demos.get_demo(name).run(resolved, report)
    return {
        "ok": True,
        "png": result.png,
        "caption": result.caption,
        "metrics": result.metrics,
        "params": resolved,
        "code_version": catalogue.CODE_VERSION,
        "device": demo_device().type,
        "duration_ms": int((time.perf_counter() - started) * 1000),
    }
