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


# --- classical-ml ---
# Trees, regression, SVM, ensembles, kNN, PCA and naive Bayes (topic `classical-ml`), with numpy.


def _class_shares(counts: Sequence[float]) -> np.ndarray:
    values = np.asarray(counts, dtype=float)
    assert np.all(values >= 0), counts
    assert values.sum() > 0, counts
    shares: np.ndarray = values / values.sum()
    return shares


def gini_impurity(counts: Sequence[float]) -> float:
    """1 − Σ p_i² of a node holding `counts` samples of each class."""
    shares = _class_shares(counts)
    return float(1.0 - np.sum(shares**2))


def node_entropy(counts: Sequence[float], base: float = 2) -> float:
    """−Σ p_i·log p_i of a node's class counts, in bits by default."""
    shares = _class_shares(counts)
    shares = shares[shares > 0]
    return float(-np.sum(shares * np.log(shares)) / np.log(base))


def information_gain(
    parent: Sequence[float],
    children: Sequence[Sequence[float]],
    criterion: str = "entropy",
    base: float = 2,
) -> float:
    """Impurity of the parent minus the sample-weighted impurity of its children."""
    parts = np.asarray(children, dtype=float)
    assert np.allclose(parts.sum(axis=0), parent), (parent, children)

    def impurity(counts: Sequence[float]) -> float:
        return gini_impurity(counts) if criterion == "gini" else node_entropy(counts, base)

    weights = parts.sum(axis=1) / parts.sum()
    children_impurity = sum(w * impurity(c) for w, c in zip(weights, parts, strict=True))
    return impurity(parent) - float(children_impurity)


def least_squares(x: Sequence[float], y: Sequence[float], coefficient: str = "slope") -> float:
    """OLS fit y = intercept + slope·x by numpy's lstsq, checked against the closed form."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    design = np.column_stack([np.ones_like(xs), xs])
    (intercept, slope), *_ = np.linalg.lstsq(design, ys, rcond=None)
    closed = np.sum((xs - xs.mean()) * (ys - ys.mean())) / np.sum((xs - xs.mean()) ** 2)
    assert abs(slope - closed) < 1e-9, (slope, closed)
    return float({"slope": slope, "intercept": intercept}[coefficient])


def r_squared(prediction: Sequence[float], target: Sequence[float]) -> float:
    """1 − SS_res / SS_tot, the sum of squares of the target taken about its mean."""
    predicted, truth = np.asarray(prediction, dtype=float), np.asarray(target, dtype=float)
    residual = np.sum((truth - predicted) ** 2)
    total = np.sum((truth - truth.mean()) ** 2)
    return float(1.0 - residual / total)


def logistic_probability(weights: Sequence[float], bias: float, x: Sequence[float]) -> float:
    """σ(w·x + b) of a logistic regression."""
    z = float(np.dot(np.asarray(weights, dtype=float), np.asarray(x, dtype=float)) + bias)
    return float(1.0 / (1.0 + np.exp(-z)))


def svm_margin(weights: Sequence[float]) -> float:
    """Width 2/‖w‖ between the hyperplanes w·x + b = ±1."""
    return float(2.0 / np.linalg.norm(np.asarray(weights, dtype=float)))


def bootstrap_oob_fraction(n: int) -> float:
    """P(a given sample is not drawn in n draws with replacement from n), checked by simulation."""
    exact = (1.0 - 1.0 / n) ** n
    trials = max(1000, 1_000_000 // n)
    draws = np.random.default_rng(0).integers(0, n, size=(trials, n))
    simulated = float(np.mean(~np.any(draws == 0, axis=1)))
    assert abs(simulated - exact) < 5 * np.sqrt(exact * (1 - exact) / trials), (simulated, exact)
    return float(exact)


def adaboost_alpha(error: float) -> float:
    """½·ln((1 − ε)/ε): the vote that minimises AdaBoost's exponential loss, found on a grid."""
    alphas = np.linspace(-5.0, 5.0, 1_000_001)
    loss = (1 - error) * np.exp(-alphas) + error * np.exp(alphas)
    found = float(alphas[np.argmin(loss)])
    closed_form = 0.5 * float(np.log((1 - error) / error))
    assert abs(found - closed_form) < 1e-4, (found, closed_form)
    return closed_form


