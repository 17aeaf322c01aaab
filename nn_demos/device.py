"""Where demos train: CUDA when there is one, the CPU otherwise, or what the settings say."""

from __future__ import annotations

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
