"""Every numeric fact a quiz claims is recomputed with torch/numpy and shown by its answer."""

import re

import pytest

from bot.bank.loader import load_bank
from bot.bank.normalize import to_latin_digits
from bot.bank.schema import QuizItem
from bot.config import DEFAULT_CONTENT_DIR
from tests.claims import COMPUTE, compute

QUIZZES = [located.item for located in load_bank(DEFAULT_CONTENT_DIR).quizzes]
CLAIMED = [quiz for quiz in QUIZZES if quiz.claim]
DEFAULT_TOLERANCE = 1e-3


def numbers_in(text: str) -> list[float]:
    latin = to_latin_digits(text).replace("٫", ".").replace("٬", "").replace(",", "")
    return [float(match) for match in re.findall(r"-?\d+(?:\.\d+)?", latin)]


@pytest.mark.parametrize("quiz", CLAIMED, ids=lambda quiz: quiz.id)
def test_claim_is_true_and_the_correct_option_shows_it(quiz: QuizItem) -> None:
    assert quiz.claim is not None
    assert quiz.claim["kind"] in COMPUTE, f"unknown claim kind {quiz.claim['kind']}"
    expected = quiz.claim["expect"]
    tolerance = float(quiz.claim.get("tolerance", DEFAULT_TOLERANCE))
    actual = compute(quiz.claim)
    assert actual == pytest.approx(expected, abs=tolerance), f"{quiz.id}: computed {actual}"
    (correct,) = quiz.correct
    shown = numbers_in(quiz.options[correct - 1])
    assert any(value == pytest.approx(expected, abs=tolerance) for value in shown), (
        f"{quiz.id}: the correct option {quiz.options[correct - 1]!r} does not show {expected}"
    )
    # No wrong option that is just a number may be that number: two right answers.
    for position, option in enumerate(quiz.options, start=1):
        if position != correct and re.fullmatch(r"[-\d.,٫٬ ]+", to_latin_digits(option)):
            assert numbers_in(option) != pytest.approx([expected], abs=tolerance / 10), (
                f"{quiz.id}: wrong option {option!r} also shows {expected}"
            )


def test_the_checker_catches_a_wrong_claim() -> None:
    wrong = {
        "kind": "conv2d_params",
        "in_channels": 3,
        "out_channels": 16,
        "kernel_size": 3,
        "expect": 432,
    }
    assert compute(wrong) == 448 != wrong["expect"]


def test_receptive_field_agrees_with_backpropagation() -> None:
    assert compute({"kind": "receptive_field", "layers": [[3, 1], [2, 2], [3, 1]]}) == 8


def test_sigmoid_derivative_peaks_at_a_quarter() -> None:
    value = compute({"kind": "activation_derivative_max", "function": "sigmoid"})
    assert value == pytest.approx(0.25, abs=1e-9)
