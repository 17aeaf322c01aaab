"""Many small MLPs trained as one batched model: a leading model dimension on every tensor.

Every variant × seed of a demo is one slice of the same tensors, so one `torch.baddbmm` per
layer runs them all; a Python loop over models would be 3–4× slower on this CPU. Models that
share a seed index start from the same weights, so variants are compared from one start.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

Activation = Callable[[torch.Tensor], torch.Tensor]


def linear_init(seed: int, fan_in: int, fan_out: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights as `nn.Linear` draws them (uniform ±1/sqrt(fan_in)), from one seed.

    The weight is returned as (fan_in, fan_out), the transpose of nn.Linear's, ready for
    `x @ W`.
    """
    generator = torch.Generator().manual_seed(seed)
    bound = 1.0 / math.sqrt(fan_in)
    weight = (torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * bound
    bias = (torch.rand(fan_out, generator=generator) * 2 - 1) * bound
    return weight.T.contiguous(), bias


@dataclass
class BatchedMLP:
    """`models` MLPs of the same shape; parameters are (models, fan_in, fan_out) tensors."""

    weights: list[torch.Tensor]  # each (models, fan_in, fan_out)
    biases: list[torch.Tensor]  # each (models, 1, fan_out)
    activations: list[Activation]  # one per model group, see `groups`
    groups: list[slice]  # which models use which activation

    @classmethod
    def create(
        cls,
        sizes: Sequence[int],
        seeds: Sequence[int],
        activations: Sequence[Activation],
        device: torch.device | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> BatchedMLP:
        """len(activations) variants × len(seeds) models, variant-major.

        Model v*S + s uses activation v and the weights drawn from seeds[s]: every variant
        starts from the same initialisation for a given seed.
        """
        per_seed = [
            [
                linear_init(seed * 1000 + layer, fan_in, fan_out)
                for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes))
            ]
            for seed in seeds
        ]
        variants = len(activations)
        weights, biases = [], []
        for layer in range(len(sizes) - 1):
            w = torch.stack(
                [per_seed[s][layer][0] for _ in range(variants) for s in range(len(seeds))]
            )
            b = torch.stack(
                [per_seed[s][layer][1] for _ in range(variants) for s in range(len(seeds))]
            ).unsqueeze(1)
            weights.append(w.to(device, dtype).requires_grad_())
            biases.append(b.to(device, dtype).requires_grad_())
        seeds_n = len(seeds)
        groups = [slice(v * seeds_n, (v + 1) * seeds_n) for v in range(variants)]
        return cls(weights, biases, list(activations), groups)

    @property
    def models(self) -> int:
        """How many models the batch holds."""
        return int(self.weights[0].shape[0])

    def parameters(self) -> list[torch.Tensor]:
        """All parameter tensors, each with the model dimension first."""
        return [tensor for pair in zip(self.weights, self.biases, strict=True) for tensor in pair]

    def _activate(self, hidden: torch.Tensor) -> torch.Tensor:
        return activate(self, hidden)

    def forward(self, inputs: torch.Tensor, keep: list[torch.Tensor] | None = None) -> torch.Tensor:
        """Outputs (models, batch, out) for inputs (batch, in) or (models, batch, in).

        `keep`, when given, collects each hidden layer's pre-activation (for dead-unit and
        saturation statistics).
        """
        hidden = inputs if inputs.dim() == 3 else inputs.expand(self.models, *inputs.shape)
        last = len(self.weights) - 1
        for layer, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            hidden = torch.baddbmm(bias, hidden, weight)  # (models, batch, fan_out)
            if layer < last:
                if keep is not None:
                    keep.append(hidden)
                hidden = self._activate(hidden)
        return hidden


def activate(model: BatchedMLP, hidden: torch.Tensor) -> torch.Tensor:
    """Each variant's activation on its own models; hidden is (models, batch, width).

    `split` rather than one slice per group: its backward is a single concatenation, where
    each slice's backward would allocate and fill a zero tensor of the full size.
    """
    if len(model.activations) == 1:
        return model.activations[0](hidden)
    sizes = [group.stop - group.start for group in model.groups]
    parts = torch.split_with_sizes(hidden, sizes)
    return torch.cat([fn(part) for fn, part in zip(model.activations, parts, strict=True)])


def per_model_mean(loss: torch.Tensor) -> torch.Tensor:
    """Mean over every dimension but the first: one loss per model, shape (models,)."""
    return loss.reshape(loss.shape[0], -1).mean(dim=1)
