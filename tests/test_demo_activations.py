"""The activations demo: runs, shows sigmoid training far slower than ReLU, is deterministic."""

import re

import pytest
import torch

from nn_demos import DemoParamError, DemoResult, ParamErrorCode, run_demo
from nn_demos.demos.activations import FUNCTIONS, derivative
from tests.nn_threads import one_torch_thread  # noqa: F401 - autouse: one torch thread

# Small but telling: two functions, two seeds, 100 Adam steps (well under a second).
PARAMS = {"functions": "sigmoid,relu", "seeds": "2", "steps": "100"}
PERSIAN = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_demo("activations", PARAMS)


def test_it_returns_a_png_and_a_persian_caption(result: DemoResult) -> None:
    assert result.png.startswith(b"\x89PNG")
    assert PERSIAN.search(result.caption)
    assert "۰٫۱" in result.caption  # the loss target, in Persian digits
    assert result.metrics["functions"] == ["sigmoid", "relu"]


def test_sigmoid_trains_far_slower_than_relu(result: DemoResult) -> None:
    sigmoid_loss, relu_loss = result.metrics["final_loss"]
    assert sigmoid_loss > 100 * relu_loss
    sigmoid_steps, relu_steps = result.metrics["steps_to_target"]
    assert sigmoid_steps == -1.0  # never reached the target
    assert 0 < relu_steps < 100


def test_relu_has_dead_units_and_sigmoid_none(result: DemoResult) -> None:
    sigmoid_dead, relu_dead = result.metrics["dead_unit_share"]
    assert sigmoid_dead == 0.0
    assert relu_dead > 0.05
    sigmoid_slope, relu_slope = result.metrics["mean_derivative"]
    assert sigmoid_slope < 0.25 < relu_slope


def test_same_params_give_the_same_metrics(result: DemoResult) -> None:
    assert run_demo("activations", PARAMS).metrics == result.metrics


def test_autograd_derivatives_match_the_formulas() -> None:
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)
    sigmoid = torch.sigmoid(x)
    assert torch.allclose(derivative(FUNCTIONS["sigmoid"], x), sigmoid * (1 - sigmoid))
    assert torch.allclose(derivative(FUNCTIONS["tanh"], x), 1 - torch.tanh(x) ** 2)
    assert torch.equal(derivative(FUNCTIONS["relu"], x), (x > 0).float())


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"functions": "softmax"}, ParamErrorCode.NOT_A_CHOICE),
        ({"seeds": "9"}, ParamErrorCode.OUT_OF_RANGE),
        ({"steps": "100000"}, ParamErrorCode.OUT_OF_RANGE),
        ({"width": "8"}, ParamErrorCode.UNKNOWN_PARAM),
    ],
)
def test_invalid_parameters_are_refused(raw: dict[str, str], code: ParamErrorCode) -> None:
    with pytest.raises(DemoParamError) as error:
        run_demo("activations", raw)
    assert (error.value.code, error.value.param) == (code, next(iter(raw)))
