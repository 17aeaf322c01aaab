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


# --- architectures ---
# Normalisation layers, ViT patching, VAE/GAN/diffusion facts, NMS and contrastive losses.


def _side(size: int | Sequence[int]) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def vit_patches(
    image_size: int | Sequence[int],
    patch_size: int,
    in_channels: int = 3,
    class_token: bool = False,
) -> int:
    # The patch embedding of ViT is a convolution whose kernel and stride are the patch size.
    embed = nn.Conv2d(in_channels, 1, patch_size, stride=patch_size)
    grid = embed(torch.zeros(1, in_channels, *_side(image_size)))
    return int(grid.shape[-2] * grid.shape[-1]) + int(class_token)


def mae_visible_patches(image_size: int | Sequence[int], patch_size: int, mask_ratio: float) -> int:
    # As in the MAE reference code: len_keep = int(L * (1 - mask_ratio)).
    return int(vit_patches(image_size, patch_size) * (1 - mask_ratio))


def vae_kl(mu: float | Sequence[float], sigma: float | Sequence[float]) -> float:
    """KL(N(mu, sigma^2) || N(0, 1)), summed over the latent dimensions."""
    posterior = torch.distributions.Normal(_t(mu), _t(sigma))
    prior = torch.distributions.Normal(torch.zeros_like(_t(mu)), torch.ones_like(_t(mu)))
    return float(torch.distributions.kl_divergence(posterior, prior).sum())


def gan_optimal_discriminator(p_data: float, p_g: float) -> float:
    """The D(x) in (0, 1) maximising p_data·log D + p_g·log(1 − D), found on a dense grid."""
    d = torch.linspace(1e-6, 1 - 1e-6, 1_000_001, dtype=torch.float64)
    objective = p_data * torch.log(d) + p_g * torch.log(1 - d)
    best = float(d[torch.argmax(objective)])
    closed_form = p_data / (p_data + p_g)
    assert abs(best - closed_form) < 1e-5, (best, closed_form)
    return closed_form


def diffusion_coefficient(betas: Sequence[float], of: str = "signal") -> float:
    """For x_t = sqrt(ᾱ_t)·x0 + sqrt(1 − ᾱ_t)·ε with ᾱ_t = ∏(1 − β_s): `alpha_bar`, `signal`
    (the factor of x0) or `noise` (the factor of ε)."""
    alpha_bar = torch.cumprod(1 - _t(betas), dim=0)[-1]
    values = {
        "alpha_bar": alpha_bar,
        "signal": torch.sqrt(alpha_bar),
        "noise": torch.sqrt(1 - alpha_bar),
    }
    return float(values[of])


def nms_kept(
    boxes: Sequence[Sequence[float]], scores: Sequence[float], iou_threshold: float
) -> int:
    """Boxes left by greedy non-maximum suppression (a box goes when IoU > threshold)."""
    order = sorted(range(len(boxes)), key=lambda index: -scores[index])
    kept: list[int] = []
    for index in order:
        if all(iou(boxes[index], boxes[other]) <= iou_threshold for other in kept):
            kept.append(index)
    return len(kept)


def infonce(similarities: Sequence[float], positive: int = 0, temperature: float = 1.0) -> float:
    """−log softmax(similarities / τ)[positive]: the InfoNCE loss of one anchor."""
    logits = (_t(similarities) / temperature).unsqueeze(0)
    return float(functional.cross_entropy(logits, torch.tensor([positive])))


COMPUTE.update(
    {
        "vit_patches": vit_patches,
        "mae_visible_patches": mae_visible_patches,
        "layernorm_params": lambda normalized_shape, elementwise_affine=True, bias=True: (
            parameter_count(
                nn.LayerNorm(normalized_shape, elementwise_affine=elementwise_affine, bias=bias)
            )
        ),
        "groupnorm_params": lambda num_groups, num_channels, affine=True: parameter_count(
            nn.GroupNorm(num_groups, num_channels, affine=affine)
        ),
        "vae_kl": vae_kl,
        "gan_optimal_discriminator": gan_optimal_discriminator,
        "diffusion_coefficient": diffusion_coefficient,
        "nms_kept": nms_kept,
        "infonce": infonce,
    }
)

# --- end architectures ---


# --- mlops ---
# Model size, quantisation, calibration, drift, distillation and serving arithmetic.

_BYTE_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9}


def model_size_bytes(parameters: int, dtype: str, unit: str = "B") -> float:
    """Memory of `parameters` values of torch.<dtype>, in bytes or KB/MB/GB (powers of 10)."""
    element = torch.empty(0, dtype=getattr(torch, dtype)).element_size()
    return parameters * element / _BYTE_UNITS[unit]


def quantize_affine(x: float, scale: float, zero_point: int = 0, dtype: str = "int8") -> int:
    """q = clamp(round(x / scale) + zero_point) to the range of torch.<dtype> (int8 or uint8)."""
    info = torch.iinfo(getattr(torch, dtype))
    q = torch.round(_t(x) / scale) + zero_point
    return int(torch.clamp(q, info.min, info.max))


def ece(confidences: Sequence[float], correct: Sequence[int], n_bins: int = 10) -> float:
    """Expected calibration error over equal-width bins (lo, hi] of the confidence."""
    confidence = np.asarray(confidences, dtype=float)
    right = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        in_bin = (confidence > lo) & (confidence <= hi)
        if in_bin.any():
            gap = abs(right[in_bin].mean() - confidence[in_bin].mean())
            total += in_bin.mean() * gap
    return float(total)


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """Population stability index Σ (a − e)·ln(a / e) of two binned distributions."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


COMPUTE.update(
    {
        "model_size_bytes": model_size_bytes,
        "quantize_affine": quantize_affine,
        "ece": ece,
        "psi": psi,
        "tempered_softmax": lambda logits, temperature, index: float(
            torch.softmax(_t(logits) / temperature, dim=0)[index]
        ),
        "serving_throughput": lambda batch_size, latency_ms: batch_size / (latency_ms / 1000),
    }
)

# --- end mlops ---


def compute(claim: dict[str, Any]) -> Any:
    arguments = {k: v for k, v in claim.items() if k not in ("kind", "expect", "tolerance")}
    return COMPUTE[claim["kind"]](**arguments)
