"""Activation functions: their shapes, their derivatives, and how one deep MLP trains with each.

Every chosen function × seed is one slice of a single batched MLP (4 hidden layers of 32) on a
two-spiral classification task; models with the same seed start from the same weights, so the
activation is the only difference. After training we look at each hidden unit's derivative on
the data: a sigmoid/tanh unit whose derivative is tiny is saturated, a ReLU unit whose
derivative is zero on every point is dead — neither passes gradient back.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - the usual torch alias
from matplotlib.ticker import FuncFormatter

from nn_demos.base import DemoResult, ProgressFn
from nn_demos.batched import Activation, BatchedMLP, per_model_mean
from nn_demos.device import demo_device
from nn_demos.optim import BatchedOptimizer, Rule
from nn_demos.persian import fa_number, fa_percent
from nn_demos.plotting import Margins, band, figure, log_ticks, persian_axes, to_png
from nn_demos.registry import register

FUNCTIONS: dict[str, Activation] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": F.leaky_relu,  # negative slope 0.01
    "elu": F.elu,
    "gelu": F.gelu,
    "silu": F.silu,
}
# Latin names are what learners meet in papers and code; the rest of the figure is Persian.
NAMES = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU",
}
COLORS = {
    "sigmoid": "tab:red",
    "tanh": "tab:orange",
    "relu": "tab:blue",
    "leaky_relu": "tab:cyan",
    "elu": "tab:purple",
    "gelu": "tab:green",
    "silu": "tab:brown",
}

HIDDEN = (32, 32, 32, 32)
POINTS = 128
LEARNING_RATE = 0.015  # Adam; large enough that the good activations finish within the steps
LOSS_TARGET = 0.1  # "trained": mean cross-entropy below this (it starts at log 2 ≈ 0.69)
# A unit "passes no gradient" where its derivative is below this. Leaky ReLU's negative side
# has derivative exactly 0.01, so it is (just) not counted: it never fully shuts off.
SMALL_DERIVATIVE = 0.01
DATA_SEED = 1234


def two_spirals(points: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spirals: inputs (points, 2) and 0/1 labels (points, 1)."""
    generator = torch.Generator().manual_seed(seed)
    turn = torch.rand(points, generator=generator) * 3 * math.pi + 0.5  # (points,)
    label = torch.randint(0, 2, (points,), generator=generator)  # (points,)
    angle = turn + label * math.pi  # the second spiral is the first one turned by 180°
    radius = 2 * turn / (3 * math.pi)
    inputs = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    inputs = inputs + 0.05 * torch.randn(points, 2, generator=generator)  # (points, 2)
    return inputs, label.float().unsqueeze(1)


def derivative(fn: Activation, at: torch.Tensor) -> torch.Tensor:
    """The elementwise derivative of `fn` at every entry of `at`, by autograd."""
    point = at.detach().requires_grad_()
    # fn is elementwise, so the gradient of the sum is the derivative at each entry.
    (grad,) = torch.autograd.grad(fn(point).sum(), point)
    return grad


def steps_to_target(curve: np.ndarray) -> int | None:
    """The first step (1-based) at which `curve` drops below LOSS_TARGET, or None."""
    below = np.flatnonzero(curve < LOSS_TARGET)
    return int(below[0]) + 1 if below.size else None


