"""The functions a demo worker process executes.

nn_demos (and so torch) is imported inside the functions: this module is imported by the bot
process too, only to name the functions, and that must stay cheap and torch-free.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from typing import Any

_progress: Queue[tuple[str, float, str]] | None = None


def init_worker(progress: Queue[tuple[str, float, str]] | None, device: str) -> None:
    """Runs once in each worker process: where progress goes and which device to use."""
    global _progress
    _progress = progress
    os.environ["DEMO_DEVICE"] = device
    import torch

    import nn_demos  # noqa: F401 - pay torch's import cost once, before the first request

    # These models are small: one thread each is as fast, and leaves the bot its own core.
    torch.set_num_threads(1)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def describe() -> list[dict[str, Any]]:
    """Every demo with its Persian title, summary and parameters."""
    import nn_demos

    return [
        {
            "name": demo.name,
            "title": demo.title,
            "summary": demo.summary,
            "params": [
                {
                    "name": param.name,
                    "label": param.label,
                    "default": _jsonable(param.default),
                    "choices": [str(choice) for choice in param.choices],
                    "minimum": param.minimum,
                    "maximum": param.maximum,
                    "many": param.many,
                }
                for param in demo.params
            ],
        }
        for demo in nn_demos.DEMOS.values()
    ]


def resolve(name: str, raw: dict[str, str]) -> dict[str, Any]:
    """The full parameters for a request, or the Persian reason it is invalid."""
    import nn_demos

    try:
        params = nn_demos.get_demo(name).resolve(raw)
    except nn_demos.DemoParamError as error:
        return {"ok": False, "error": str(error)}
    return {
        "ok": True,
        "params": {key: _jsonable(value) for key, value in params.items()},
        "code_version": nn_demos.CODE_VERSION,
    }


def run(
    job_id: str,
    name: str,
    raw: dict[str, str],
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, Any]:
    """Run a demo; progress goes to `progress`, or to the shared queue tagged with `job_id`."""
    import nn_demos
    from nn_demos.device import demo_device

    def report(fraction: float, stage: str) -> None:
        if progress is not None:
            progress(fraction, stage)
        elif _progress is not None:
            _progress.put((job_id, fraction, stage))

    started = time.perf_counter()
    try:
        result = nn_demos.run_demo(name, raw, report)
    except nn_demos.DemoParamError as error:
        return {"ok": False, "error": str(error)}
    resolved = resolve(name, raw)
    return {
        "ok": True,
        "png": result.png,
        "caption": result.caption,
        "metrics": result.metrics,
        "params": resolved["params"],
        "code_version": resolved["code_version"],
        "device": demo_device().type,
        "duration_ms": int((time.perf_counter() - started) * 1000),
    }
