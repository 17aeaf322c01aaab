"""Where demos train: CUDA when there is one, the CPU otherwise, or what the settings say."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


def pick_device(preference: str = "auto") -> torch.device:
    """`auto` picks CUDA when available; `cpu` or `cuda[:n]` force a device."""
    if preference == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(preference)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("DEMO_DEVICE asks for CUDA, but no GPU is available")
    return device


def demo_device() -> torch.device:
    """The device demos train on: DEMO_DEVICE from the environment (auto, cpu, cuda)."""
    import os

    return pick_device(os.environ.get("DEMO_DEVICE", "auto"))


@contextmanager
def one_thread() -> Iterator[None]:
    """torch's CPU kernels on one thread inside the block; the setting is restored after.

    Every demo runs this way (`registry.register` wraps its run). The tensors are tiny (a few
    dozen models × a few hundred points × 64 units at most): a second thread saves little even
    on an idle machine, and when another process keeps the other core busy, OpenMP's
    spin-waiting barriers made single training steps 100× slower (0.7 s instead of 5 ms,
    measured on this 2-core machine).
    """
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)
