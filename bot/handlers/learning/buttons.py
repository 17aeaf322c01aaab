"""The learner's inline buttons, as typed payloads (each feature module maps its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.handlers.buttons import Button


@dataclass(frozen=True)
class QuizButton(Button):
    """A quiz of a topic (None: the whole bank)."""

    prefix: ClassVar[str] = "q"
    topic: str | None


@dataclass(frozen=True)
class TopicMenuButton(Button):
    """What can be done with a topic."""

    prefix: ClassVar[str] = "tp"
    topic: str


@dataclass(frozen=True)
class TestButton(Button):
    """A test of the default size on a topic."""

    __test__ = False  # not a pytest test class, despite the name

    prefix: ClassVar[str] = "t"
    topic: str | None


@dataclass(frozen=True)
class InterviewButton(Button):
    """An interview question of a topic."""

    prefix: ClassVar[str] = "i"
    topic: str | None


@dataclass(frozen=True)
class RevealButton(Button):
    """Show the model answer under an interview question."""

    prefix: ClassVar[str] = "a"
    question: str


@dataclass(frozen=True)
class ForgetButton(Button):
    """/forget's confirmation: "yes" deletes, "no" keeps."""

    prefix: ClassVar[str] = "f"
    choice: str


@dataclass(frozen=True)
class TimedTestButton(Button):
    """Start the offered test: `seconds` per question, 0 for no timer."""

    __test__ = False

    prefix: ClassVar[str] = "tt"
    topic: str | None
    size: int
    seconds: int


@dataclass(frozen=True)
class SharedResultsButton(Button):
    """How the takers of a shared test did, by score."""

    prefix: ClassVar[str] = "sr"
    code: str


@dataclass(frozen=True)
class RemindButton(Button):
    """The daily review reminder at a local hour; None turns it off."""

    prefix: ClassVar[str] = "rm"
    hour: int | None


@dataclass(frozen=True)
class StartReviewButton(Button):
    """A reminder's button: the due reviews, as /review."""

    prefix: ClassVar[str] = "rv"
