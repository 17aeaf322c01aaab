"""Wall time of every demo at its defaults, and batched training against a per-model loop.

    .venv/bin/python bench/demos.py [--models 30] [--steps 300] [--size full|smoke] [--demos a,b]

`--size smoke` runs each demo once at the smallest parameters it accepts: it shows the script
works (the tests use it, with one demo) and its figures mean nothing. `--demos` names the
demos to time (default: all).

On a GPU host set DEMO_DEVICE=cuda (or leave the default, auto) and run the same command.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
    "dropout": {"seeds": "1", "steps": "200"},
    "gradients": {"seeds": "1"},
    "letters": {"samples": "40", "seeds": "1", "steps": "20"},
    "optimizers": {"seeds": "1", "steps": "50"},
}


def batched_training(models: int, steps: int, device: torch.device) -> float:
    """Seconds to train `models` MLPs as one batched model."""
    inputs = torch.linspace(-3, 3, 256, device=device).unsqueeze(1)
    targets = torch.sin(inputs)
    net = BatchedMLP.create(SIZES, list(range(models)), [torch.tanh], device=device)
    optimizer = BatchedOptimizer(net.parameters(), [Rule("adam", slice(0, models), 0.01)])
    began = time.perf_counter()
    for _ in range(steps):
        optimizer.zero_grad()
        per_model_mean((net.forward(inputs) - targets) ** 2).sum().backward()
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - began


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
    began = time.perf_counter()
    for _ in range(steps):
        for net, optimizer in zip(nets, optimizers, strict=True):
            optimizer.zero_grad()
            ((net(inputs) - targets) ** 2).mean().backward()
            optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - began


def main() -> None:
    """Print each figure, then one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=30)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--size", choices=("full", "smoke"), default="full")
    parser.add_argument("--demos", default=",".join(nn_demos.DEMOS), help="comma-separated")
    arguments = parser.parse_args()
    chosen = [name for name in arguments.demos.split(",") if name]
    unknown = sorted(set(chosen) - set(nn_demos.DEMOS))
    if unknown:
        parser.error(f"unknown demos: {', '.join(unknown)}")
    smoke = arguments.size == "smoke"
    device = demo_device()
    results: dict[str, float | str] = {"device": device.type}
    for name in chosen:
        params = SMOKE_PARAMS.get(name, {}) if smoke else {}
        if not smoke:
            nn_demos.run_demo(name)  # warm-up: first optimizer steps and font loading cost extra
        began = time.perf_counter()
        nn_demos.run_demo(name, params)
        results[f"{name}_s"] = round(time.perf_counter() - began, 2)
        print(f"{name}: {results[f'{name}_s']} s at {'its smallest' if smoke else 'its defaults'}")
    batched_training(2, 5, device)
    looped_training(2, 5, device)
    batched = batched_training(arguments.models, arguments.steps, device)
    looped = looped_training(arguments.models, arguments.steps, device)
    results.update(
        batched_s=round(batched, 2),
        looped_s=round(looped, 2),
        batched_speedup=round(looped / batched, 2),
    )
    print(
        f"{arguments.models} MLPs × {arguments.steps} steps: batched {batched:.2f} s, "
        f"loop {looped:.2f} s, speed-up {looped / batched:.2f}×"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
