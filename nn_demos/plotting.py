"""Figures that read well on a phone, in Persian.

matplotlib >= 3.11 shapes right-to-left Persian text itself (no arabic-reshaper or
python-bidi, which would now reverse it). DejaVu Sans, bundled with matplotlib, has the
Persian glyphs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from nn_demos.persian import fa_number

PHONE_STYLE: Any = {  # rc keys; matplotlib types them as a Literal of every key
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "axes.titlesize": 14,
    "axes.labelsize": 12,
    "legend.fontsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
DPI = 110


def _persian_ticks(value: float, _position: int) -> str:
    if abs(value) >= 1000 or value == int(value):
        return fa_number(round(value))
    return fa_number(float(f"{value:.3g}"))


def persian_axes(ax: Axes, x: bool = True, y: bool = True) -> None:
    """Persian digits on the axis ticks."""
    formatter = FuncFormatter(_persian_ticks)
    if x:
        ax.xaxis.set_major_formatter(formatter)
    if y:
        ax.yaxis.set_major_formatter(formatter)


def figure(
    rows: int = 1, cols: int = 1, size: tuple[float, float] = (8.0, 6.0)
) -> tuple[Figure, Any]:
    """A figure with the phone style applied; returns (figure, axes array or axes)."""
    with plt.rc_context(PHONE_STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=size, dpi=DPI, squeeze=rows * cols == 1)
    fig.set_layout_engine("constrained")
    return fig, axes


def band(
    ax: Axes,
    x: Sequence[float] | np.ndarray,
    runs: np.ndarray,
    label: str,
    color: str | None = None,
    log: bool = False,
) -> None:
    """Mean of `runs` (seeds × steps) as a line, min–max over seeds as a shaded band."""
    mean = runs.mean(axis=0)
    line = ax.plot(x, mean, label=label, color=color, linewidth=2)[0]
    ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=line.get_color(), alpha=0.2)
    if log:
        ax.set_yscale("log")


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    buffer = io.BytesIO()
    with plt.rc_context(PHONE_STYLE):
        fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()
