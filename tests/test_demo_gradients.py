"""The gradients demo: sigmoid gradients vanish with depth, a residual path keeps them."""

import re

import pytest
import torch

from nn_demos import DemoParamError, DemoResult, ParamErrorCode, run_demo
from nn_demos.batched import BatchedMLP
from nn_demos.demos.gradients import VARIANTS, residual_forward
from tests.nn_threads import one_torch_thread  # noqa: F401 - autouse: one torch thread

PERSIAN = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_demo("gradients", {})  # defaults: depth 20, 3 seeds


def test_it_returns_a_png_and_a_persian_caption(result: DemoResult) -> None:
    assert result.png.startswith(b"\x89PNG")
    assert PERSIAN.search(result.caption)
    assert result.metrics["depth"] == 20.0
    assert len(result.metrics["grad_norm_sigmoid"]) == 20


def test_sigmoid_gradient_vanishes_and_the_residual_one_does_not(result: DemoResult) -> None:
    ratio = dict(zip(VARIANTS, result.metrics["first_to_last_ratio"], strict=True))
    # Measured: sigmoid ~1e-16, ReLU ~1e-7, residual ~0.03 at depth 20.
    assert ratio["sigmoid"] < 1e-10 * ratio["residual"]
    assert ratio["sigmoid"] < ratio["relu"] < ratio["residual"]
    factor = dict(zip(VARIANTS, result.metrics["per_layer_factor"], strict=True))
    assert factor["sigmoid"] < 0.25  # sigmoid's derivative is at most 0.25
    assert 0.8 < factor["residual"] < 1.25


def test_same_params_give_the_same_metrics(result: DemoResult) -> None:
    assert run_demo("gradients", {"depth": "20", "seeds": "3"}).metrics == result.metrics


def test_without_shortcuts_the_forward_equals_the_plain_batched_mlp() -> None:
    model = BatchedMLP.create([2, 8, 8, 8, 1], [0, 1], [torch.sigmoid, torch.relu])
    inputs = torch.randn(16, 2, generator=torch.Generator().manual_seed(0))
    no_skip = torch.zeros(model.models, 1, 1)
    assert torch.equal(residual_forward(model, no_skip, inputs), model.forward(inputs))
    with_skip = residual_forward(model, torch.ones(model.models, 1, 1), inputs)
    assert not torch.allclose(with_skip, model.forward(inputs))


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"depth": "7"}, ParamErrorCode.NOT_A_CHOICE),
        ({"seeds": "0"}, ParamErrorCode.OUT_OF_RANGE),
        ({"steps": "10"}, ParamErrorCode.UNKNOWN_PARAM),
    ],
)
def test_invalid_parameters_are_refused(raw: dict[str, str], code: ParamErrorCode) -> None:
    with pytest.raises(DemoParamError) as error:
        run_demo("gradients", raw)
    assert (error.value.code, error.value.param) == (code, next(iter(raw)))