def knn_predict(
    points: Sequence[Sequence[float]],
    labels: Sequence[float],
    query: Sequence[float],
    k: int,
    task: str = "classification",
) -> float:
    """Majority label (classification) or mean target (regression) of the k nearest points
    by Euclidean distance; the claim must not hinge on a tie."""
    offsets = np.asarray(points, dtype=float) - np.asarray(query, dtype=float)
    distances = np.linalg.norm(offsets, axis=1)
    order = np.argsort(distances, kind="stable")
    if k < len(order):
        assert distances[order[k - 1]] < distances[order[k]], "tie at the k-th neighbour"
    nearest = np.asarray(labels, dtype=float)[order[:k]]
    if task == "regression":
        return float(nearest.mean())
    values, votes = np.unique(nearest, return_counts=True)
    assert np.sum(votes == votes.max()) == 1, "tied vote"
    return float(values[np.argmax(votes)])


def pca_explained_variance(
    components: int,
    eigenvalues: Sequence[float] | None = None,
    covariance: Sequence[Sequence[float]] | None = None,
) -> float:
    """Share of the total variance in the `components` largest eigenvalues, given directly
    or of a covariance matrix (numpy's eigvalsh, checked against its singular values)."""
    if covariance is not None:
        sigma = np.asarray(covariance, dtype=float)
        assert np.allclose(sigma, sigma.T), covariance
        values = np.linalg.eigvalsh(sigma)
        assert np.all(values >= -1e-12), covariance
        assert np.allclose(np.sort(values), np.sort(np.linalg.svd(sigma, compute_uv=False)))
    else:
        values = np.asarray(eigenvalues, dtype=float)
    ordered = np.sort(values)[::-1]
    return float(ordered[:components].sum() / ordered.sum())


def naive_bayes_posterior(
    priors: Sequence[float], likelihoods: Sequence[Sequence[float]], index: int
) -> float:
    """P(class `index` | x) ∝ P(class)·∏_j P(x_j | class), features independent given the class."""
    prior = np.asarray(priors, dtype=float)
    assert abs(prior.sum() - 1.0) < 1e-9, priors
    joint = prior * np.prod(np.asarray(likelihoods, dtype=float), axis=1)
    return float(joint[index] / joint.sum())


COMPUTE.update(
    {
        "gini_impurity": gini_impurity,
        "node_entropy": node_entropy,
        "information_gain": information_gain,
        "least_squares": least_squares,
        "r_squared": r_squared,
        "logistic_probability": logistic_probability,
        "svm_margin": svm_margin,
        "bootstrap_oob_fraction": bootstrap_oob_fraction,
        "adaboost_alpha": adaboost_alpha,
        "knn_predict": knn_predict,
        "pca_explained_variance": pca_explained_variance,
        "naive_bayes_posterior": naive_bayes_posterior,
    }
)

# --- end classical-ml ---


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


# --- llm ---
# Claim kinds of the `llm` topic (content/items/llm.yaml); documented in content/README.md.

BYTE_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


def softmax_temperature(logits: Sequence[float], temperature: float, index: int) -> float:
    return float(torch.softmax(_t(logits) / temperature, dim=0)[index])


def top_p_size(probabilities: Sequence[float], top_p: float) -> int:
    """Tokens nucleus sampling keeps: the fewest most likely ones whose mass reaches top_p."""
    probs = _t(probabilities)
    assert abs(float(probs.sum()) - 1.0) < 1e-9, "probabilities must sum to 1"
    ordered = torch.sort(probs, descending=True).values
    mass_before = torch.cumsum(ordered, dim=0) - ordered
    return int((mass_before < top_p).sum())


def lora_params(d: int, k: int, rank: int, matrices: int = 1) -> int:
    """Trainable parameters of rank-`rank` LoRA adapters (ΔW = BA) on `matrices` d×k weights."""
    down = nn.Linear(k, rank, bias=False, device="meta")  # A: rank × k
    up = nn.Linear(rank, d, bias=False, device="meta")  # B: d × rank
    assert (up.weight @ down.weight).shape == (d, k)
    return matrices * (parameter_count(down) + parameter_count(up))


