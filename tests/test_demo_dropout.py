"""Dropout demo: runs, dropout lowers validation MSE, inverted scaling, deterministic."""

import re

import pytest
import torch

from nn_demos.base import DemoParamError, DemoResult, no_progress
from nn_demos.batched import BatchedMLP
from nn_demos.catalogue import ParamErrorCode
from nn_demos.demos import dropout
from nn_demos.registry import DEMOS
from tests.nn_threads import one_torch_thread  # noqa: F401 - autouse: one torch thread

DEMO = DEMOS["dropout"]
PERSIAN = re.compile("[\u0600-\u06ff]")
SMALL = {"steps": "200", "seeds": "1"}


def run(**raw: str) -> DemoResult:
    return DEMO.run(DEMO.resolve(raw), no_progress)


def test_runs_and_returns_a_png_with_a_persian_caption() -> None:
    result = run(**SMALL)
    assert result.png.startswith(b"\x89PNG")
    assert PERSIAN.search(result.caption)
    assert result.metrics["rates"] == [0.0, 0.2, 0.5]


def test_at_defaults_dropout_beats_no_dropout_on_validation_for_every_seed() -> None:
    metrics = run().metrics
    assert metrics["rates"][0] == 0.0
    per_seed = metrics["final_val_mse_per_seed"]  # (rates, seeds)
    without, with_dropout = per_seed[0], per_seed[1:]
    best_per_seed = [min(column) for column in zip(*with_dropout, strict=True)]
    # Measured: 0.38–0.43 without dropout, 0.32–0.35 with p=0.2 (250 steps).
    assert all(best < plain for best, plain in zip(best_per_seed, without, strict=True))
    assert min(metrics["final_val_mse"][1:]) < 0.85 * metrics["final_val_mse"][0]
    # Without dropout the net memorises the noise: the train/validation gap is largest.
    assert metrics["gap"][0] > 2 * min(metrics["gap"][1:])


def test_dropout_is_identity_at_eval_and_keeps_the_expected_output_in_training() -> None:
    mlp = BatchedMLP.create([1, 256, 1], [0, 0], [torch.relu])
    inputs = torch.linspace(-1, 1, 8).unsqueeze(1)
    with torch.no_grad():
        plain = mlp.forward(inputs)  # (2, 8, 1)
        rates = torch.tensor([0.0, 0.5])
        assert torch.allclose(dropout.dropout_forward(mlp, inputs, rates, 1, None), plain)
        generator = torch.Generator().manual_seed(0)
        draws = torch.stack(
            [dropout.dropout_forward(mlp, inputs, rates, 1, generator) for _ in range(2000)]
        )  # (draws, 2, 8, 1)
    assert torch.allclose(draws[:, 0], plain[0].expand_as(draws[:, 0]))  # p=0 drops nothing
    assert not torch.allclose(draws[0, 1], plain[1])  # p=0.5 does drop
    # Inverted dropout: ×1/(1−p) keeps the mean output equal to the evaluation output.
    assert torch.allclose(draws[:, 1].mean(dim=0), plain[1], atol=0.03)


def test_the_same_params_give_the_same_metrics() -> None:
    assert run(rates="0,0.3", **SMALL).metrics == run(rates="0,0.3", **SMALL).metrics


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"rates": "0,0.7"}, ParamErrorCode.NOT_A_CHOICE),
        ({"rates": "half"}, ParamErrorCode.NOT_A_CHOICE),
        ({"seeds": "9"}, ParamErrorCode.OUT_OF_RANGE),
        ({"steps": "10"}, ParamErrorCode.OUT_OF_RANGE),
        ({"noise": "1"}, ParamErrorCode.UNKNOWN_PARAM),
    ],
)
def test_an_invalid_parameter_is_refused(raw: dict[str, str], code: ParamErrorCode) -> None:
    with pytest.raises(DemoParamError) as error:
        DEMO.resolve(raw)
    assert (error.value.code, error.value.param) == (code, next(iter(raw)))
