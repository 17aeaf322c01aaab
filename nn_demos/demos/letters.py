"""Telling the Persian letters ب، ک، ص apart from 10×10 grey images with a small MLP.

The images are rendered from DejaVu Sans (bundled with matplotlib), jittered a little (shift,
scale, rotation) and covered in Gaussian noise, all from one fixed generator; every seed's MLP
trains as one slice of a single batched model.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont
from torch.nn import functional

from nn_demos import catalogue
from nn_demos.base import DemoResult, ProgressFn
from nn_demos.batched import BatchedMLP, per_model_mean
from nn_demos.device import demo_device
from nn_demos.optim import BatchedOptimizer, Rule
from nn_demos.persian import fa_number, fa_percent
from nn_demos.plotting import PHONE_STYLE, Margins, band, blank_figure, persian_axes, to_png
from nn_demos.registry import register

LETTERS = ("ب", "ک", "ص")
SIDE = 10  # the images the network sees are SIDE × SIDE
BIG = 40  # letters are rendered and jittered at BIG × BIG, then averaged down to SIDE × SIDE
DATA_SEED = 1403  # one fixed generator for the images, so every run sees the same data
LEARNING_RATE = 0.003  # slow enough that the curve shows learning, not a step
MAX_JITTER_DEGREES = 10.0
MAX_JITTER_SCALE = 0.1  # ±10 % size
MAX_SHIFT_PIXELS = 1.0  # in 10×10 pixels
VALIDATION_SHARE = 0.25
SHOWN_SAMPLES = 6
# The std of the Gaussian noise a learner may pick (letter pixels are at most 1).
NOISE_LEVELS = tuple(float(level) for level in catalogue.get("letters").param_choices("noise"))


@cache
def letter_templates() -> np.ndarray:
    """The three letters, isolated form, each centred and filling a BIG × BIG frame in [0, 1].

    Shape (3, BIG, BIG). The glyphs are drawn large with a thick outline first, so after the
    4× downsampling a stroke is still about two pixels wide instead of a faint one.
    """
    path = font_manager.findfont("DejaVu Sans")
    # BASIC layout: one isolated letter needs no shaping, and it keeps libraqm out of the data.
    font = ImageFont.truetype(path, 120, layout_engine=ImageFont.Layout.BASIC)
    frames = []
    for letter in LETTERS:
        canvas = Image.new("L", (220, 220), 0)
        ImageDraw.Draw(canvas).text(
            (40, 20), letter, fill=255, font=font, stroke_width=4, stroke_fill=255
        )
        glyph = canvas.crop(canvas.getbbox())
        # Keep the aspect ratio; the longer side fills the frame but for a 2-pixel margin.
        scale = (BIG - 4) / max(glyph.size)
        size = (max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale)))
        glyph = glyph.resize(size, Image.Resampling.LANCZOS)
        frame = Image.new("L", (BIG, BIG), 0)
        frame.paste(glyph, ((BIG - size[0]) // 2, (BIG - size[1]) // 2))
        frames.append(np.asarray(frame, dtype=np.float32) / 255.0)
    return np.stack(frames)


def make_images(
    per_letter: int, noise: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`per_letter` jittered images of each letter: clean and noisy (n, SIDE, SIDE), labels (n,)."""
    templates = torch.from_numpy(letter_templates())  # (3, BIG, BIG)
    labels = torch.arange(len(LETTERS)).repeat_interleave(per_letter)  # (n,)
    count = labels.shape[0]

    def uniform(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=generator) * 2 - 1  # in [-1, 1]

    angle = uniform(count) * math.radians(MAX_JITTER_DEGREES)
    scale = 1 + uniform(count) * MAX_JITTER_SCALE
    # affine_grid works in [-1, 1] coordinates: one small pixel is 2 / SIDE of them.
    shift = uniform(count, 2) * MAX_SHIFT_PIXELS * 2 / SIDE
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    )  # (n, 2, 3): where each output pixel samples the template
    grid = functional.affine_grid(theta, [count, 1, BIG, BIG], align_corners=False)
    big = functional.grid_sample(templates[labels].unsqueeze(1), grid, align_corners=False)
    small = functional.avg_pool2d(big, BIG // SIDE).squeeze(1)  # (n, SIDE, SIDE), each pixel a mean
    noisy = small + noise * torch.randn(small.shape, generator=generator)
    return small, noisy, labels


def validation_mask(labels: torch.Tensor, per_letter: int) -> torch.Tensor:
    """True for the validation images: the same share of every letter, (n,) booleans."""
    held = max(1, round(per_letter * VALIDATION_SHARE))
    position = torch.arange(labels.shape[0]) % per_letter  # index within the letter's block
    return position >= per_letter - held  # the jitter is random, so the last ones will do


def confusion(true: torch.Tensor, predicted: torch.Tensor) -> np.ndarray:
    """Counts (true letter, predicted letter), shape (3, 3)."""
    classes = len(LETTERS)
    flat = true * classes + predicted
    counts = torch.bincount(flat, minlength=classes * classes)
    return counts.reshape(classes, classes).cpu().numpy()


def run(params: dict[str, Any], progress: ProgressFn) -> DemoResult:
    """Train `seeds` MLPs 100 → hidden → 3 on noisy letter images and show what they learned."""
    noise = float(params["noise"])
    hidden = int(params["hidden"])
    per_letter = int(params["samples"])
    seeds = int(params["seeds"])
    steps = int(params["steps"])
    device = demo_device()

    progress(0.1, "ساختن تصویرهای حرف‌ها")
    generator = torch.Generator().manual_seed(DATA_SEED)
    clean, images, labels = make_images(per_letter, noise, generator)
    is_val = validation_mask(labels, per_letter)
    train_x, train_y = images[~is_val], labels[~is_val]
    val_x, val_y = images[is_val], labels[is_val]
    train_in = train_x.reshape(train_x.shape[0], -1).to(device)  # (train, 100)
    val_in = val_x.reshape(val_x.shape[0], -1).to(device)  # (val, 100)
    train_t, val_t = train_y.to(device), val_y.to(device)

    model = BatchedMLP.create(
        [SIDE * SIDE, hidden, len(LETTERS)], range(seeds), [torch.relu], device
    )
    optimizer = BatchedOptimizer(
        model.parameters(), [Rule("adam", slice(0, model.models), LEARNING_RATE)]
    )
    every = max(1, steps // 40)  # about 40 points on the curve, whatever `steps` is
    checked: list[int] = []
    val_curve: list[torch.Tensor] = []  # each (models,)
    train_curve: list[torch.Tensor] = []
    targets = train_t.repeat(model.models)  # (models * train,)
    # Training and validation images in one forward pass for the two accuracy curves.
    both_in, both_t = torch.cat([train_in, val_in]), torch.cat([train_t, val_t])
    n_train = train_in.shape[0]

    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            checked.append(step)
            with torch.no_grad():
                right = (model.forward(both_in).argmax(dim=2) == both_t).float()  # (models, n)
            train_curve.append(right[:, :n_train].mean(dim=1))  # (models,)
            val_curve.append(right[:, n_train:].mean(dim=1))
            progress(0.2 + 0.6 * step / steps, "آموزش شبکه‌ها")
        if step == steps:
            break
        logits = model.forward(train_in)  # (models, train, 3)
        loss = functional.cross_entropy(logits.reshape(-1, len(LETTERS)), targets, reduction="none")
        optimizer.zero_grad()
        # The models are independent, so the sum gives each its own gradient.
        torch.autograd.backward(per_model_mean(loss.reshape(model.models, -1)).sum())
        optimizer.step()

    val_runs = torch.stack(val_curve, dim=1).cpu().numpy()  # (models, checks)
    train_runs = torch.stack(train_curve, dim=1).cpu().numpy()
    final = val_runs[:, -1]
    median = int(np.argsort(final, kind="stable")[(seeds - 1) // 2])
    with torch.no_grad():
        predicted = model.forward(val_in).argmax(dim=2)[median]  # (val,)
    counts = confusion(val_t, predicted)
    pair, pair_count = most_confused(counts)

    progress(0.9, "کشیدن نمودار")
    fig = draw(
        checked,
        val_runs,
        train_runs,
        counts,
        (clean[is_val], val_x),
        val_y,
        predicted.cpu(),
        title=f"تشخیص ب، ک، ص در تصویر ۱۰×۱۰ با نویز {fa_number(noise)}",
    )
    png = to_png(fig)
    metrics: dict[str, Any] = {
        "val_accuracy": [float(value) for value in final],
        "val_accuracy_mean": float(final.mean()),
        "train_accuracy_mean": float(train_runs[:, -1].mean()),
        "median_seed": median,
        "confusion": [[int(value) for value in row] for row in counts],
        "most_confused": f"{LETTERS[pair[0]]}-{LETTERS[pair[1]]}",
        "most_confused_count": pair_count,
        "val_size": int(val_y.shape[0]),
    }
    return DemoResult(png, caption(metrics, noise, hidden, seeds), metrics)


def most_confused(counts: np.ndarray) -> tuple[tuple[int, int], int]:
    """The pair of letters mixed up most often (either direction) and how many times."""
    pairs = [(a, b) for a in range(len(LETTERS)) for b in range(a + 1, len(LETTERS))]
    mixed = [int(counts[a, b] + counts[b, a]) for a, b in pairs]
    best = int(np.argmax(mixed))  # the first pair wins ties, so the answer is deterministic
    return pairs[best], mixed[best]


def caption(metrics: dict[str, Any], noise: float, hidden: int, seeds: int) -> str:
    """The Persian caption: accuracy over seeds, the gap to training, the most confused pair."""
    accuracies = metrics["val_accuracy"]
    first, second = metrics["most_confused"].split("-")
    times = f"{fa_number(seeds)} بار با بذرهای (seed) مختلف" if seeds > 1 else "یک بار"
    spread = ""
    if seeds > 1 and min(accuracies) == max(accuracies):
        spread = f" (با هر {fa_number(seeds)} بذر همین‌قدر)"
    elif seeds > 1:
        spread = f" (از {fa_percent(min(accuracies))} تا {fa_percent(max(accuracies))} بین بذرها)"
    text = (
        f"یه MLP با {fa_number(hidden)} نورون پنهان رو {times} روی تصویرهای ۱۰×۱۰ "
        f"با نویز {fa_number(noise)} آموزش دادیم.\n"
        f"می‌بینی که دقت روی دادهٔ اعتبارسنجی به {fa_percent(metrics['val_accuracy_mean'])} "
        f"رسیده{spread}؛ "
        "حدس شانسی فقط ۳۳٫۳٪ می‌شد.\n"
        f"دقت روی دادهٔ آموزش {fa_percent(metrics['train_accuracy_mean'])} شده؛ "
        "فاصلهٔ این دو یعنی شبکه چقدر نویزِ خودِ نمونه‌های آموزش رو حفظ کرده.\n"
    )
    if metrics["most_confused_count"]:
        text += (
            f"توی ماتریس درهم‌ریختگیِ اجرای میانه، «{first}» و «{second}» "
            "بیشتر از همه با هم قاطی شدن: "
            f"{fa_number(metrics['most_confused_count'])} بار از "
            f"{fa_number(metrics['val_size'])} تصویر.\n"
        )
    else:
        text += "توی ماتریس درهم‌ریختگیِ اجرای میانه هیچ اشتباهی نیست.\n"
    if noise < max(NOISE_LEVELS):
        text += "نویز رو بیشتر کن تا ببینی دقت چقدر پایین میاد و کدوم حرف‌ها قاطی می‌شن."
    else:
        text += "نمونه‌ها رو بیشتر کن تا ببینی فاصلهٔ آموزش و اعتبارسنجی کم میشه یا نه."
    return text


def draw(
    checked: list[int],
    val_runs: np.ndarray,
    train_runs: np.ndarray,
    counts: np.ndarray,
    val_images: tuple[torch.Tensor, torch.Tensor],
    val_y: torch.Tensor,
    predicted: torch.Tensor,
    title: str,
) -> Figure:
    """Accuracy curves, the confusion matrix and a few images with their predictions."""
    size = (8.5, 10.0)
    fig = blank_figure(size)
    with plt.rc_context(PHONE_STYLE):  # the style of the axes made here
        # Two grids, so the matrix's letter ticks don't push the sample images apart.
        plots = Margins(left=0.9, right=0.25, top=0.95, bottom=4.35, wspace=1.3)
        grid = fig.add_gridspec(1, 2, **plots.gridspec(size, 1, 2))
        curve_ax, matrix_ax = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
        # The sample pictures: the bottom 3.5 inches, room on the right for the row labels.
        sample_ax = fig.add_axes((0.1 / size[0], 0.05 / size[1], 7.95 / size[0], 3.5 / size[1]))
        band(curve_ax, checked, val_runs, "اعتبارسنجی")
        band(curve_ax, checked, train_runs, "آموزش")
        curve_ax.axhline(1 / 3, color="grey", linestyle=":", label="حدس شانسی")
        curve_ax.set_ylim(0, 1.03)
        curve_ax.set_xlabel("گام آموزش")
        curve_ax.set_ylabel("دقت")
        curve_ax.set_title("دقت در طول آموزش")
        curve_ax.legend(loc="lower right")
        persian_axes(curve_ax)
        draw_matrix(matrix_ax, counts)
        draw_samples(sample_ax, val_images, val_y, predicted)
        fig.suptitle(title, fontsize=15)
    return fig


def draw_matrix(ax: Axes, counts: np.ndarray) -> None:
    """The confusion matrix with Persian letters on the axes and Persian counts in the cells."""
    ax.imshow(counts, cmap="Blues", vmin=0)
    ax.grid(False)
    peak = max(int(counts.max()), 1)
    for row in range(counts.shape[0]):
        for col in range(counts.shape[1]):
            value = int(counts[row, col])
            colour = "white" if value > peak / 2 else "black"
            ax.text(col, row, fa_number(value), ha="center", va="center", fontsize=16, color=colour)
    ticks = range(len(LETTERS))
    ax.set_xticks(ticks, LETTERS, fontsize=18)
    ax.set_yticks(ticks, LETTERS, fontsize=18)
    ax.set_xlabel("حدس مدل")
    ax.set_ylabel("حرف واقعی")
    ax.set_title("ماتریس درهم‌ریختگی\n(اجرای با دقت میانه)")


def pick_samples(val_y: torch.Tensor, predicted: torch.Tensor, count: int) -> list[int]:
    """Which validation images to show: a couple of mistakes, then each letter in turn."""
    shown = torch.nonzero(predicted != val_y).flatten().tolist()[: count // 3]
    queues = [
        [i for i in range(val_y.shape[0]) if int(val_y[i]) == letter and i not in shown]
        for letter in range(len(LETTERS))
    ]
    letter = 0
    while len(shown) < count and any(queues):
        if queues[letter]:
            shown.append(queues[letter].pop(0))
        letter = (letter + 1) % len(LETTERS)
    return shown


def sample_mosaic(clean: np.ndarray, noisy: np.ndarray, gap: int, row_gap: int) -> np.ndarray:
    """The sample images (n, SIDE, SIDE) as one picture: clean on top, noisy below, right to left.

    Gaps are NaN (drawn as paper). Every noisy image is stretched to [0, 1] on its own, as
    imshow would scale it alone, so its contrast does not depend on its neighbours.
    """
    count = clean.shape[0]
    low = noisy.min(axis=(1, 2), keepdims=True)
    high = noisy.max(axis=(1, 2), keepdims=True)
    stretched = (noisy - low) / np.maximum(high - low, 1e-12)
    width = count * SIDE + (count - 1) * gap
    mosaic = np.full((2 * SIDE + row_gap, width), np.nan)
    for place in range(count):
        # Persian reads right to left: the first sample goes in the rightmost column.
        x = width - (place + 1) * SIDE - place * gap
        mosaic[:SIDE, x : x + SIDE] = clean[place]
        mosaic[SIDE + row_gap :, x : x + SIDE] = stretched[place]
    return mosaic


def draw_samples(
    ax: Axes,
    val_images: tuple[torch.Tensor, torch.Tensor],
    val_y: torch.Tensor,
    predicted: torch.Tensor,
) -> None:
    """Sample images: without noise on top, as the network sees them below, with its guess.

    One image in one axes rather than an axes per sample: a dozen axes cost more to build and
    draw than the rest of the figure.
    """
    clean, noisy = val_images
    shown = pick_samples(val_y, predicted, SHOWN_SAMPLES)
    gap, row_gap, head = 2, 6, 5  # in image pixels: between samples, rows, and above
    mosaic = sample_mosaic(clean[shown].numpy(), noisy[shown].numpy(), gap, row_gap)
    height, width = mosaic.shape
    # Dark ink on white paper: the letter is the bright value in the data.
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    frames = []
    for place, index in enumerate(shown):
        x = width - (place + 1) * SIDE - place * gap - 0.5  # the cell's left edge
        for y in (-0.5, SIDE + row_gap - 0.5):
            frames.append([(x, y), (x + SIDE, y), (x + SIDE, y + SIDE), (x, y + SIDE), (x, y)])
        true, guess = LETTERS[int(val_y[index])], LETTERS[int(predicted[index])]
        middle = x + SIDE / 2
        ax.text(middle, -1, true, ha="center", va="bottom", fontsize=16)
        colour = "tab:green" if true == guess else "tab:red"
        ax.text(
            middle,
            SIDE + row_gap - 1,
            f"مدل: {guess}",
            ha="center",
            va="bottom",
            color=colour,
            fontsize=14,
        )
    ax.add_collection(LineCollection(frames, colors="grey", linewidths=1))
    for row, label in ((SIDE / 2, "بی‌نویز"), (SIDE + row_gap + SIDE / 2, "ورودی شبکه")):
        ax.text(width + 0.5, row, label, rotation=90, ha="left", va="center", fontsize=12)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5 - head)
    ax.set_axis_off()


register("letters", run)