def kv_cache_bytes(
    layers: int,
    kv_heads: int,
    head_dim: int,
    tokens: int,
    dtype: str = "float16",
    batch: int = 1,
    unit: str = "B",
) -> float:
    """Size of the keys and values cached for `tokens` positions of `batch` sequences."""
    cache = torch.empty(
        2, layers, batch, kv_heads, tokens, head_dim, dtype=getattr(torch, dtype), device="meta"
    )
    return cache.numel() * cache.element_size() / BYTE_UNITS[unit]


def chinchilla_tokens(
    parameters: float, tokens_per_parameter: float = 20, unit: float = 1
) -> float:
    """Approximate compute-optimal training tokens by the Chinchilla rule of thumb."""
    return parameters * tokens_per_parameter / unit


def perplexity(
    losses: Sequence[float] | None = None, probabilities: Sequence[float] | None = None
) -> float:
    """exp of the mean per-token cross-entropy (natural log), from losses or p(target)."""
    if probabilities is not None:
        losses = (-torch.log(_t(probabilities))).tolist()
    assert losses is not None
    return float(torch.exp(_t(losses).mean()))


def dpo_loss(
    beta: float,
    policy_chosen: float,
    policy_rejected: float,
    reference_chosen: float,
    reference_rejected: float,
) -> float:
    """DPO loss of one preference pair from sequence log-probabilities."""
    margin = (policy_chosen - reference_chosen) - (policy_rejected - reference_rejected)
    return float(-functional.logsigmoid(_t(beta * margin)))


COMPUTE.update(
    {
        "softmax_temperature": softmax_temperature,
        "top_p_size": top_p_size,
        "lora_params": lora_params,
        "kv_cache_bytes": kv_cache_bytes,
        "chinchilla_tokens": chinchilla_tokens,
        "perplexity": perplexity,
        "bradley_terry": lambda reward_chosen, reward_rejected: float(
            torch.sigmoid(_t(reward_chosen - reward_rejected))
        ),
        "dpo_loss": dpo_loss,
        "cosine_similarity": lambda a, b: float(functional.cosine_similarity(_t(a), _t(b), dim=0)),
    }
)
# --- end llm ---


# --- math ---
# Probability, information theory, statistics and linear algebra (topic `math`).


def _probabilities(values: Sequence[float]) -> torch.Tensor:
    probs = _t(values)
    assert torch.all(probs >= 0), values
    assert abs(float(probs.sum()) - 1.0) < 1e-9, values
    return probs


def _log_base(base: int | str) -> float:
    return float(np.log(float(base))) if base != "e" else 1.0


def bayes_posterior(
    prior: float, true_positive_rate: float, false_positive_rate: float, positives: int = 1
) -> float:
    """P(condition | `positives` positive results), the results independent given the state."""
    prior_of = np.array([prior, 1.0 - prior])  # [has it, has it not]
    likelihood = np.array([true_positive_rate, false_positive_rate]) ** positives
    joint = prior_of * likelihood
    return float(joint[0] / joint.sum())


def shannon_entropy(p: Sequence[float], base: int | str = 2) -> float:
    """Shannon entropy H(p), in bits by default (`base: e` for nats)."""
    categorical = torch.distributions.Categorical(probs=_probabilities(p))
    return float(categorical.entropy()) / _log_base(base)


def distribution_cross_entropy(
    p: Sequence[float], q: Sequence[float], base: int | str = 2
) -> float:
    probs_p, probs_q = _probabilities(p), _probabilities(q)
    terms = torch.where(probs_p > 0, -probs_p * torch.log(probs_q), torch.zeros_like(probs_p))
    return float(terms.sum()) / _log_base(base)


def kl_divergence(p: Sequence[float], q: Sequence[float], base: int | str = 2) -> float:
    """KL(p ‖ q), checked against H(p, q) − H(p)."""
    value = float(
        torch.distributions.kl_divergence(
            torch.distributions.Categorical(probs=_probabilities(p)),
            torch.distributions.Categorical(probs=_probabilities(q)),
        )
    ) / _log_base(base)
    identity = distribution_cross_entropy(p, q, base) - shannon_entropy(p, base)
    assert abs(value - identity) < 1e-9, (value, identity)
    return value


