"""Small torch experiments that show deep-learning ideas, with Persian plots and captions.

A pure library: no telegram and no database. Importing the package is cheap: the torch-free
`catalogue` describes every demo and checks parameters; torch is imported only when a demo is
run (`run_demo`) or the run functions are asked for (`DEMOS`, `get_demo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nn_demos import catalogue
from nn_demos.base import Demo, DemoResult, ProgressFn, no_progress
from nn_demos.catalogue import CATALOGUE, CODE_VERSION, DemoParamError, ParamErrorCode

if TYPE_CHECKING:
    from nn_demos.registry import DEMOS

__all__ = [
    "CATALOGUE",
    "CODE_VERSION",
    "DEMOS",
    "Demo",
    "DemoParamError",
    "DemoResult",
    "ParamErrorCode",
    "get_demo",
    "run_demo",
]


def _registry() -> dict[str, Demo]:
    from nn_demos import demos  # noqa: F401 - importing registers every demo (and imports torch)
    from nn_demos.registry import DEMOS

    return DEMOS


def __getattr__(name: str) -> Any:
    # `nn_demos.DEMOS` stays available without importing torch along with the package.
    if name == "DEMOS":
        return _registry()
    raise AttributeError(f"module 'nn_demos' has no attribute {name!r}")


def get_demo(name: str) -> Demo:
    """The demo called `name` with its run function; DemoParamError when there is none."""
    return _registry()[catalogue.get(name).name]


def run_demo(
    name: str, params: Mapping[str, object] | None = None, progress: ProgressFn = no_progress
) -> DemoResult:
    """Check the parameters (text or resolved values) against the catalogue and run the demo."""
    demo = get_demo(name)
    return demo.run(demo.resolve(params or {}), progress)
