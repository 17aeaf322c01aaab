"""What every demo is: its catalogue entry, and a run that turns resolved parameters into a result.

Torch-free like the catalogue: only the demo modules themselves import torch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nn_demos.catalogue import DemoParamError, DemoSpec, ParamSpec, ParamValue

__all__ = [
    "CAPTION_BUDGET",
    "Demo",
    "DemoParamError",
    "DemoResult",
    "ProgressFn",
    "RunFn",
    "no_progress",
]

ProgressFn = Callable[[float, str], None]
"""Called with the finished fraction (0–1) and a short Persian stage text."""

# Our own aim, not Telegram's limit: a caption that reads on one phone screen. Demos with an
# optional line leave it out past this; the bot fits what it sends to Telegram's limit itself.
CAPTION_BUDGET = 950


def no_progress(fraction: float, stage: str) -> None:
    """A progress callback that ignores progress."""


@dataclass(frozen=True)
class DemoResult:
    """A finished demo: the picture, what to notice (Persian), and the measured numbers."""

    png: bytes
    caption: str
    metrics: dict[str, Any]

    def __post_init__(self) -> None:
        if not self.png.startswith(b"\x89PNG"):
            raise ValueError("png is not a PNG image")


RunFn = Callable[[dict[str, Any], ProgressFn], DemoResult]
"""Trains and plots, given every parameter already resolved by the catalogue."""


@dataclass(frozen=True)
class Demo:
    """A demo's catalogue entry and the function that runs it."""

    spec: DemoSpec
    run: RunFn = field(repr=False)

    @property
    def name(self) -> str:
        """The demo's name, as in `/demo NAME`."""
        return self.spec.name

    @property
    def title(self) -> str:
        """The Persian title."""
        return self.spec.title

    @property
    def summary(self) -> str:
        """The Persian one-line summary."""
        return self.spec.summary

    @property
    def params(self) -> tuple[ParamSpec, ...]:
        """The parameters, from the catalogue."""
        return self.spec.params

    def resolve(self, given: Mapping[str, object]) -> dict[str, ParamValue]:
        """Defaults overridden by `given`; DemoParamError names an unknown or invalid one."""
        return self.spec.resolve(given)