def binomial_probability(n: int, p: float, k: int, tail: str = "exact") -> float:
    """P(X = k), P(X ≥ k) (`tail: at_least`) or P(X ≤ k) (`tail: at_most`), X ~ Binomial(n, p)."""
    import math

    counts = torch.arange(n + 1, dtype=torch.float64)
    pmf = torch.distributions.Binomial(n, probs=torch.tensor(p, dtype=torch.float64))
    masses = pmf.log_prob(counts).exp().numpy()
    exact = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    assert np.allclose(masses, exact), (masses, exact)
    chosen = {"exact": masses[k], "at_least": masses[k:].sum(), "at_most": masses[: k + 1].sum()}
    return float(chosen[tail])


def poisson_probability(rate: float, k: int) -> float:
    poisson = torch.distributions.Poisson(torch.tensor(rate, dtype=torch.float64))
    return float(poisson.log_prob(torch.tensor(float(k), dtype=torch.float64)).exp())


def linear_combination_variance(
    weights: Sequence[float], covariance: Sequence[Sequence[float]]
) -> float:
    """Var(w·X) = wᵀ Σ w for a random vector X with covariance Σ (constants add nothing)."""
    w, sigma = np.array(weights, dtype=float), np.array(covariance, dtype=float)
    assert np.allclose(sigma, sigma.T), covariance
    assert np.all(np.linalg.eigvalsh(sigma) >= -1e-12), covariance
    return float(w @ sigma @ w)


def beta_bernoulli_map(successes: int, trials: int, alpha: float, beta: float) -> float:
    """Mode of the Beta(alpha, beta) posterior after `successes` of `trials`, found on a grid."""
    theta = torch.linspace(1e-6, 1 - 1e-6, 1_000_001, dtype=torch.float64)
    prior = torch.distributions.Beta(
        torch.tensor(alpha, dtype=torch.float64), torch.tensor(beta, dtype=torch.float64)
    )
    log_posterior = (
        successes * torch.log(theta)
        + (trials - successes) * torch.log1p(-theta)
        + prior.log_prob(theta)
    )
    found = float(theta[torch.argmax(log_posterior)])
    closed_form = (successes + alpha - 1) / (trials + alpha + beta - 2)
    assert abs(found - closed_form) < 1e-5, (found, closed_form)
    return found


def z_interval_halfwidth(std: float, n: int, confidence: float = 0.95) -> float:
    """Half-width z·σ/√n of the normal confidence interval for a mean with known σ."""
    standard = torch.distributions.Normal(torch.tensor(0.0, dtype=torch.float64), 1.0)
    z = float(standard.icdf(torch.tensor(1 - (1 - confidence) / 2, dtype=torch.float64)))
    return z * std / float(np.sqrt(n))


def svd_singular_values(matrix: Sequence[Sequence[float]], index: int = 0) -> float:
    """The `index`-th largest singular value, by numpy and torch alike."""
    by_numpy = np.linalg.svd(np.array(matrix, dtype=float), compute_uv=False)
    by_torch = torch.linalg.svdvals(torch.tensor(matrix, dtype=torch.float64)).numpy()
    assert np.allclose(by_numpy, by_torch), (by_numpy, by_torch)
    return float(by_numpy[index])


COMPUTE.update(
    {
        "bayes_posterior": bayes_posterior,
        "shannon_entropy": shannon_entropy,
        "distribution_cross_entropy": distribution_cross_entropy,
        "kl_divergence": kl_divergence,
        "binomial_probability": binomial_probability,
        "poisson_probability": poisson_probability,
        "linear_combination_variance": linear_combination_variance,
        "beta_bernoulli_map": beta_bernoulli_map,
        "z_interval_halfwidth": z_interval_halfwidth,
        "svd_singular_values": svd_singular_values,
    }
)


# --- pytorch ---
# Shapes, autograd, data loading and training mechanics (topic `pytorch`), run on real torch.


def _size_or_numel(shape: torch.Size, dim: int | None) -> int:
    return int(shape.numel()) if dim is None else int(shape[dim])


