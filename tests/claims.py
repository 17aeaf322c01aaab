"""Recompute the numeric facts quizzes claim, with torch and numpy.

Each function takes the claim's arguments and returns the true value; the kinds and argument
names are documented in content/README.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

ACTIVATIONS: dict[str, Callable[..., torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x, negative_slope=0.01: functional.leaky_relu(x, negative_slope),
    "elu": lambda x, alpha=1.0: functional.elu(x, alpha),
    "gelu": functional.gelu,
    "silu": functional.silu,
}


def parameter_count(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def _activation(function: str, **options: float) -> Callable[[torch.Tensor], torch.Tensor]:
    base = ACTIVATIONS[function]
    return lambda x: base(x, **options)


def activation_value(function: str, x: float, **options: float) -> float:
    return float(_activation(function, **options)(torch.tensor(float(x), dtype=torch.float64)))


def activation_derivative(function: str, x: float, **options: float) -> float:
    point = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    _activation(function, **options)(point).backward()
    assert point.grad is not None
    return float(point.grad)


def activation_derivative_max(function: str, **options: float) -> float:
    points = torch.linspace(-20, 20, 400_001, dtype=torch.float64, requires_grad=True)
    _activation(function, **options)(points).sum().backward()
    assert points.grad is not None
    return float(points.grad.max())


def receptive_field(layers: Sequence[Sequence[int]]) -> int:
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    # Cross-check by backpropagating from one output unit through real layers.
    size = field * 4 + 1
    image = torch.zeros(1, 1, size, size, requires_grad=True)
    out = image
    for kernel, stride in layers:
        conv = nn.Conv2d(1, 1, kernel, stride=stride, bias=False)
        nn.init.constant_(conv.weight, 1.0)
        out = conv(out)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    assert image.grad is not None
    rows = torch.nonzero(image.grad[0, 0].sum(dim=1))
    measured = int(rows.max() - rows.min() + 1)
    assert measured == field, (measured, field)
    return field


def conv_output_size(
    input: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    conv = nn.Conv2d(1, 1, kernel_size, stride=stride, padding=padding, dilation=dilation)
    return int(conv(torch.zeros(1, 1, input, input)).shape[-1])


def pool_output_size(
    input: int, kernel_size: int, stride: int | None = None, padding: int = 0
) -> int:
    pool = nn.MaxPool2d(kernel_size, stride=stride, padding=padding)
    return int(pool(torch.zeros(1, 1, input, input)).shape[-1])


def confusion(tp: int, fp: int, fn: int, tn: int = 0) -> tuple[np.ndarray, np.ndarray]:
    truth = np.array([1] * tp + [0] * fp + [1] * fn + [0] * tn)
    predicted = np.array([1] * tp + [1] * fp + [0] * fn + [0] * tn)
    return truth, predicted


def precision(**counts: int) -> float:
    truth, predicted = confusion(**counts)
    return float((truth & predicted).sum() / predicted.sum())


def recall(**counts: int) -> float:
    truth, predicted = confusion(**counts)
    return float((truth & predicted).sum() / truth.sum())


def f1(**counts: int) -> float:
    p, r = precision(**counts), recall(**counts)
    return 2 * p * r / (p + r)


def accuracy(**counts: int) -> float:
    truth, predicted = confusion(**counts)
    return float((truth == predicted).mean())


def iou(box_a: Sequence[float], box_b: Sequence[float]) -> float:
    ax1, ay1, ax2, ay2 = box_a
    bx1, by1, bx2, by2 = box_b
    width = max(0.0, min(ax2, bx2) - max(ax1, bx1))
    height = max(0.0, min(ay2, by2) - max(ay1, by1))
    inter = width * height
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return inter / union


def _t(values: Sequence[float] | float) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


COMPUTE: dict[str, Callable[..., Any]] = {
    "linear_params": lambda in_features, out_features, bias=True: parameter_count(
        nn.Linear(in_features, out_features, bias=bias)
    ),
    "mlp_params": lambda sizes, bias=True: parameter_count(
        nn.Sequential(*(nn.Linear(a, b, bias=bias) for a, b in itertools.pairwise(sizes)))
    ),
    "conv2d_params": lambda in_channels, out_channels, kernel_size, bias=True, groups=1: (
        parameter_count(nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, groups=groups))
    ),
    "conv_output_size": conv_output_size,
    "pool_output_size": pool_output_size,
    "receptive_field": receptive_field,
    "rnn_params": lambda input_size, hidden_size, bias=True: parameter_count(
        nn.RNN(input_size, hidden_size, bias=bias)
    ),
    "lstm_params": lambda input_size, hidden_size, bias=True: parameter_count(
        nn.LSTM(input_size, hidden_size, bias=bias)
    ),
    "gru_params": lambda input_size, hidden_size, bias=True: parameter_count(
        nn.GRU(input_size, hidden_size, bias=bias)
    ),
    "embedding_params": lambda num_embeddings, embedding_dim: parameter_count(
        nn.Embedding(num_embeddings, embedding_dim)
    ),
    "attention_params": lambda embed_dim, num_heads: parameter_count(
        nn.MultiheadAttention(embed_dim, num_heads)
    ),
    "activation_value": activation_value,
    "activation_derivative": activation_derivative,
    "activation_derivative_max": activation_derivative_max,
    "softmax": lambda logits, index: float(torch.softmax(_t(logits), dim=0)[index]),
    "mse": lambda prediction, target: float(functional.mse_loss(_t(prediction), _t(target))),
    "bce": lambda probability, target: float(
        functional.binary_cross_entropy(_t(probability), _t(target))
    ),
    "cross_entropy": lambda logits, target: float(
        functional.cross_entropy(_t(logits).unsqueeze(0), torch.tensor([target]))
    ),
    "iou": iou,
    "precision": precision,
    "recall": recall,
    "f1": f1,
    "accuracy": accuracy,
}


# --- bankfix ---
# Claim kinds for the ten first topics' numeric facts: each recomputed with the torch (or
# numpy) object the fact is about where there is one, so the claim checks PyTorch itself.


def power(base: float, exponent: int) -> float:
    """base ** exponent, as the product of `exponent` factors (a gradient through a chain)."""
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    out = x
    for _ in range(exponent):
        out = out * base
    out.backward()
    assert x.grad is not None
    return float(x.grad)  # d(x·base^n)/dx: the product the chain rule builds


def dropout_scale(p: float, value: float = 1.0) -> float:
    """What nn.Dropout(p) makes of a kept unit `value` in training (by default the factor)."""
    torch.manual_seed(0)
    out = nn.Dropout(p).train()(torch.full((10_000,), float(value), dtype=torch.float64))
    kept = out[out != 0]
    assert kept.numel() > 0
    return float(kept[0])


def _scheduled_lr(
    scheduler_of: Callable[[torch.optim.Optimizer], Any], lr: float, epoch: int
) -> float:
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = scheduler_of(optimizer)
    for _ in range(epoch):
        optimizer.step()
        scheduler.step()
    return float(optimizer.param_groups[0]["lr"])


def step_lr(lr: float, step_size: int, gamma: float, epoch: int) -> float:
    """The learning rate StepLR gives after `epoch` epochs."""
    return _scheduled_lr(
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=step_size, gamma=gamma), lr, epoch
    )


def cosine_lr(lr: float, t_max: int, epoch: int, eta_min: float = 0.0) -> float:
    """The learning rate CosineAnnealingLR gives after `epoch` epochs."""
    return _scheduled_lr(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min),
        lr,
        epoch,
    )


def _optimizer_steps(
    make: Callable[[list[nn.Parameter]], torch.optim.Optimizer],
    start: float,
    grads: Sequence[float],
) -> float:
    weight = nn.Parameter(torch.tensor([float(start)], dtype=torch.float64))
    optimizer = make([weight])
    for grad in grads:
        weight.grad = torch.tensor([float(grad)], dtype=torch.float64)
        optimizer.step()
    return float(weight.detach()[0])


def sgd_steps(
    start: float,
    grads: Sequence[float],
    lr: float,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> float:
    """The weight after torch.optim.SGD takes a step for each given gradient."""
    return _optimizer_steps(
        lambda ps: torch.optim.SGD(
            ps, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov
        ),
        start,
        grads,
    )


def adam_steps(
    start: float,
    grads: Sequence[float],
    lr: float,
    betas: Sequence[float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> float:
    """The weight after torch.optim.Adam (or AdamW, `decoupled`) steps on the given gradients."""
    kind = torch.optim.AdamW if decoupled else torch.optim.Adam
    return _optimizer_steps(
        lambda ps: kind(ps, lr=lr, betas=(betas[0], betas[1]), eps=eps, weight_decay=weight_decay),
        start,
        grads,
    )


def adam_first_moment(
    grads: Sequence[float], betas: Sequence[float] = (0.9, 0.999), corrected: bool = False
) -> float:
    """torch.optim.Adam's first moment m after the given gradients (or m̂, bias-corrected)."""
    weight = nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.Adam([weight], lr=1e-3, betas=(betas[0], betas[1]))
    for grad in grads:
        weight.grad = torch.tensor([float(grad)], dtype=torch.float64)
        optimizer.step()
    moment = float(optimizer.state[weight]["exp_avg"][0])
    return moment / (1 - betas[0] ** len(grads)) if corrected else moment


