"""One catalogue of Persian text, each entry used; every outcome a service returns is shown."""

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

import bot.app  # noqa: F401 - importing the app registers every renderer
from bot import texts
from bot.handlers.work import renderer_of
from bot.services.channel import drafting, results
from bot.services.channel import outcomes as channel_outcomes
from bot.services.learning import demos
from bot.services.learning import outcomes as learning_outcomes
from bot.services.reporting import export

ROOT = Path(__file__).resolve().parent.parent
OUTCOME_MODULES = [learning_outcomes, channel_outcomes, drafting, demos, results, export]


# Data carried inside outcomes, not outcomes themselves.
NOT_OUTCOMES = {"ScheduleDraft", "QuizResult", "View", "ExportReady"}  # the last: a job's file


def outcome_types() -> list[type]:
    return [
        value
        for module in OUTCOME_MODULES
        for _, value in inspect.getmembers(module, inspect.isclass)
        if value.__module__ == module.__name__
        and dataclasses.is_dataclass(value)
        and value.__name__ not in NOT_OUTCOMES
    ]


@pytest.mark.parametrize("kind", outcome_types(), ids=lambda kind: kind.__name__)
def test_every_outcome_has_a_renderer(kind: type) -> None:
    assert renderer_of(kind) is not None, f"{kind.__name__} is never shown"


def test_every_catalogue_entry_is_used() -> None:
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "bot").rglob("*.py")
        if path.name != "texts.py"
    )
    names = [name for name in vars(texts) if re.fullmatch(r"[A-Z][A-Z0-9_]+", name)]
    unused = [name for name in names if f"texts.{name}" not in source]
    assert unused == []
