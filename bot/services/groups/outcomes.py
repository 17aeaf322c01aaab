"""What a request in a group led to: typed, frozen outcomes the handlers word and send."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.services.learning.catalog import TopicSummary
from bot.services.learning.views import TopicRef


@dataclass(frozen=True)
class GameStarted:
    """A game opened: its first question follows after a short pause."""

    game_id: int
    size: int
    requested: int  # more than `size` when the scope has fewer quizzes
    timer_seconds: int
    topic: TopicRef | None


@dataclass(frozen=True)
class GameAlreadyRunning:
    """The group already plays a game; one at a time."""

    asked: int
    size: int


@dataclass(frozen=True)
class GroupUnknownTopic:
    """The typed topic matches none: the topics there are (as text, not buttons)."""

    text: str
    topics: tuple[TopicSummary, ...]


@dataclass(frozen=True)
class BadGameSize:
    """A game's number of questions outside the allowed range."""

    low: int
    high: int


@dataclass(frozen=True)
class PlayerAnswered:
    """A player's answer to a game's poll counted (the handler remembers their first name)."""

    game_id: int
    player: str


@dataclass(frozen=True)
class GameSettingsView:
    """A group's game settings."""

    timer_seconds: int
    questions: int
    topic: TopicRef | None


@dataclass(frozen=True)
class SettingsShown:
    """The settings panel; buttons only for an admin. `saved` after a change."""

    settings: GameSettingsView
    topics: tuple[TopicSummary, ...]
    admin: bool
    saved: bool = False


@dataclass(frozen=True)
class NotGroupAdmin:
    """Only the group's admins change its game settings."""


class SettingProblem(enum.StrEnum):
    """Why a typed or pressed setting was refused."""

    TIMER = "timer"  # seconds out of range
    QUESTIONS = "questions"  # count out of range
    TOPIC = "topic"  # no such topic
    USAGE = "usage"  # not understood


@dataclass(frozen=True)
class BadSetting:
    """A setting that cannot be taken, and why."""

    problem: SettingProblem