def clip_grad_norm(grads: Sequence[float], max_norm: float, index: int = 0) -> float:
    """One entry of a gradient after torch.nn.utils.clip_grad_norm_."""
    weight = nn.Parameter(torch.zeros(len(grads), dtype=torch.float64))
    weight.grad = _t(grads)
    nn.utils.clip_grad_norm_([weight], max_norm)
    return float(weight.grad[index])


def kaiming_std(fan_in: int, nonlinearity: str = "relu") -> float:
    """The standard deviation kaiming_normal_ (fan_in mode) draws weights with."""
    return float(nn.init.calculate_gain(nonlinearity) / np.sqrt(fan_in))


def xavier_std(fan_in: int, fan_out: int) -> float:
    """The standard deviation xavier_normal_ draws weights with (gain 1)."""
    torch.manual_seed(0)
    weight = torch.empty(fan_out, fan_in, dtype=torch.float64)
    nn.init.xavier_normal_(weight)
    formula = float(np.sqrt(2.0 / (fan_in + fan_out)))
    assert abs(float(weight.std()) - formula) < 0.05 * formula
    return formula


def batches_per_epoch(samples: int, batch_size: int, drop_last: bool = False) -> int:
    """len() of a DataLoader over `samples` items."""
    data = torch.utils.data.TensorDataset(torch.zeros(samples))
    return len(torch.utils.data.DataLoader(data, batch_size=batch_size, drop_last=drop_last))


