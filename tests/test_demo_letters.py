"""The letters demo: an MLP tells ب، ک، ص apart from noisy 10×10 images."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nn_demos.base import DemoParamError, DemoResult, no_progress
from nn_demos.catalogue import ParamErrorCode
from nn_demos.demos import letters
from nn_demos.registry import DEMOS
from tests.nn_threads import one_torch_thread  # noqa: F401 - autouse: one torch thread

PERSIAN = re.compile("[\u0600-\u06ff]")
# Small enough to keep the file fast, large enough that the accuracies are stable.
SMALL = {"samples": "80", "steps": "150", "seeds": "2"}


def run(raw: dict[str, str]) -> DemoResult:
    demo = DEMOS["letters"]
    return demo.run(demo.resolve(raw), no_progress)


@pytest.fixture(scope="module")
def default_result() -> DemoResult:
    return run({})


def test_defaults_give_a_png_and_a_persian_caption(default_result: DemoResult) -> None:
    assert default_result.png.startswith(b"\x89PNG")
    assert PERSIAN.search(default_result.caption)
    assert "می‌بینی" in default_result.caption
    assert len(default_result.metrics["val_accuracy"]) == 3  # one per seed


def test_defaults_tell_the_letters_apart_far_above_chance(default_result: DemoResult) -> None:
    metrics = default_result.metrics
    assert min(metrics["val_accuracy"]) > 0.8  # chance is 1/3
    confusion = np.array(metrics["confusion"])
    assert confusion.sum() == metrics["val_size"]
    assert np.trace(confusion) / confusion.sum() > 0.8


def test_the_three_letters_render_as_different_images() -> None:
    templates = letters.letter_templates()  # (3, BIG, BIG)
    assert templates.shape == (3, letters.BIG, letters.BIG)
    for first in range(3):
        assert templates[first].max() > 0.9  # the letter is drawn, not blank
        for second in range(first + 1, 3):
            assert np.abs(templates[first] - templates[second]).mean() > 0.05


def test_more_noise_means_lower_validation_accuracy() -> None:
    quiet = run({**SMALL, "noise": "0.1"}).metrics["val_accuracy"]
    noisy = run({**SMALL, "noise": "1.0"}).metrics["val_accuracy"]
    # Measured: about 1.0 against 0.74; every seed, not just the mean.
    assert max(noisy) < min(quiet) - 0.1


def test_same_params_give_the_same_metrics() -> None:
    assert run(SMALL).metrics == run(SMALL).metrics


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"noise": "0.2"}, ParamErrorCode.NOT_A_CHOICE),
        ({"hidden": "1000"}, ParamErrorCode.NOT_A_CHOICE),
        ({"samples": "100000"}, ParamErrorCode.OUT_OF_RANGE),
        ({"seeds": "0"}, ParamErrorCode.OUT_OF_RANGE),
        ({"size": "5"}, ParamErrorCode.UNKNOWN_PARAM),
    ],
)
def test_invalid_parameters_are_refused(raw: dict[str, str], code: ParamErrorCode) -> None:
    with pytest.raises(DemoParamError) as error:
        DEMOS["letters"].resolve(raw)
    assert (error.value.code, error.value.param) == (code, next(iter(raw)))
