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
    state: dict[str, list[torch.Tensor]] = field(default_factory=dict)
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
    """Applies each rule to its slice of every parameter tensor.

    A rule updates all its slices with one `torch._foreach_*` call per formula step (as
    torch.optim's foreach path does) instead of a Python loop over tensors: an update of a
    demo's tiny tensors is dominated by the per-call overhead, not by the arithmetic.
    """

    def __init__(self, params: Sequence[torch.Tensor], rules: Sequence[Rule]) -> None:
        self.params = list(params)
        self.rules = list(rules)
        models = range(int(self.params[0].shape[0]))
        # A rule over every model updates the tensors themselves (None), not views of them.
        self._slices = [None if models[rule.models] == models else rule.models for rule in rules]
        for rule in self.rules:
            rule.state = {}

    def zero_grad(self) -> None:
        """Clear the gradients of every parameter."""
        for param in self.params:
            param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One update of every model by its own rule."""
        grads = [param.grad for param in self.params if param.grad is not None]
        if len(grads) != len(self.params):
            raise RuntimeError("every parameter needs a gradient before a step")
        for rule, models in zip(self.rules, self._slices, strict=True):
            rule.step += 1
            if models is None:
                _update(rule, self.params, grads)
            else:
                _update(rule, [p[models] for p in self.params], [g[models] for g in grads])


def _zeros(state: dict[str, list[torch.Tensor]], key: str, like: list[torch.Tensor]) -> Any:
    if key not in state:
        state[key] = [torch.zeros_like(tensor) for tensor in like]
    return state[key]


def _update(rule: Rule, ps: list[torch.Tensor], gs: list[torch.Tensor]) -> None:
    # `ps` are the parameters or views into them: in-place updates write through. The
    # formulas are torch.optim's, step for step, so the results agree to rounding.
    kind, lr, wd, t, state = rule.kind, rule.lr, rule.weight_decay, rule.step, rule.state
    if kind == "adamw":
        torch._foreach_mul_(ps, 1 - lr * wd)
    elif wd:
        gs = list(torch._foreach_add(gs, ps, alpha=wd))
    if kind in ("sgd", "momentum", "nesterov"):
        if kind != "sgd":
            if "buf" not in state:
                state["buf"] = [g.clone() for g in gs]
            else:
                torch._foreach_mul_(state["buf"], 0.9)
                torch._foreach_add_(state["buf"], gs)
            bufs = state["buf"]
            gs = list(torch._foreach_add(gs, bufs, alpha=0.9)) if kind == "nesterov" else bufs
        torch._foreach_add_(ps, gs, alpha=-lr)
    elif kind == "adagrad":
        total = _zeros(state, "sum", ps)
        torch._foreach_addcmul_(total, gs, gs)
        std = torch._foreach_sqrt(total)
        torch._foreach_add_(std, 1e-10)
        torch._foreach_addcdiv_(ps, gs, std, value=-lr)
    elif kind == "rmsprop":
        square = _zeros(state, "square", ps)
        torch._foreach_mul_(square, 0.99)
        torch._foreach_addcmul_(square, gs, gs, value=0.01)
        avg = torch._foreach_sqrt(square)
        torch._foreach_add_(avg, 1e-8)
        torch._foreach_addcdiv_(ps, gs, avg, value=-lr)
    elif kind in ("adam", "adamw"):
        m, v = _zeros(state, "m", ps), _zeros(state, "v", ps)
        torch._foreach_lerp_(m, gs, 0.1)
        torch._foreach_mul_(v, 0.999)
        torch._foreach_addcmul_(v, gs, gs, value=0.001)
        correction1 = 1 - 0.9**t
        correction2 = 1 - 0.999**t
        denominator = torch._foreach_sqrt(v)
        torch._foreach_div_(denominator, correction2**0.5)
        torch._foreach_add_(denominator, 1e-8)
        torch._foreach_addcdiv_(ps, m, denominator, value=-lr / correction1)
    else:  # adamax
        m, u = _zeros(state, "m", ps), _zeros(state, "u", ps)
        torch._foreach_lerp_(m, gs, 0.1)
        torch._foreach_mul_(u, 0.999)
        bound = torch._foreach_abs(gs)
        torch._foreach_add_(bound, 1e-8)
        torch._foreach_maximum_(u, bound)
        torch._foreach_addcdiv_(ps, m, u, value=-lr / (1 - 0.9**t))