def head_dim(embed_dim: int, num_heads: int) -> int:
    """The width of one head of nn.MultiheadAttention."""
    return int(nn.MultiheadAttention(embed_dim, num_heads).head_dim)


def kfold_train_size(samples: int, folds: int) -> int:
    """Training samples in each of the k folds (numpy's split of the indices; k must divide n)."""
    parts = np.array_split(np.arange(samples), folds)
    sizes = {samples - len(part) for part in parts}
    assert len(sizes) == 1, "the folds differ in size"
    return sizes.pop()


def matrix_sparsity(users: int, items: int, ratings: int, percent: bool = False) -> float:
    """The share (or, with `percent`, the percentage) of a user-item matrix that is empty."""
    empty = 1 - ratings / (users * items)
    return 100 * empty if percent else empty


def ndcg(relevances: Sequence[float], k: int | None = None) -> float:
    """nDCG@k of a ranked list of graded relevances (gain rel, discount log2(rank + 1))."""
    ranked = np.asarray(relevances, dtype=float)[:k]
    ideal = np.sort(np.asarray(relevances, dtype=float))[::-1][:k]
    discounts = 1 / np.log2(np.arange(2, len(ranked) + 2))
    return float((ranked * discounts).sum() / (ideal * discounts).sum())


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """ROC AUC: the share of (positive, negative) pairs ranked right, ties counting a half."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels)
    positive, negative = s[y == 1], s[y == 0]
    wins = (positive[:, None] > negative[None, :]).sum() + 0.5 * (
        positive[:, None] == negative[None, :]
    ).sum()
    return float(wins / (len(positive) * len(negative)))


def positional_encoding(position: int, index: int, d_model: int) -> float:
    """Entry `index` of the sinusoidal positional encoding of `position` (Vaswani et al.)."""
    pair = index // 2
    angle = position / 10_000 ** (2 * pair / d_model)
    return float(np.sin(angle) if index % 2 == 0 else np.cos(angle))


def entropy(probabilities: Sequence[float], base: float = np.e) -> float:
    """Shannon entropy of a distribution, via torch.distributions."""
    nats = torch.distributions.Categorical(probs=_t(probabilities)).entropy()
    return float(nats / np.log(base))


def batchnorm_output(
    values: Sequence[float], index: int, weight: float = 1.0, bias: float = 0.0
) -> float:
    """nn.BatchNorm1d in training mode on one feature over a batch; one output."""
    norm = nn.BatchNorm1d(1, eps=1e-5, dtype=torch.float64).train()
    nn.init.constant_(norm.weight, weight)
    nn.init.constant_(norm.bias, bias)
    with torch.no_grad():
        return float(norm(_t(values).unsqueeze(1))[index, 0])


def ce_label_smoothing(logits: Sequence[float], target: int, smoothing: float) -> float:
    """Cross-entropy with label smoothing (natural log)."""
    return float(
        functional.cross_entropy(
            _t(logits).unsqueeze(0), torch.tensor([target]), label_smoothing=smoothing
        )
    )


def trainable_after_freeze(sizes: Sequence[int], frozen_layers: int) -> int:
    """Trainable parameters of a dense stack whose first `frozen_layers` layers are frozen."""
    layers = [nn.Linear(a, b) for a, b in itertools.pairwise(sizes)]
    for layer in layers[:frozen_layers]:
        layer.requires_grad_(False)
    model = nn.Sequential(*layers)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def conv_transpose_output_size(
    input: int, kernel_size: int, stride: int = 1, padding: int = 0, output_padding: int = 0
) -> int:
    """Spatial output size of nn.ConvTranspose2d."""
    conv = nn.ConvTranspose2d(
        1, 1, kernel_size, stride=stride, padding=padding, output_padding=output_padding
    )
    return int(conv(torch.zeros(1, 1, input, input)).shape[-1])


def separable_params(
    in_channels: int, out_channels: int, kernel_size: int, bias: bool = False
) -> int:
    """Parameters of a depthwise convolution followed by a 1×1 (pointwise) one."""
    depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, groups=in_channels, bias=bias)
    pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)
    return parameter_count(depthwise) + parameter_count(pointwise)


def mf_params(users: int, items: int, factors: int, biases: bool = False) -> int:
    """Parameters of matrix factorisation: a user and an item embedding (and bias) table."""
    tables = [nn.Embedding(users, factors), nn.Embedding(items, factors)]
    if biases:
        tables += [nn.Embedding(users, 1), nn.Embedding(items, 1)]
    return sum(parameter_count(table) for table in tables)


def l2_gradient(weight: float, lam: float) -> float:
    """The gradient the penalty (λ/2)·w² adds, by autograd."""
    w = torch.tensor(float(weight), dtype=torch.float64, requires_grad=True)
    (lam / 2 * w**2).backward()
    assert w.grad is not None
    return float(w.grad)


def early_stopping_epoch(losses: Sequence[float], patience: int) -> int:
    """The (1-based) epoch after which early stopping on these validation losses stops."""
    best, waited = np.inf, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, waited = loss, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch
    return len(losses)


BANKFIX: dict[str, Callable[..., Any]] = {
    "l2_gradient": l2_gradient,
    "early_stopping_epoch": early_stopping_epoch,
    "power": power,
    "dropout_scale": dropout_scale,
    "step_lr": step_lr,
    "cosine_lr": cosine_lr,
    "sgd_steps": sgd_steps,
    "adam_steps": adam_steps,
    "adam_first_moment": adam_first_moment,
    "clip_grad_norm": clip_grad_norm,
    "kaiming_std": kaiming_std,
    "xavier_std": xavier_std,
    "batches_per_epoch": batches_per_epoch,
    "head_dim": head_dim,
    "kfold_train_size": kfold_train_size,
    "matrix_sparsity": matrix_sparsity,
    "ndcg": ndcg,
    "auc": auc,
    "positional_encoding": positional_encoding,
    "entropy": entropy,
    "batchnorm_output": batchnorm_output,
    "ce_label_smoothing": ce_label_smoothing,
    "trainable_after_freeze": trainable_after_freeze,
    "conv_transpose_output_size": conv_transpose_output_size,
    "separable_params": separable_params,
    "mf_params": mf_params,
}
COMPUTE.update(BANKFIX)
# --- end bankfix ---


def compute(claim: dict[str, Any]) -> Any:
    arguments = {k: v for k, v in claim.items() if k not in ("kind", "expect", "tolerance")}
    return COMPUTE[claim["kind"]](**arguments)
