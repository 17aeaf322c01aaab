"""Wall time of every demo at its defaults, side by side with a fixed reference workload.

    .venv/bin/python bench/demos.py [--runs 5] [--demos a,b] [--size full|smoke]
                                    [--models 30] [--steps 300]

torch runs on one thread, as in the demo workers. Each round times the reference workload and
then every chosen demo (the order alternates between rounds); the figures are medians over the
rounds. These machines are shared and noisy: a demo's wall time moves with the load, but the
ratio of a demo to the reference measured next to it moves much less, so the ratio is the
figure that repeats. `reference_s` says what one reference unit cost in this run.

`--size full` (the default) also compares batched training with a per-model loop of
torch.optim (`--models` MLPs × `--steps` steps, median of three side-by-side rounds).
`--size smoke` runs each demo once at the smallest parameters it accepts, without the loop
comparison (torch.optim's first step imports torch._dynamo, seconds on its own): it shows
that the script works, and its figures mean nothing. The last line is JSON.

On a GPU host set DEMO_DEVICE=cuda (or leave the default, auto) and run the same command.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import torch
from torch import nn

import nn_demos
from nn_demos.batched import BatchedMLP, per_model_mean
from nn_demos.device import demo_device
from nn_demos.optim import BatchedOptimizer, Rule

SIZES = [1, 64, 64, 1]

# The smallest run each demo accepts (one seed, the fewest steps and samples).
SMOKE_PARAMS: dict[str, dict[str, str]] = {
    "activations": {"seeds": "1", "steps": "50"},
    "dropout": {"seeds": "1", "steps": "100"},
    "gradients": {"seeds": "1", "depth": "5"},
    "letters": {"samples": "40", "seeds": "1", "steps": "20"},
    "optimizers": {"seeds": "1", "steps": "50"},
}


def reference() -> None:
    """A fixed piece of work like a demo's, in plain torch and matplotlib (never changed).

    It uses none of nn_demos, so making the demos faster does not move the yardstick: 150
    full-batch steps of 8 small MLPs by hand, then a 200-point line plot saved as a PNG.
    """
    generator = torch.Generator().manual_seed(0)
    inputs = torch.linspace(-2, 2, 128).unsqueeze(1)  # (points, 1)
    targets = torch.sin(3 * inputs)
    first = (torch.randn(8, 1, 32, generator=generator) * 0.5).requires_grad_()
    second = (torch.randn(8, 32, 1, generator=generator) * 0.2).requires_grad_()
    for _ in range(150):
        hidden = torch.tanh(torch.bmm(inputs.expand(8, -1, -1), first))  # (models, points, 32)
        loss = ((torch.bmm(hidden, second) - targets) ** 2).mean()
        grads = torch.autograd.grad(loss, [first, second])
        with torch.no_grad():
            for tensor, grad in zip((first, second), grads, strict=True):
                tensor.sub_(0.05 * grad)
    fig, ax = plt.subplots(figsize=(6.0, 4.0), dpi=100)
    x = torch.linspace(0, 10, 200)
    ax.plot(x, torch.sin(x), label="sin")
    ax.set_title("reference")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def seconds(work: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    began = time.perf_counter()
    work()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - began


def side_by_side(
    names: Sequence[str], params: dict[str, dict[str, str]], runs: int
) -> tuple[list[float], dict[str, list[tuple[float, float]]]]:
    """Reference times, and for each demo (its time, the reference's time in that round)."""
    jobs: list[tuple[str, Callable[[], object]]] = [
        (name, lambda name=name: nn_demos.run_demo(name, params.get(name, {}))) for name in names
    ]
    references: list[float] = []
    pairs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for round_ in range(runs):
        order = jobs if round_ % 2 == 0 else jobs[::-1]
        for name, job in order:
            # The reference right before each demo: the two meet the same load.
            yardstick = seconds(reference)
            references.append(yardstick)
            pairs[name].append((seconds(job), yardstick))
    return references, pairs


def batched_training(models: int, steps: int, device: torch.device) -> float:
    """Seconds to train `models` MLPs as one batched model."""
    inputs = torch.linspace(-3, 3, 256, device=device).unsqueeze(1)
    targets = torch.sin(inputs)
    net = BatchedMLP.create(SIZES, list(range(models)), [torch.tanh], device=device)
    optimizer = BatchedOptimizer(net.parameters(), [Rule("adam", slice(0, models), 0.01)])

    def train() -> None:
        for _ in range(steps):
            optimizer.zero_grad()
            per_model_mean((net.forward(inputs) - targets) ** 2).sum().backward()
            optimizer.step()

    return seconds(train)


def looped_training(models: int, steps: int, device: torch.device) -> float:
    """Seconds to train the same models one after another with torch.optim."""
    inputs = torch.linspace(-3, 3, 256, device=device).unsqueeze(1)
    targets = torch.sin(inputs)
    nets = [
        nn.Sequential(
            nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1)
        ).to(device)
        for _ in range(models)
    ]
    optimizers = [torch.optim.Adam(net.parameters(), lr=0.01) for net in nets]

    def train() -> None:
        for _ in range(steps):
            for net, optimizer in zip(nets, optimizers, strict=True):
                optimizer.zero_grad()
                ((net(inputs) - targets) ** 2).mean().backward()
                optimizer.step()

    return seconds(train)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Print each figure, then one JSON line (also returned)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="rounds (the medians are over them)")
    parser.add_argument("--models", type=int, default=30)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--size", choices=("full", "smoke"), default="full")
    parser.add_argument("--demos", default=",".join(nn_demos.DEMOS), help="comma-separated")
    arguments = parser.parse_args(argv)
    chosen = [name for name in arguments.demos.split(",") if name]
    unknown = sorted(set(chosen) - set(nn_demos.DEMOS))
    if unknown:
        parser.error(f"unknown demos: {', '.join(unknown)}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the demo workers run; a second thread only adds noise here
    try:
        return _measure(arguments, chosen)
    finally:
        torch.set_num_threads(threads)  # as it was, for a caller in the same process


def _measure(arguments: argparse.Namespace, chosen: list[str]) -> dict[str, Any]:
    smoke = arguments.size == "smoke"
    runs = 1 if smoke else arguments.runs
    device = demo_device()
    params = SMOKE_PARAMS if smoke else {}

    if not smoke:  # warm-up, not timed: the first run of each loads fonts and fills caches
        reference()
        for name in chosen:
            nn_demos.run_demo(name)
    references, pairs = side_by_side(chosen, params, runs)
    reference_s = statistics.median(references)
    results: dict[str, Any] = {
        "device": device.type,
        "threads": torch.get_num_threads(),
        "runs": runs,
        "size": arguments.size,
        "reference_s": round(reference_s, 3),
        "demos": {},
    }
    at = "its smallest parameters" if smoke else "its defaults"
    print(f"reference workload: median {reference_s:.3f} s over {len(references)} runs")
    for name in chosen:
        times = [demo for demo, _ in pairs[name]]
        ratio = statistics.median(demo / yardstick for demo, yardstick in pairs[name])
        figures = {
            "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3),
            "max_s": round(max(times), 3),
            "ratio": round(ratio, 2),
        }
        results["demos"][name] = figures
        print(
            f"{name}: median {figures['median_s']} s at {at} over {runs} runs "
            f"(min {figures['min_s']}, max {figures['max_s']}), {figures['ratio']}× the reference"
        )
    if not smoke:
        batched_training(2, 5, device)  # warm-up of both paths (and torch.optim's imports)
        looped_training(2, 5, device)
        rounds = [
            (
                batched_training(arguments.models, arguments.steps, device),
                looped_training(arguments.models, arguments.steps, device),
            )
            for _ in range(3)
        ]
        batched = statistics.median(b for b, _ in rounds)
        looped = statistics.median(loop for _, loop in rounds)
        speedup = statistics.median(loop / b for b, loop in rounds)
        results.update(
            batched_s=round(batched, 2),
            looped_s=round(looped, 2),
            batched_speedup=round(speedup, 2),
        )
        print(
            f"{arguments.models} MLPs × {arguments.steps} steps: batched {batched:.2f} s, "
            f"loop {looped:.2f} s, speed-up {speedup:.2f}× (median of 3 rounds)"
        )
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
