"""Vanishing gradients: how big each layer's weight gradient is at initialisation, by depth.

Three variants × seeds are one batched model: a plain MLP with sigmoid, the same MLP with ReLU,
and a residual network with sigmoid inside. We backpropagate one loss at initialisation and
measure ‖∂loss/∂W‖ for every layer: in a plain deep net the gradient shrinks layer by layer on
its way back to the input, while an identity shortcut carries it through.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from nn_demos.base import DemoResult, ProgressFn
from nn_demos.batched import Activation, BatchedMLP, activate, per_model_mean
from nn_demos.device import demo_device
from nn_demos.persian import fa_number
from nn_demos.plotting import Margins, band, figure, persian_axes, to_png
from nn_demos.registry import register

# Fair comparison. Written with pre-activations z, a plain MLP is
#     z_1 = W_1 x + b_1,   z_l = W_l σ(z_{l-1}) + b_l,   output = z_L,
# and the residual variant is that very network plus an identity path on every square layer:
#     z_l = z_{l-1} + W_l σ(z_{l-1}) + b_l            (a pre-activation block, as in ResNet v2).
# It has the same widths, the same number of weight layers, the same sigmoid and — per seed —
# the same initial weights as the sigmoid MLP, so the shortcut is the only difference. Through a
# block ∂z_l/∂z_{l-1} = I + W_l·diag(σ'): the identity term carries the gradient back however
# small σ' (at most 0.25) makes the second term.
VARIANTS = ("sigmoid", "relu", "residual")
ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "residual": torch.sigmoid,
}
SKIP = {"sigmoid": 0.0, "relu": 0.0, "residual": 1.0}
LABELS = {
    # A Persian word first: matplotlib takes the text direction from the first letter. No
    # formula such as x + f(x) here: its closing parenthesis would be drawn on the wrong side.
    "sigmoid": "ساده، با سیگموید",
    "relu": "ساده، با ReLU",
    "residual": "باقیمانده‌ای (با میان‌بر)، با سیگموید",
}
COLORS = {"sigmoid": "tab:red", "relu": "tab:blue", "residual": "tab:green"}

WIDTH = 32
POINTS = 256
DATA_SEED = 4321


def regression_data(points: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (points, 2) from a normal distribution and a smooth target (points, 1)."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(points, 2, generator=generator)
    return inputs, torch.sin(2 * inputs[:, :1]) * torch.cos(inputs[:, 1:])


def residual_forward(model: BatchedMLP, skip: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """Outputs (models, batch, out); `skip` (models, 1, 1) is 1 for residual models, else 0.

    With skip 0 this is exactly `BatchedMLP.forward`: the same layers, grouped as
    z_l = skip·z_{l-1} + W_l σ(z_{l-1}) + b_l, so plain and residual models run as one batch.
    """
    last = len(model.weights) - 1
    hidden = torch.baddbmm(
        model.biases[0], inputs.expand(model.models, *inputs.shape), model.weights[0]
    )  # (models, batch, width): the first layer changes the width, so it has no shortcut
    for layer in range(1, last):
        branch = torch.baddbmm(model.biases[layer], activate(model, hidden), model.weights[layer])
        hidden = skip * hidden + branch  # (models, batch, width)
    return torch.baddbmm(model.biases[last], activate(model, hidden), model.weights[last])


def gradient_norms(depth: int, seeds: int) -> np.ndarray:
    """‖∂loss/∂W_l‖ at initialisation, shape (variants, seeds, layers)."""
    device = demo_device()
    # float64: with sigmoid at depth 30 the first layers' gradients (~1e-25 and below) would
    # underflow to exactly 0 in float32 and vanish from a log plot.
    model = BatchedMLP.create(
        (2, *([WIDTH] * (depth - 1)), 1),
        list(range(seeds)),
        [ACTIVATIONS[name] for name in VARIANTS],
        device=device,
        dtype=torch.float64,
    )
    skip = torch.tensor([SKIP[name] for name in VARIANTS], dtype=torch.float64, device=device)
    skip = skip.repeat_interleave(seeds).view(-1, 1, 1)  # (models, 1, 1), variant-major
    inputs, targets = (t.to(device, torch.float64) for t in regression_data(POINTS, DATA_SEED))
    outputs = residual_forward(model, skip, inputs)  # (models, points, 1)
    # Summing the per-model losses gives every model exactly its own gradient.
    torch.autograd.backward(per_model_mean((outputs - targets) ** 2).sum())
    norms = torch.stack(
        [weight.grad.norm(dim=(1, 2)) for weight in model.weights if weight.grad is not None],
        dim=1,
    )  # (models, layers)
    return norms.detach().cpu().numpy().reshape(len(VARIANTS), seeds, depth)


def fa_scale(value: float) -> str:
    """A positive number in words a learner reads at a glance: «۰٫۰۶» or «۱۰ به توان −۱۷»."""
    if value >= 0.01:
        return fa_number(float(f"{value:.2g}"))
    return f"۱۰ به توان {fa_number(round(math.log10(value)))}"


def run(params: dict[str, Any], progress: ProgressFn) -> DemoResult:
    """Measure every layer's gradient at initialisation for the three variants."""
    depth = int(params["depth"])
    seeds = int(params["seeds"])
    torch.manual_seed(0)  # nothing below draws from the global generator; belt and braces

    progress(0.1, "ساختن داده و شبکه‌ها")
    progress(0.3, "پس‌انتشار در همه‌ی شبکه‌ها")
    norms = gradient_norms(depth, seeds)  # (variants, seeds, layers)
    # Geometric means over seeds: the numbers span many orders of magnitude.
    ratios = np.exp(np.log(norms[:, :, 0] / norms[:, :, -1]).mean(axis=1))  # (variants,)
    # The first and last layers differ in shape (2 inputs, 1 output) as well as in depth, so
    # the per-layer factor compares the first and last hidden 32×32 layers only.
    hidden_ratios = np.exp(np.log(norms[:, :, 1] / norms[:, :, -2]).mean(axis=1))  # (variants,)
    per_layer = hidden_ratios ** (1 / (depth - 3))  # what one layer back multiplies it by

    progress(0.8, "کشیدن نمودار")
    png = _plot(norms, depth, seeds)
    # The residual net's middle layers (all but the 2-input first and 1-output last layer).
    middle = np.exp(np.log(norms[VARIANTS.index("residual"), :, 1:-1]).mean(axis=0))
    caption = _caption(ratios, per_layer, depth, (float(middle.min()), float(middle.max())))
    metrics: dict[str, Any] = {
        "variants": list(VARIANTS),
        "depth": float(depth),
        "first_to_last_ratio": [float(r) for r in ratios],
        "hidden_first_to_last_ratio": [float(r) for r in hidden_ratios],
        "per_layer_factor": [float(f) for f in per_layer],
        "residual_middle_range": [float(middle.min()), float(middle.max())],
    }
    for v, name in enumerate(VARIANTS):
        metrics[f"grad_norm_{name}"] = [float(x) for x in np.exp(np.log(norms[v]).mean(axis=0))]
    return DemoResult(png=png, caption=caption, metrics=metrics)


