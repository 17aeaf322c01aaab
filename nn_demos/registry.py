"""Every demo's run function by name; the demo modules register themselves on import."""

from __future__ import annotations

from nn_demos import catalogue
from nn_demos.base import Demo, RunFn
from nn_demos.catalogue import CODE_VERSION

__all__ = ["CODE_VERSION", "DEMOS", "register"]

DEMOS: dict[str, Demo] = {}


def register(name: str, run: RunFn) -> Demo:
    """Pair `run` with the catalogue entry `name` (each demo module calls this once)."""
    demo = Demo(catalogue.get(name), run)
    DEMOS[name] = demo
    return demo
