"""Small torch experiments that show deep-learning ideas, with Persian plots and captions.

A pure library: no telegram and no database. `run_demo(name, params)` validates the
parameters and returns a `DemoResult` (PNG bytes, Persian caption, measured numbers).
"""

from __future__ import annotations

from collections.abc import Mapping

from nn_demos import demos as _demos  # noqa: F401 - importing registers every demo
from nn_demos.base import Demo, DemoParamError, DemoResult, ProgressFn, no_progress
from nn_demos.registry import CODE_VERSION, DEMOS

__all__ = ["CODE_VERSION", "DEMOS", "Demo", "DemoParamError", "DemoResult", "get_demo", "run_demo"]


def get_demo(name: str) -> Demo:
    """The demo called `name`; DemoParamError (Persian) when there is none."""
    demo = DEMOS.get(name)
    if demo is None:
        raise DemoParamError(f"دمویی به اسم «{name}» نداریم؛ دموها: {'، '.join(DEMOS)}")
    return demo


def run_demo(
    name: str, raw_params: Mapping[str, str] | None = None, progress: ProgressFn = no_progress
) -> DemoResult:
    """Validate the parameters and run the demo."""
    demo = get_demo(name)
    return demo.run(demo.resolve(raw_params or {}), progress)