def _power_of_ten(exponent: float, _position: int) -> str:
    # Mathtext sets the Persian exponent as a superscript: ۱۰ with −۱۶ raised.
    return f"$۱۰^{{{fa_number(round(exponent))}}}$"


def _plot(norms: np.ndarray, depth: int, seeds: int) -> bytes:
    fig, ax = figure(1, 1, size=(9.0, 6.5), margins=Margins(top=0.45, right=0.35))
    layers = np.arange(1, depth + 1)
    for v, name in enumerate(VARIANTS):
        # log10 first, then average: the line is the geometric mean over seeds, which sits
        # inside the band on a log scale (an arithmetic mean would hug the largest seed).
        band(ax, layers, np.log10(norms[v]), LABELS[name], color=COLORS[name])
    ax.set_title(
        f"اندازه‌ی گرادیان هر لایه در شروع آموزش (عمق {fa_number(depth)}، {fa_number(seeds)} بذر)"
    )
    ax.set_xlabel("شماره‌ی لایه (۱ = کنار ورودی، آخری = خروجی)")
    ax.set_ylabel("اندازه‌ی گرادیان وزن‌های لایه")
    ax.legend(loc="lower right")
    ax.set_xlim(1, depth)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    persian_axes(ax, y=False)
    ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax.tick_params(axis="y", labelsize=14)  # superscripts are small on a phone
    return to_png(fig)


def _caption(
    ratios: np.ndarray, per_layer: np.ndarray, depth: int, middle: tuple[float, float]
) -> str:
    sigmoid, relu, residual = (VARIANTS.index(name) for name in ("sigmoid", "relu", "residual"))
    low, high = fa_scale(middle[0]), fa_scale(middle[1])
    spread = f"حدود {low}ه" if low == high else f"بین {low} و {high}ه"
    # In a shallow net ReLU's hidden layers barely shrink (or even grow) the gradient.
    if per_layer[relu] < 0.8:
        relu_verdict = "کمتر کوچیک می‌شه"
        relu_note = " (با مقداردهی پیش‌فرض PyTorch؛ مقداردهی He این ضریب رو به ۱ نزدیک می‌کنه)"
    else:
        relu_verdict = "تو این عمق بین لایه‌های پنهان تقریباً کوچیک نمی‌شه"
        relu_note = ""
    lines = [
        f"می‌بینی که تو شبکه‌ی ساده‌ی سیگمویدی با {fa_number(depth)} لایه، گرادیان لایه‌ی اول "
        f"حدود {fa_scale(ratios[sigmoid])} برابرِ گرادیان لایه‌ی آخره: هر لایه که به سمت "
        f"ورودی برمی‌گردی گرادیان تقریباً در {fa_number(float(per_layer[sigmoid]), 2)} ضرب "
        "می‌شه، چون مشتق سیگموید حداکثر ۰٫۲۵ه.",
        f"با ReLU {relu_verdict}: لایه‌ی اول {fa_scale(ratios[relu])} برابرِ آخری، هر لایه "
        f"ضرب در {fa_number(float(per_layer[relu]), 2)}{relu_note}.",
        "ولی همون شبکه‌ی سیگمویدی با میان‌بر x + f(x) ضریب هر لایه رو "
        f"{fa_number(float(per_layer[residual]), 2)} نگه می‌داره و گرادیان همه‌ی لایه‌های "
        f"پنهانش {spread}؛ لایه‌ی اولش هم {fa_scale(ratios[residual])} برابرِ آخریه، که بیشتر "
        "از شکلشون میاد (اولی فقط ۲ ورودی داره و آخری مستقیم به خطا وصله). "
        "مسیر همانی گرادیان رو بی‌کم‌وکاست به لایه‌های اول می‌رسونه.",
        "لایه‌هایی که گرادیانشون این‌قدر کوچیکه عملاً یاد نمی‌گیرن؛ برای همینه که شبکه‌های "
        "خیلی عمیق بدون میان‌بر سخت آموزش می‌بینن.",
    ]
    return "\n".join(lines)


register("gradients", run)
