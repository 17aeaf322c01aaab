"""Every demo as plain data: name, Persian title and summary, parameters, and the ideas it shows.

Pure Python (no torch, matplotlib or numpy), so the bot process reads it to draw menus, check
`key=value` input and validate content files, and only the worker that trains imports torch.
The torch modules in `nn_demos.demos` take their parameters from here.

`resolve` is the one rule for parameters, for a learner's text ("0.01", "relu,gelu") and for
values already resolved (0.01, ["relu", "gelu"]) alike; a bad value raises `DemoParamError`
with a code and the allowed values. Wording for people is the caller's business.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

Scalar = int | float | str
ParamValue = Scalar | list[Scalar]
"""A resolved value: a number or a word, or a list of them for a `many` parameter (JSON-ready)."""


class ParamErrorCode(StrEnum):
    """Why a demo request was refused."""

    UNKNOWN_DEMO = "unknown_demo"
    UNKNOWN_PARAM = "unknown_param"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    NOT_A_CHOICE = "not_a_choice"


class DemoParamError(ValueError):
    """A demo or parameter is unknown or a value is invalid; the fields say which and why.

    `param` is the parameter's name (None for an unknown demo), `value` the text given,
    `allowed` the demo names, parameter names or choices that would do, and `minimum`/`maximum`
    the range of a numeric parameter.
    """

    def __init__(
        self,
        code: ParamErrorCode,
        demo: str,
        *,
        param: str | None = None,
        value: str = "",
        allowed: tuple[str, ...] = (),
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> None:
        self.code = code
        self.demo = demo
        self.param = param
        self.value = value
        self.allowed = allowed
        self.minimum = minimum
        self.maximum = maximum
        where = demo if param is None else f"{demo}.{param}"
        bounds = f" [{minimum}, {maximum}]" if minimum is not None or maximum is not None else ""
        super().__init__(f"{code}: {where}={value!r}; allowed: {', '.join(allowed)}{bounds}")

    def to_data(self) -> dict[str, object]:
        """The error as plain data, to cross a process or host boundary."""
        return {
            "code": str(self.code),
            "demo": self.demo,
            "param": self.param,
            "value": self.value,
            "allowed": list(self.allowed),
            "minimum": self.minimum,
            "maximum": self.maximum,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> DemoParamError:
        """The error `to_data` described."""
        param, minimum, maximum = data.get("param"), data.get("minimum"), data.get("maximum")
        allowed = data.get("allowed")
        return cls(
            ParamErrorCode(str(data["code"])),
            str(data["demo"]),
            param=None if param is None else str(param),
            value=str(data.get("value", "")),
            allowed=tuple(str(item) for item in allowed) if isinstance(allowed, list) else (),
            minimum=float(minimum) if isinstance(minimum, int | float) else None,
            maximum=float(maximum) if isinstance(maximum, int | float) else None,
        )


def param_text(value: object) -> str:
    """A value as typed in `key=value`: lists comma-separated, numbers as Python prints them."""
    if isinstance(value, list | tuple):
        return ",".join(param_text(item) for item in value)
    return str(value)


def _same_choice(text: str, choice: Scalar) -> bool:
    # Numeric choices compare as numbers, so "1" picks 1.0 and "0.30" picks 0.3.
    if isinstance(choice, str):
        return text == choice
    try:
        return float(text) == float(choice)
    except ValueError:
        return False


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: its Persian label, default, and allowed values or range.

    A numeric parameter without choices takes the type of its default (int or float). A `many`
    parameter is a comma-separated list of distinct choices, in the order given.
    """

    name: str
    label: str
    default: Scalar | tuple[Scalar, ...]
    choices: tuple[Scalar, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    many: bool = False

    @property
    def choice_texts(self) -> tuple[str, ...]:
        """The choices as they are typed (and sent by panel buttons)."""
        return tuple(param_text(choice) for choice in self.choices)

    def default_value(self) -> ParamValue:
        """The default, resolved (a list for a `many` parameter)."""
        return list(self.default) if isinstance(self.default, tuple) else self.default

    def parse(self, demo: str, given: object) -> ParamValue:
        """The value for text such as "0.01" or "relu,gelu" (or an already resolved value)."""
        text = param_text(given).strip().lower()
        if self.many:
            items = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
            picked = [self._choice(demo, item, text) for item in items]
            if not picked:
                raise self._error(ParamErrorCode.NOT_A_CHOICE, demo, text)
            return picked
        if self.choices:
            return self._choice(demo, text, text)
        if isinstance(self.default, str | tuple):
            raise TypeError(f"{demo}.{self.name}: a parameter without choices must be numeric")
        number = int if isinstance(self.default, int) else float
        try:
            value = number(text)
        except ValueError:
            raise self._error(ParamErrorCode.NOT_A_NUMBER, demo, text) from None
        if not math.isfinite(value):  # "nan" parses, and would slip past every comparison
            raise self._error(ParamErrorCode.NOT_A_NUMBER, demo, text)
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise self._error(ParamErrorCode.OUT_OF_RANGE, demo, text)
        return value

    def _choice(self, demo: str, item: str, text: str) -> Scalar:
        for choice in self.choices:
            if _same_choice(item, choice):
                return choice
        raise self._error(ParamErrorCode.NOT_A_CHOICE, demo, text)

    def _error(self, code: ParamErrorCode, demo: str, text: str) -> DemoParamError:
        return DemoParamError(
            code,
            demo,
            param=self.name,
            value=text,
            allowed=self.choice_texts,
            minimum=self.minimum,
            maximum=self.maximum,
        )


@dataclass(frozen=True)
class DemoSpec:
    """A demo: its name, Persian title and summary, parameters, and the content it illustrates.

    `tags` are the content tags whose idea the demo shows and `topics` the content topics it
    belongs to: a quiz of such a topic with such a tag should offer the demo (`content lint`).
    """

    name: str
    title: str
    summary: str
    params: tuple[ParamSpec, ...]
    tags: frozenset[str] = field(default_factory=frozenset)
    topics: frozenset[str] = field(default_factory=frozenset)

    def param(self, name: str) -> ParamSpec | None:
        """The parameter called `name`, if there is one."""
        return next((param for param in self.params if param.name == name), None)

    def param_choices(self, name: str) -> tuple[Scalar, ...]:
        """The choices of parameter `name` (KeyError when the demo has no such parameter)."""
        param = self.param(name)
        if param is None:
            raise KeyError(f"{self.name} has no parameter {name!r}")
        return param.choices

    def defaults(self) -> dict[str, ParamValue]:
        """Every parameter at its default."""
        return {param.name: param.default_value() for param in self.params}

    def resolve(self, given: Mapping[str, object]) -> dict[str, ParamValue]:
        """Defaults overridden by `given`; DemoParamError names an unknown or invalid one."""
        names = tuple(param.name for param in self.params)
        unknown = sorted(set(given) - set(names))
        if unknown:
            raise DemoParamError(
                ParamErrorCode.UNKNOWN_PARAM,
                self.name,
                param=unknown[0],
                value=param_text(given[unknown[0]]),
                allowed=names,
            )
        return {
            param.name: param.parse(self.name, given[param.name])
            if param.name in given
            else param.default_value()
            for param in self.params
        }


DEMO_SPECS = (
    DemoSpec(
        name="activations",
        title="تابع‌های فعال‌سازی",
        summary="سیگموید، tanh، ReLU و بقیه روی یک شبکه‌ی عمیق: کدوم زودتر یاد می‌گیره؟",
        params=(
            ParamSpec(
                name="functions",
                label="تابع‌های فعال‌سازی",
                default=("sigmoid", "tanh", "relu", "gelu"),
                choices=("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu"),
                many=True,
            ),
            ParamSpec(name="seeds", label="تعداد بذرها", default=3, minimum=1, maximum=5),
            ParamSpec(
                name="steps", label="تعداد قدم‌های آموزش", default=120, minimum=50, maximum=1000
            ),
        ),
        tags=frozenset(
            {
                "sigmoid",
                "tanh",
                "relu",
                "leaky-relu",
                "elu",
                "gelu",
                "silu",
                "swish",
                "dying-relu",
                "saturation",
            }
        ),
        topics=frozenset({"activations"}),
    ),
    DemoSpec(
        name="dropout",
        title="dropout و بیش‌برازش",
        summary="یک شبکهٔ پهن روی چند نقطهٔ نویزی، با و بدون dropout: خطای آموزش و اعتبارسنجی",
        params=(
            ParamSpec(
                name="rates",
                label="نرخ‌های dropout",
                default=("0", "0.2", "0.5"),
                choices=("0", "0.1", "0.2", "0.3", "0.5"),
                many=True,
            ),
            ParamSpec(name="seeds", label="تعداد بذر", default=3, minimum=1, maximum=5),
            ParamSpec(name="steps", label="تعداد گام", default=250, minimum=100, maximum=2000),
        ),
        tags=frozenset({"dropout"}),
        topics=frozenset({"regularization"}),
    ),
    DemoSpec(
        name="gradients",
        title="محوشدن گرادیان",
        summary="گرادیان هر لایه در شبکه‌ی عمیق: سیگموید، ReLU و شبکه‌ی باقیمانده‌ای کنار هم",
        params=(
            ParamSpec(name="depth", label="عمق شبکه", default=20, choices=(5, 10, 20, 30)),
            ParamSpec(name="seeds", label="تعداد بذرها", default=3, minimum=1, maximum=5),
        ),
        tags=frozenset({"vanishing", "exploding"}),
        topics=frozenset({"gradients"}),
    ),
    DemoSpec(
        name="letters",
        title="تشخیص حرف‌های ب، ک، ص",
        summary="یه MLP کوچیک از روی تصویر نویزی ۱۰×۱۰ تشخیص می‌ده حرف ب هست، ک یا ص.",
        params=(
            ParamSpec(
                name="noise", label="انحراف معیار نویز", default=0.3, choices=(0.1, 0.3, 0.6, 1.0)
            ),
            ParamSpec(
                name="hidden", label="تعداد نورون لایهٔ پنهان", default=32, choices=(8, 16, 32, 64)
            ),
            ParamSpec(
                name="samples", label="تعداد نمونه از هر حرف", default=200, minimum=40, maximum=500
            ),
            ParamSpec(name="seeds", label="تعداد بذر", default=3, minimum=1, maximum=5),
            ParamSpec(name="steps", label="تعداد گام آموزش", default=150, minimum=20, maximum=1000),
        ),
    ),
    DemoSpec(
        name="optimizers",
        title="مسابقهٔ بهینه‌سازها",
        summary="SGD، مومنتوم، RMSprop، Adam و بقیه روی یک سطح دوبعدی و یک شبکهٔ کوچک",
        params=(
            ParamSpec(
                name="optimizers",
                label="بهینه‌سازها",
                default=("sgd", "momentum", "rmsprop", "adam"),
                choices=(
                    "sgd",
                    "momentum",
                    "nesterov",
                    "adagrad",
                    "rmsprop",
                    "adam",
                    "adamw",
                    "adamax",
                ),
                many=True,
            ),
            ParamSpec(
                name="surface",
                label="سطح",
                default="rosenbrock",
                choices=("rosenbrock", "beale", "saddle"),
            ),
            ParamSpec(
                name="start", label="نقطهٔ شروع", default="default", choices=("default", "far")
            ),
            ParamSpec(
                name="mode",
                label="نحوهٔ انتخاب نرخ یادگیری",
                default="tuned",
                choices=("tuned", "same"),
            ),
            ParamSpec(
                name="lr", label="نرخ یادگیری یکسان", default=0.01, minimum=0.0001, maximum=1.0
            ),
            ParamSpec(name="steps", label="تعداد گام", default=200, minimum=50, maximum=1000),
            ParamSpec(name="seeds", label="تعداد بذر", default=3, minimum=1, maximum=5),
        ),
        tags=frozenset(
            {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adamax"}
        ),
        topics=frozenset({"optimizers"}),
    ),
)

CATALOGUE: Mapping[str, DemoSpec] = {spec.name: spec for spec in DEMO_SPECS}
"""Every demo by name, in menu order."""

NAMES = tuple(CATALOGUE)


def get(name: str) -> DemoSpec:
    """The demo called `name`; DemoParamError (UNKNOWN_DEMO) when there is none."""
    spec = CATALOGUE.get(name)
    if spec is None:
        raise DemoParamError(ParamErrorCode.UNKNOWN_DEMO, name, value=name, allowed=NAMES)
    return spec


def resolve(name: str, given: Mapping[str, object]) -> dict[str, ParamValue]:
    """The full parameters of demo `name`: defaults overridden by `given`, each checked."""
    return get(name).resolve(given)


def _code_version() -> str:
    # Any change to the demo code changes the version, so cached results are never stale.
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()
"""A hash of the nn_demos source: results cached under another version are not reused."""
