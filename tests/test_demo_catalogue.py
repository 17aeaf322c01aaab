"""The demo catalogue: the run functions read what it lists, and bad input gets a precise code."""

from __future__ import annotations

from typing import Any

import pytest

import nn_demos
from nn_demos import catalogue
from nn_demos.base import CAPTION_BUDGET, no_progress
from nn_demos.catalogue import CATALOGUE, DemoParamError, ParamErrorCode, resolve
from nn_demos.demos import activations, optimizers
from nn_demos.optim import OPTIMIZERS


class Recording(dict[str, Any]):
    """Resolved parameters that remember which of them a run function read."""

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


# The widest lists at the smallest sizes: fast, and the longest captions.
WIDEST = {
    "activations": {"functions": ",".join(activations.FUNCTIONS), "seeds": "1", "steps": "50"},
    "dropout": {"rates": "0,0.1,0.2,0.3,0.5", "seeds": "1", "steps": "200"},
    "gradients": {"depth": "5", "seeds": "1"},
    "letters": {"samples": "40", "steps": "20", "seeds": "1"},
    "optimizers": {"optimizers": ",".join(OPTIMIZERS), "steps": "50", "seeds": "1"},
}


def test_every_catalogue_entry_has_a_run_function_and_no_more() -> None:
    assert set(nn_demos.DEMOS) == set(CATALOGUE) == set(WIDEST)
    for name, demo in nn_demos.DEMOS.items():
        assert demo.spec is CATALOGUE[name]


@pytest.mark.parametrize("name", sorted(WIDEST))
def test_a_run_reads_exactly_the_catalogued_parameters(name: str) -> None:
    params = Recording(resolve(name, WIDEST[name]))
    result = nn_demos.get_demo(name).run(params, no_progress)
    assert params.read == {param.name for param in CATALOGUE[name].params}
    assert len(result.caption) <= CAPTION_BUDGET


def test_the_choices_are_what_the_demo_modules_implement() -> None:
    assert CATALOGUE["activations"].param_choices("functions") == tuple(activations.FUNCTIONS)
    assert CATALOGUE["optimizers"].param_choices("optimizers") == OPTIMIZERS
    assert CATALOGUE["optimizers"].param_choices("surface") == tuple(optimizers.SURFACES)
    for surface in optimizers.SURFACES.values():
        assert set(CATALOGUE["optimizers"].param_choices("start")) == set(surface.starts)
    # dropout and letters take their choices from the catalogue; WIDEST runs every rate.


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_defaults_are_valid_and_resolve_to_themselves(name: str) -> None:
    spec = CATALOGUE[name]
    assert resolve(name, {}) == spec.defaults()
    assert resolve(name, spec.defaults()) == spec.defaults()


def test_resolved_values_pass_the_check_again_unchanged() -> None:
    # The worker checks what the bot resolved: numbers and lists, not text, come in.
    first = resolve("optimizers", {"optimizers": "adam, sgd,adam", "lr": "0.5", "mode": "same"})
    assert first["optimizers"] == ["adam", "sgd"]  # in the order given, once each
    assert first["lr"] == 0.5
    assert resolve("optimizers", first) == first


def test_numeric_choices_compare_as_numbers() -> None:
    assert resolve("letters", {"noise": "1", "hidden": "08"})["noise"] == 1.0
    assert resolve("letters", {"hidden": "08"})["hidden"] == 8


@pytest.mark.parametrize(
    ("name", "given", "code", "param"),
    [
        ("astrology", {}, ParamErrorCode.UNKNOWN_DEMO, None),
        ("letters", {"colour": "red"}, ParamErrorCode.UNKNOWN_PARAM, "colour"),
        ("letters", {"samples": "many"}, ParamErrorCode.NOT_A_NUMBER, "samples"),
        ("letters", {"samples": "40.5"}, ParamErrorCode.NOT_A_NUMBER, "samples"),
        ("optimizers", {"lr": "nan"}, ParamErrorCode.NOT_A_NUMBER, "lr"),
        ("letters", {"samples": "39"}, ParamErrorCode.OUT_OF_RANGE, "samples"),
        ("optimizers", {"lr": "2"}, ParamErrorCode.OUT_OF_RANGE, "lr"),
        ("letters", {"hidden": "1000"}, ParamErrorCode.NOT_A_CHOICE, "hidden"),
        ("optimizers", {"optimizers": "adam,lion"}, ParamErrorCode.NOT_A_CHOICE, "optimizers"),
        ("optimizers", {"optimizers": ","}, ParamErrorCode.NOT_A_CHOICE, "optimizers"),
    ],
)
def test_each_kind_of_bad_input_has_its_code(
    name: str, given: dict[str, str], code: ParamErrorCode, param: str | None
) -> None:
    with pytest.raises(DemoParamError) as raised:
        resolve(name, given)
    error = raised.value
    assert (error.code, error.demo, error.param) == (code, name, param)


def test_errors_carry_what_would_have_been_allowed() -> None:
    with pytest.raises(DemoParamError) as unknown_demo:
        resolve("astrology", {})
    assert unknown_demo.value.allowed == catalogue.NAMES
    with pytest.raises(DemoParamError) as unknown_param:
        resolve("gradients", {"steps": "10"})
    assert unknown_param.value.allowed == ("depth", "seeds")
    with pytest.raises(DemoParamError) as choice:
        resolve("gradients", {"depth": "7"})
    assert (choice.value.value, choice.value.allowed) == ("7", ("5", "10", "20", "30"))
    with pytest.raises(DemoParamError) as out_of_range:
        resolve("letters", {"samples": "100000"})
    assert (out_of_range.value.minimum, out_of_range.value.maximum) == (40, 500)


def test_an_error_survives_the_trip_as_data() -> None:
    with pytest.raises(DemoParamError) as raised:
        resolve("letters", {"samples": "100000"})
    again = DemoParamError.from_data(raised.value.to_data())
    assert again.to_data() == raised.value.to_data()
    assert again.code is ParamErrorCode.OUT_OF_RANGE