def run(params: dict[str, Any], progress: ProgressFn) -> DemoResult:
    """Train the same MLP with each activation and measure speed and dead/saturated units."""
    names: tuple[str, ...] = tuple(params["functions"])
    seeds = list(range(int(params["seeds"])))
    steps = int(params["steps"])
    device = demo_device()
    torch.manual_seed(0)  # nothing below draws from the global generator; belt and braces

    progress(0.1, "ساختن داده‌ی دو مارپیچ")
    inputs, labels = (tensor.to(device) for tensor in two_spirals(POINTS, DATA_SEED))
    model = BatchedMLP.create(
        (2, *HIDDEN, 1), seeds, [FUNCTIONS[name] for name in names], device=device
    )
    optimizer = BatchedOptimizer(
        model.parameters(), [Rule("adam", slice(0, model.models), LEARNING_RATE)]
    )
    targets = labels.expand(model.models, *labels.shape)  # (models, points, 1)

    progress(0.2, "آموزش شبکه با هر تابع")
    history = torch.empty(steps, model.models)  # (steps, models)
    report_every = max(1, steps // 4)
    for step in range(steps):
        optimizer.zero_grad()
        logits = model.forward(inputs)  # (models, points, 1)
        losses = per_model_mean(
            F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
        )  # (models,)
        # Models are independent: the summed loss gives each exactly its own gradient.
        torch.autograd.backward(losses.sum())  # (typed, unlike Tensor.backward)
        optimizer.step()
        history[step] = losses.detach().cpu()
        if (step + 1) % report_every == 0:
            progress(0.2 + 0.6 * (step + 1) / steps, "آموزش شبکه با هر تابع")

    # Derivative of every hidden unit at every data point, after training.
    keep: list[torch.Tensor] = []
    with torch.no_grad():
        final_logits = model.forward(inputs, keep)
    pre = torch.stack(keep)  # (layers, models, points, hidden)
    dead, saturated, mean_slope = [], [], []
    for name, group in zip(names, model.groups, strict=True):
        slope = derivative(FUNCTIONS[name], pre[:, group]).abs()  # (layers, seeds, points, hidden)
        small = slope < SMALL_DERIVATIVE
        dead.append(small.all(dim=2).float().mean().item())  # unit off on every point
        saturated.append(small.float().mean().item())  # (unit, point) pairs that are off
        mean_slope.append(slope.mean().item())
    accuracy = ((final_logits > 0).float() == targets).float().mean(dim=(1, 2))  # (models,)

    progress(0.9, "کشیدن نمودار")
    runs = history.numpy().reshape(steps, len(names), len(seeds))  # (steps, variants, seeds)
    mean_curves = runs.mean(axis=2)  # (steps, variants)
    reached = [steps_to_target(mean_curves[:, v]) for v in range(len(names))]
    final = [float(mean_curves[-1, v]) for v in range(len(names))]
    png = _plot(names, runs, dead, saturated, len(seeds))
    caption = _caption(names, reached, final, dead, saturated, mean_slope, steps)
    metrics: dict[str, Any] = {
        "functions": list(names),
        "final_loss": final,
        # -1 marks a function whose mean loss never went below LOSS_TARGET.
        "steps_to_target": [float(r) if r is not None else -1.0 for r in reached],
        "loss_target": LOSS_TARGET,
        "final_accuracy": [float(accuracy[group].mean().item()) for group in model.groups],
        "dead_unit_share": dead,
        "saturated_share": saturated,
        "mean_derivative": mean_slope,
    }
    return DemoResult(png=png, caption=caption, metrics=metrics)


def _log_tick(value: float, _position: int) -> str:
    # Plain decimals while they stay short; below that a power of ten (mathtext superscript).
    if value >= 0.001:
        return fa_number(float(f"{value:.3g}"))
    return f"$۱۰^{{{fa_number(round(math.log10(value)))}}}$"


def _plot(
    names: tuple[str, ...],
    runs: np.ndarray,
    dead: list[float],
    saturated: list[float],
    seeds: int,
) -> bytes:
    rotate = len(names) > 4  # long function lists get slanted names under the bars
    margins = Margins(left=0.95, right=0.2, top=0.75, bottom=1.15 if rotate else 0.8, wspace=1.0)
    fig, axes = figure(2, 2, size=(10.0, 8.6), margins=margins)
    fig.suptitle("تابع فعال‌سازی چه فرقی می‌کنه؟", fontsize=16)
    x = torch.linspace(-5, 5, 401)  # (points,)
    for name in names:
        fn = FUNCTIONS[name]
        axes[0, 0].plot(x, fn(x), color=COLORS[name], linewidth=2, label=NAMES[name])
        axes[0, 1].plot(x, derivative(fn, x), color=COLORS[name], linewidth=2)
    axes[0, 0].set_title("الف) خود تابع‌ها")
    axes[0, 0].set_ylim(-1.5, 3)
    axes[0, 0].legend(loc="upper left")
    axes[0, 1].set_title("ب) مشتق‌شون (با autograd)")
    axes[0, 1].axhline(0.25, color="gray", linestyle=":", linewidth=1)
    axes[0, 1].text(-5.2, 0.28, "سقف سیگموید: ۰٫۲۵", fontsize=10, color="gray", ha="left")
    axes[0, 1].set_ylim(-0.2, 1.3)
    for ax in axes[0]:
        ax.set_xlabel("ورودی واحد")

    steps_axis = np.arange(1, runs.shape[0] + 1)
    loss_ax = axes[1, 0]
    for v, name in enumerate(names):
        band(loss_ax, steps_axis, runs[:, v, :].T, NAMES[name], color=COLORS[name], log=True)
    loss_ax.axhline(LOSS_TARGET, color="gray", linestyle=":", linewidth=1)
    loss_ax.set_title(f"پ) خطای آموزش ({fa_number(seeds)} بذر)")
    loss_ax.set_xlabel("قدم آموزش")
    loss_ax.set_ylabel("خطا (مقیاس لگاریتمی)")

    bar_ax = axes[1, 1]
    positions = np.arange(len(names))
    bar_ax.bar(
        positions - 0.2,
        np.array(dead) * 100,
        0.4,
        color="black",
        label="واحد مرده: روی همه‌ی نمونه‌ها",
    )
    bar_ax.bar(
        positions + 0.2,
        np.array(saturated) * 100,
        0.4,
        color=[COLORS[name] for name in names],
        alpha=0.6,
        label="خاموش یا اشباع: به‌ازای هر نمونه",
    )
    bar_ax.set_xticks(
        positions,
        [NAMES[name] for name in names],
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor",
    )
    bar_ax.set_ylim(0, 100)
    bar_ax.set_title("ت) سهم مشتق‌های زیر ۰٫۰۱ (بعد از آموزش)")
    bar_ax.set_ylabel("درصد")
    bar_ax.legend(loc="upper left", fontsize=10)
    for ax in (axes[0, 0], axes[0, 1], loss_ax):
        persian_axes(ax)
    log_ticks(loss_ax)
    loss_ax.yaxis.set_major_formatter(FuncFormatter(_log_tick))
    persian_axes(bar_ax, x=False)  # keep the function names on its x axis
    return to_png(fig)


def _caption(
    names: tuple[str, ...],
    reached: list[int | None],
    final: list[float],
    dead: list[float],
    saturated: list[float],
    mean_slope: list[float],
    steps: int,
) -> str:
    # Fastest: fewest steps to the target; among those that never got there, lowest final loss.
    order = sorted(
        range(len(names)),
        key=lambda v: (reached[v] is None, reached[v] or 0, final[v]),
    )
    lines = []
    best, worst = order[0], order[-1]
    if reached[best] is not None:
        lines.append(
            f"می‌بینی که {NAMES[names[best]]} از همه زودتر یاد گرفت: میانگین خطاش بعد از "
            f"{fa_number(reached[best] or 0)} قدم زیر {fa_number(LOSS_TARGET)} رفت."
        )
    else:
        lines.append(
            f"می‌بینی که تو {fa_number(steps)} قدم هیچ‌کدوم به خطای {fa_number(LOSS_TARGET)} "
            f"نرسید؛ {NAMES[names[best]]} از همه جلوتر بود."
        )
    if len(names) > 1:
        if reached[worst] is None:
            slow = f"اصلاً به {fa_number(LOSS_TARGET)} نرسید"
        else:
            slow = f"{fa_number(reached[worst] or 0)} قدم لازم داشت"
        ratio = final[worst] / max(final[best], 1e-12)
        lines.append(
            f"کندترین، {NAMES[names[worst]]}، {slow}؛ خطای آخرش "
            f"{fa_number(float(f'{final[worst]:.2g}'))} بود، "
            f"حدود {fa_number(float(f'{ratio:.2g}'))} برابر {NAMES[names[best]]}."
        )
    lines.append(
        "بعد از آموزش، «مرده» یعنی واحدی که مشتقش روی همه‌ی نمونه‌ها زیر ۰٫۰۱ه و "
        "«خاموش/اشباع» سهم (واحد، نمونه)هاییه که مشتقشون زیر ۰٫۰۱ه:"
    )
    for v in order:
        lines.append(
            f"• {NAMES[names[v]]}: مرده {fa_percent(dead[v])}، خاموش/اشباع "
            f"{fa_percent(saturated[v])}، میانگین مشتق {fa_number(mean_slope[v], 2)}"
        )
    lines.append(
        "مشتق سیگموید هیچ‌وقت از ۰٫۲۵ بیشتر نیست، پس گرادیان تو هر لایه دست‌کم ۴ برابر "
        "کوچیک می‌شه؛ ReLU جایی که روشنه گرادیان رو کامل رد می‌کنه، ولی واحدی که روی همه‌ی "
        "داده خاموش بمونه دیگه هیچ‌وقت یاد نمی‌گیره."
    )
    return "\n".join(lines)


register("activations", run)
