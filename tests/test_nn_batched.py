"""Batched models and optimizers equal a per-model loop with torch.optim, within 1e-5."""

import pytest
import torch
from torch import nn

from nn_demos.batched import BatchedMLP, per_model_mean
from nn_demos.optim import OPTIMIZERS, BatchedOptimizer, Rule, torch_optimizer
from tests.nn_threads import one_torch_thread  # noqa: F401 - autouse: one torch thread

SIZES = [2, 16, 16, 1]
SEEDS = [0, 1, 2]


def looped_model(batched: BatchedMLP, model: int, activation: nn.Module) -> nn.Sequential:
    layers: list[nn.Module] = []
    for index, (weight, bias) in enumerate(zip(batched.weights, batched.biases, strict=True)):
        linear = nn.Linear(weight.shape[1], weight.shape[2], dtype=weight.dtype)
        with torch.no_grad():
            linear.weight.copy_(weight[model].T)
            linear.bias.copy_(bias[model, 0])
        layers.append(linear)
        if index < len(batched.weights) - 1:
            layers.append(activation)
    return nn.Sequential(*layers)


def data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(7)
    inputs = torch.randn(64, 2, generator=generator)
    return inputs, torch.sin(inputs[:, :1] * 2) + inputs[:, 1:] ** 2


def test_variants_share_their_initialisation_per_seed() -> None:
    batched = BatchedMLP.create(SIZES, SEEDS, [torch.relu, torch.tanh])
    weights = batched.weights[0]
    assert torch.equal(weights[0], weights[3])  # relu seed 0 == tanh seed 0
    assert not torch.equal(weights[0], weights[1])  # different seeds differ


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_batched_training_equals_a_loop_with_torch_optim(kind: str) -> None:
    torch.manual_seed(0)
    activations = [torch.relu, torch.tanh]
    modules = [nn.ReLU(), nn.Tanh()]
    # float64: Adagrad's first step turns a 1e-9 gradient into a full step, so float32
    # rounding differences between baddbmm and addmm would be amplified, not the algorithm.
    batched = BatchedMLP.create(SIZES, SEEDS, activations, dtype=torch.float64)
    loops = [looped_model(batched, m, modules[m // len(SEEDS)]) for m in range(batched.models)]
    lr = 0.05 if kind in ("sgd", "momentum", "nesterov", "adagrad") else 0.01
    optimizer = BatchedOptimizer(
        batched.parameters(), [Rule(kind, slice(0, batched.models), lr, weight_decay=0.001)]
    )
    loop_optimizers = [torch_optimizer(kind, model.parameters(), lr, 0.001) for model in loops]
    inputs, targets = (tensor.double() for tensor in data())
    for _ in range(25):
        optimizer.zero_grad()
        losses = per_model_mean((batched.forward(inputs) - targets) ** 2)
        losses.sum().backward()
        optimizer.step()
        looped = []
        for model, loop_optimizer in zip(loops, loop_optimizers, strict=True):
            loop_optimizer.zero_grad()
            loss = ((model(inputs) - targets) ** 2).mean()
            loss.backward()
            loop_optimizer.step()
            looped.append(loss.item())
        assert losses.detach().tolist() == pytest.approx(looped, abs=1e-5)
    for model_index, model in enumerate(loops):
        assert torch.allclose(batched.weights[0][model_index].T, model[0].weight, atol=1e-5)


def test_each_slice_follows_its_own_rule() -> None:
    batched = BatchedMLP.create(SIZES, [0], [torch.relu, torch.relu])
    optimizer = BatchedOptimizer(
        batched.parameters(),
        [
            Rule("sgd", slice(0, 1), 0.1),
            Rule("adam", slice(1, 2), 0.1),
        ],
    )
    inputs, targets = data()
    per_model_mean((batched.forward(inputs) - targets) ** 2).sum().backward()
    before = batched.weights[0].detach().clone()
    optimizer.step()
    change = (batched.weights[0].detach() - before).abs().amax(dim=(1, 2))
    assert change[1] == pytest.approx(0.1, rel=1e-3)  # Adam's first step moves by about lr
    assert change[0] != pytest.approx(0.1, rel=1e-3)
