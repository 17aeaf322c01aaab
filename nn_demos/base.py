"""What every demo is: validated parameters in, a PNG with a Persian caption and numbers out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nn_demos.persian import fa_number

ProgressFn = Callable[[float, str], None]
"""Called with the finished fraction (0–1) and a short Persian stage text."""

CAPTION_LIMIT = 1024  # Telegram's photo caption limit


def no_progress(fraction: float, stage: str) -> None:
    """A progress callback that ignores progress."""


class DemoParamError(ValueError):
    """A parameter is unknown or out of range; the message is Persian, for the learner."""


@dataclass(frozen=True)
class DemoResult:
    """A finished demo: the picture, what to notice (Persian), and the measured numbers."""

    png: bytes
    caption: str
    metrics: dict[str, Any]

    def __post_init__(self) -> None:
        if len(self.caption) > CAPTION_LIMIT:
            raise ValueError(f"caption is {len(self.caption)} characters, over {CAPTION_LIMIT}")
        if not self.png.startswith(b"\x89PNG"):
            raise ValueError("png is not a PNG image")


@dataclass(frozen=True)
class Param:
    """One parameter: its Persian label, default, and allowed values or range."""

    name: str
    label: str
    default: Any
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    # For list parameters (e.g. several activations): allowed items, comma-separated input.
    many: bool = False

    def parse(self, raw: str) -> Any:
        """The value for text such as "0.01" or "relu,gelu"; DemoParamError when invalid."""
        text = raw.strip().lower()
        if self.many:
            items = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
            unknown = [item for item in items if item not in self.choices]
            if unknown or not items:
                raise DemoParamError(
                    f"«{self.label}» فقط می‌تونه از این‌ها باشه: {'، '.join(self.choices)}"
                )
            return items
        if self.choices:
            if text not in {str(choice) for choice in self.choices}:
                raise DemoParamError(
                    f"«{self.label}» باید یکی از این‌ها باشه: "
                    + "، ".join(str(choice) for choice in self.choices)
                )
            return next(choice for choice in self.choices if str(choice) == text)
        kind = type(self.default)
        try:
            value = kind(text)
        except ValueError:
            raise DemoParamError(f"«{self.label}» باید عدد باشه.") from None
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise DemoParamError(
                f"«{self.label}» باید بین {fa_number(self.minimum or 0)} و "
                f"{fa_number(self.maximum or 0)} باشه."
            )
        return value


@dataclass(frozen=True)
class Demo:
    """A demo: name, Persian title and summary, parameters, and the function that runs it."""

    name: str
    title: str
    summary: str
    params: tuple[Param, ...]
    run: Callable[[dict[str, Any], ProgressFn], DemoResult] = field(repr=False)

    def resolve(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """Defaults overridden by `raw`; DemoParamError names an unknown or invalid one."""
        known = {param.name: param for param in self.params}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise DemoParamError(
                f"پارامتر «{unknown[0]}» رو نمی‌شناسم؛ پارامترهای این دمو: " + "، ".join(known)
            )
        return {
            name: param.parse(raw[name]) if name in raw else param.default
            for name, param in known.items()
        }
