"""Figures that read well on a phone, in Persian, drawn in a fraction of a second.

matplotlib >= 3.11 shapes right-to-left Persian text itself (no arabic-reshaper or
python-bidi, which would now reverse it). DejaVu Sans, bundled with matplotlib, has the
Persian glyphs.

Speed (a figure was half of a demo's time): margins are fixed in inches per figure instead of
a layout engine, which lays out every text in an extra pass before the real one; log axes get
no minor ticks (each tick is a few artists of its own); PNGs are written with zlib's fastest
level and without an alpha channel (a few percent larger, a fraction of the encoding time).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
from PIL import Image

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
DPI = 100
PNG_OPTIONS = {"compress_level": 1}


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


@dataclass(frozen=True)
class Margins:
    """Room around and between the axes of a grid, in inches: for titles, labels and ticks."""

    left: float = 1.0
    right: float = 0.3
    top: float = 0.5
    bottom: float = 0.8
    wspace: float = 1.0  # between columns
    hspace: float = 1.0  # between rows

    def gridspec(self, size: tuple[float, float], rows: int, cols: int) -> dict[str, float]:
        """The same room as matplotlib's subplot parameters (fractions of the figure)."""
        width, height = size
        axes_width = (width - self.left - self.right - (cols - 1) * self.wspace) / cols
        axes_height = (height - self.top - self.bottom - (rows - 1) * self.hspace) / rows
        return {
            "left": self.left / width,
            "right": 1 - self.right / width,
            "bottom": self.bottom / height,
            "top": 1 - self.top / height,
            "wspace": self.wspace / axes_width,
            "hspace": self.hspace / axes_height,
        }


def figure(
    rows: int = 1,
    cols: int = 1,
    size: tuple[float, float] = (8.0, 6.0),
    margins: Margins | None = None,
) -> tuple[Figure, Any]:
    """A figure with the phone style applied; returns (figure, axes array or axes)."""
    with plt.rc_context(PHONE_STYLE):
        fig, axes = plt.subplots(
            rows,
            cols,
            figsize=size,
            dpi=DPI,
            squeeze=rows * cols == 1,
            gridspec_kw=(margins or Margins()).gridspec(size, rows, cols),
        )
    return fig, axes


def blank_figure(size: tuple[float, float]) -> Figure:
    """A figure without axes, for grids placed by hand (`Margins.gridspec`)."""
    with plt.rc_context(PHONE_STYLE):
        return plt.figure(figsize=size, dpi=DPI)


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


def log_ticks(ax: Axes) -> None:
    """A log y axis without minor ticks; labels at 1, 2 and 5 × 10ⁿ when it spans < 2 decades.

    Call it once everything is drawn: it reads the axis range.
    """
    low, high = ax.get_ylim()
    few = np.log10(high / low) < 2
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if few else (1.0,)))
    ax.yaxis.set_minor_locator(NullLocator())


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (RGB: a phone shows it on white anyway); the figure is closed."""
    with plt.rc_context(PHONE_STYLE):
        fig.canvas.draw()
    rgba = Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    # No alpha channel: a quarter less to compress, and nothing in these figures is see-through.
    rgba.convert("RGB").save(buffer, format="PNG", **PNG_OPTIONS)
    plt.close(fig)
    return buffer.getvalue()


def warm_up() -> None:
    """Draw one small Persian figure: loads the fonts and the text shaper a first demo needs."""
    fig, ax = figure(1, 1, size=(2.0, 1.5))
    ax.plot([0.0, 1.0], [0.0, 1.0])
    ax.set_title("آماده")
    persian_axes(ax)
    to_png(fig)
