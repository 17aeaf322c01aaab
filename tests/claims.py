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