def broadcast_shape(shapes: Sequence[Sequence[int]], dim: int | None = None) -> int:
    """Size of dimension `dim` of the broadcast result (its number of elements without `dim`)."""
    result = torch.zeros(shapes[0])
    for shape in shapes[1:]:
        result = result + torch.zeros(shape)
    assert result.shape == torch.broadcast_shapes(*(tuple(shape) for shape in shapes))
    return _size_or_numel(result.shape, dim)


def matmul_shape(a: Sequence[int], b: Sequence[int], dim: int | None = None) -> int:
    """Size of dimension `dim` of torch.matmul(a, b) (its number of elements without `dim`)."""
    return _size_or_numel(torch.matmul(torch.zeros(a), torch.zeros(b)).shape, dim)


def _batches(dataset_size: int, batch_size: int, drop_last: bool) -> list[int]:
    dataset = torch.utils.data.TensorDataset(torch.arange(dataset_size))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, drop_last=drop_last)
    sizes = [len(batch) for (batch,) in loader]
    assert len(sizes) == len(loader)
    return sizes


def dataloader_batches(dataset_size: int, batch_size: int, drop_last: bool = False) -> int:
    return len(_batches(dataset_size, batch_size, drop_last))


def dataloader_last_batch(dataset_size: int, batch_size: int, drop_last: bool = False) -> int:
    return _batches(dataset_size, batch_size, drop_last)[-1]


def accumulated_grad(x: float, power: int, backward_calls: int) -> float:
    """x.grad after `backward_calls` fresh passes of y = x ** power; y.backward(), never zeroed."""
    point = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    for _ in range(backward_calls):
        (point**power).backward()
    assert point.grad is not None
    return float(point.grad)


def grad_accumulation_effective_batch(
    micro_batch: int, accumulation_steps: int, devices: int = 1
) -> int:
    """micro_batch × steps × devices, after checking that accumulating loss / steps over the
    micro-batches (averaged over devices, as DDP does) gives the gradient of one big batch."""
    effective = micro_batch * accumulation_steps * devices
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(effective, 3, generator=generator, dtype=torch.float64)
    targets = torch.randn(effective, 1, generator=generator, dtype=torch.float64)
    model = nn.Linear(3, 1).double()
    functional.mse_loss(model(inputs), targets).backward()
    big = [parameter.grad.clone() for parameter in model.parameters()]  # type: ignore[union-attr]
    per_device = []
    for chunk_inputs, chunk_targets in zip(
        inputs.chunk(devices), targets.chunk(devices), strict=True
    ):
        model.zero_grad()
        for step_inputs, step_targets in zip(
            chunk_inputs.chunk(accumulation_steps),
            chunk_targets.chunk(accumulation_steps),
            strict=True,
        ):
            (functional.mse_loss(model(step_inputs), step_targets) / accumulation_steps).backward()
        per_device.append([parameter.grad.clone() for parameter in model.parameters()])  # type: ignore[union-attr]
    for position, whole in enumerate(big):
        averaged = torch.stack([grads[position] for grads in per_device]).mean(dim=0)
        assert torch.allclose(averaged, whole), (averaged, whole)
    return effective


def batchnorm_running_mean(batches: Sequence[Sequence[float]], momentum: float = 0.1) -> float:
    """running_mean of a fresh nn.BatchNorm1d(1) in training mode after seeing the batches."""
    norm = nn.BatchNorm1d(1, momentum=momentum)
    norm.train()
    for batch in batches:
        norm(torch.tensor(batch, dtype=torch.float32).unsqueeze(1))
    return float(norm.running_mean[0])  # type: ignore[index]


def dtype_max(dtype: str) -> float:
    """Largest finite value of a torch floating dtype, e.g. `float16`."""
    return float(torch.finfo(getattr(torch, dtype)).max)


COMPUTE.update(
    {
        "broadcast_shape": broadcast_shape,
        "matmul_shape": matmul_shape,
        "dataloader_batches": dataloader_batches,
        "dataloader_last_batch": dataloader_last_batch,
        "accumulated_grad": accumulated_grad,
        "grad_accumulation_effective_batch": grad_accumulation_effective_batch,
        "batchnorm_running_mean": batchnorm_running_mean,
        "dtype_max": dtype_max,
    }
)
