"""The optimizer race: runs, shows the effect, equals torch.optim, is deterministic."""

import re

import pytest
import torch

from nn_demos.base import DemoParamError, DemoResult, no_progress
from nn_demos.catalogue import ParamErrorCode
from nn_demos.demos import optimizers
from nn_demos.optim import OPTIMIZERS, torch_optimizer
from nn_demos.registry import DEMOS
from tests.nn_threads import one_torch_thread  # noqa: F401 - autouse: one torch thread

DEMO = DEMOS["optimizers"]
PERSIAN = re.compile("[\u0600-\u06ff]")
SMALL = {"steps": "60", "seeds": "1"}


def run(**raw: str) -> DemoResult:
    return DEMO.run(DEMO.resolve(raw), no_progress)


def test_runs_and_returns_a_png_with_a_persian_caption() -> None:
    result = run(**SMALL)
    assert result.png.startswith(b"\x89PNG")
    assert PERSIAN.search(result.caption)
    assert "Adam" in result.caption
    assert set(result.metrics["final_distance"]) == {"sgd", "momentum", "rmsprop", "adam"}


def test_on_rosenbrock_tuned_adam_and_momentum_end_far_closer_than_sgd() -> None:
    surface = optimizers.SURFACES["rosenbrock"]
    kinds = ["sgd", "momentum", "adam"]
    race = optimizers.surface_race(
        surface, surface.starts["default"], [(k, surface.tuned[k]) for k in kinds], 300
    )
    sgd, momentum, adam = race.distance
    # Measured: SGD 1.81, momentum 0.23, Adam 0.13 — SGD crawls along the valley floor.
    assert momentum < sgd / 4
    assert adam < sgd / 4
    assert race.diverged_at == [None, None, None]


def test_on_the_saddle_adaptive_methods_escape_before_sgd() -> None:
    surface = optimizers.SURFACES["saddle"]
    kinds = ["sgd", "rmsprop"]
    race = optimizers.surface_race(
        surface, surface.starts["default"], [(k, surface.tuned[k]) for k in kinds], 300
    )
    sgd, rmsprop = race.reached_at
    assert sgd is not None
    assert rmsprop is not None
    assert rmsprop * 5 < sgd  # measured: step 11 against 179


@pytest.mark.parametrize("surface_name", ["rosenbrock", "beale", "saddle"])
def test_batched_surface_race_equals_torch_optim_on_single_points(surface_name: str) -> None:
    surface = optimizers.SURFACES[surface_name]
    start = surface.starts["default"]
    rules = [(kind, surface.tuned[kind]) for kind in OPTIMIZERS]
    steps = 15
    race = optimizers.surface_race(surface, start, rules, steps)
    assert all(at is None for at in race.diverged_at)
    for model, (kind, lr) in enumerate(rules):
        point = torch.tensor([start], dtype=torch.float64, requires_grad=True)  # (1, 2)
        optimizer = torch_optimizer(kind, [point], lr)
        alone = [point.detach().clone()]
        for _ in range(steps):
            optimizer.zero_grad()
            surface.fn(point).sum().backward()
            optimizer.step()
            alone.append(point.detach().clone())
        expected = torch.cat(alone)  # (steps + 1, 2)
        assert torch.allclose(race.path[:, model], expected, atol=1e-5, rtol=0), kind


def test_a_diverging_optimizer_is_clipped_and_named() -> None:
    result = run(mode="same", lr="1", optimizers="sgd,adam", **SMALL)
    assert result.metrics["surface_diverged"] == ["sgd"]
    assert "sgd" not in result.metrics["final_distance"]
    assert "واگرا" in result.caption


def test_adam_trains_the_net_sooner_than_sgd() -> None:
    losses = optimizers.net_race(
        [("sgd", optimizers.NET_TUNED["sgd"]), ("adam", optimizers.NET_TUNED["adam"])],
        seeds=3,
        steps=120,
        device=torch.device("cpu"),
    )  # (models, steps)
    sgd, adam = losses[:3].mean(axis=0), losses[3:].mean(axis=0)
    target = 0.1 * sgd[0]
    assert sgd[0] == pytest.approx(adam[0])  # the same start for both
    # Measured: Adam reaches 10% of the first loss after 22 updates, SGD after 63.
    assert (adam <= target).argmax() * 2 < (sgd <= target).argmax()


def test_the_same_params_give_the_same_metrics() -> None:
    assert run(surface="beale", **SMALL).metrics == run(surface="beale", **SMALL).metrics


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"optimizers": "sgd,lion"}, ParamErrorCode.NOT_A_CHOICE),
        ({"surface": "himmelblau"}, ParamErrorCode.NOT_A_CHOICE),
        ({"steps": "100000"}, ParamErrorCode.OUT_OF_RANGE),
        ({"lr": "5"}, ParamErrorCode.OUT_OF_RANGE),
        ({"seeds": "0"}, ParamErrorCode.OUT_OF_RANGE),
        ({"start": "moon"}, ParamErrorCode.NOT_A_CHOICE),
    ],
)
def test_an_invalid_parameter_is_refused(raw: dict[str, str], code: ParamErrorCode) -> None:
    with pytest.raises(DemoParamError) as error:
        DEMO.resolve(raw)
    assert (error.value.code, error.value.param) == (code, next(iter(raw)))
