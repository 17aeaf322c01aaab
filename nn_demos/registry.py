"""Every demo's run function by name; the demo modules register themselves on import."""

from __future__ import annotations

from typing import Any

from nn_demos import catalogue
from nn_demos.base import Demo, DemoResult, ProgressFn, RunFn
from nn_demos.catalogue import CODE_VERSION

__all__ = ["CODE_VERSION", "DEMOS", "register"]

DEMOS: dict[str, Demo] = {}


def register(name: str, run: RunFn) -> Demo:
    """Pair `run` with the catalogue entry `name` (each demo module calls this once).

    The run is wrapped to use one CPU thread (see `device.one_thread`), whoever calls it.
    """

    def on_one_thread(params: dict[str, Any], progress: ProgressFn) -> DemoResult:
        from nn_demos.device import one_thread  # torch: only once a demo runs

        with one_thread():
            return run(params, progress)

    demo = Demo(catalogue.get(name), on_one_thread)
    DEMOS[name] = demo
    return demo
