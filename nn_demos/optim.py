"""Optimizers that update every model of a batch at once, each slice with its own rule.

The update rules follow torch.optim's formulas step for step (same defaults), so a batched run
equals training each model with torch.optim in a loop; a test holds them to 1e-5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adamax")

# torch.optim defaults, with the learning rates each optimizer is usually run at.
DEFAULT_LR = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.01,
    "rmsprop": 0.01,
    "adam": 0.001,
    "adamw": 0.001,
    "adamax": 0.002,
}


@dataclass
class Rule:
    """One optimizer applied to a contiguous slice of models."""

    kind: str
    models: slice
    lr: float
    weight_decay: float = 0.0
    state: list[dict[str, torch.Tensor]] = field(default_factory=list)
    step: int = 0

    def __post_init__(self) -> None:
        if self.kind not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.kind!r}")
        if self.kind == "adamw" and self.weight_decay == 0.0:
            self.weight_decay = 0.01  # torch.optim.AdamW's default


def torch_optimizer(
    kind: str, params: Any, lr: float, weight_decay: float = 0.0
) -> torch.optim.Optimizer:
    """The torch.optim optimizer a batched rule mirrors (for the equality test and loops)."""
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if kind == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if kind == "nesterov":
        return torch.optim.SGD(
            params, lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay
        )
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=weight_decay)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=weight_decay)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if kind == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay or 0.01)
    return torch.optim.Adamax(params, lr=lr, weight_decay=weight_decay)


class BatchedOptimizer:
    """Applies each rule to its slice of every parameter tensor."""

    def __init__(self, params: Sequence[torch.Tensor], rules: Sequence[Rule]) -> None:
        self.params = list(params)
        self.rules = list(rules)
        for rule in self.rules:
            rule.state = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Clear the gradients of every parameter."""
        for param in self.params:
            param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One update of every model by its own rule."""
        for rule in self.rules:
            rule.step += 1
            for index, param in enumerate(self.params):
                if param.grad is None:
                    continue
                _update(rule, rule.state[index], param[rule.models], param.grad[rule.models])


def _update(rule: Rule, state: dict[str, torch.Tensor], p: torch.Tensor, g: torch.Tensor) -> None:
    # `p` is a view into the batched parameter: in-place updates write through.
    kind, lr, wd, t = rule.kind, rule.lr, rule.weight_decay, rule.step
    if kind == "adamw":
        p.mul_(1 - lr * wd)
    elif wd:
        g = g + wd * p
    if kind in ("sgd", "momentum", "nesterov"):
        if kind != "sgd":
            buf = state.get("buf")
            buf = g.clone() if buf is None else buf.mul_(0.9).add_(g)
            state["buf"] = buf
            g = g + 0.9 * buf if kind == "nesterov" else buf
        p.add_(g, alpha=-lr)
    elif kind == "adagrad":
        total = state.setdefault("sum", torch.zeros_like(p))
        total.addcmul_(g, g)
        p.addcdiv_(g, total.sqrt().add_(1e-10), value=-lr)
    elif kind == "rmsprop":
        square = state.setdefault("square", torch.zeros_like(p))
        square.mul_(0.99).addcmul_(g, g, value=0.01)
        p.addcdiv_(g, square.sqrt().add_(1e-8), value=-lr)
    elif kind in ("adam", "adamw"):
        m = state.setdefault("m", torch.zeros_like(p))
        v = state.setdefault("v", torch.zeros_like(p))
        m.lerp_(g, 0.1)
        v.mul_(0.999).addcmul_(g, g, value=0.001)
        correction1 = 1 - 0.9**t
        correction2 = 1 - 0.999**t
        denominator = (v.sqrt() / correction2**0.5).add_(1e-8)
        p.addcdiv_(m, denominator, value=-lr / correction1)
    else:  # adamax
        m = state.setdefault("m", torch.zeros_like(p))
        u = state.setdefault("u", torch.zeros_like(p))
        m.lerp_(g, 0.1)
        torch.maximum(u.mul_(0.999), g.abs().add_(1e-8), out=u)
        p.addcdiv_(m, u, value=-lr / (1 - 0.9**t))
