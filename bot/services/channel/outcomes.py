"""What a channel admin's request led to: typed, frozen outcomes the handlers word and send."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.services.channel.views import ChannelView, QueuedPost, SlotView


@dataclass(frozen=True)
class NotAdmin:
    """The person administers none of the bot's channels."""


@dataclass(frozen=True)
class NoChannels:
    """The bot is an admin of no channel yet."""


@dataclass(frozen=True)
class ChooseChannel:
    """The person administers several channels: which one to work on."""

    channels: tuple[ChannelView, ...]


@dataclass(frozen=True)
class ChannelChosen:
    """The admin now works on this channel."""

    channel: ChannelView


# Why an admin request could not act on a channel.
Refusal = NotAdmin | NoChannels | ChooseChannel


@dataclass(frozen=True)
class ChannelRegistered:
    """The bot became an admin of a channel; the person who added it is greeted."""

    channel: ChannelView


@dataclass(frozen=True)
class SettingsShown:
    """A channel's settings with their toggles."""

    channel: ChannelView


class Setting(enum.StrEnum):
    """A channel setting an admin types."""

    SIGNATURE = "signature"
    HASHTAGS = "hashtags"
    QUIZ_NUMBER = "quiznumber"
    GRACE = "grace"


@dataclass(frozen=True)
class SettingSaved:
    """The setting was changed."""


@dataclass(frozen=True)
class SettingRefused:
    """The typed value is not valid for the setting: show how to write it."""

    setting: Setting


@dataclass(frozen=True)
class QuizNumberTaken:
    """A quiz of the channel already has this number (or a later one): numbers never repeat."""

    number: int
    minimum: int


class Problem(enum.StrEnum):
    """Why a post cannot be scheduled or sent."""

    PAST = "past"  # the time has passed
    EXHAUSTED = "exhausted"  # every item of the kind (or topic) is posted or queued
    NOT_FOUND = "not_found"  # no such item, or it is retired
    TOO_LONG = "too_long"  # numbered and signed, it would exceed a Telegram limit
    UNKNOWN_CHANNEL = "unknown_channel"


@dataclass(frozen=True)
class Refused:
    """A post that cannot be scheduled, and why."""

    problem: Problem
    item_id: str | None = None
    limit: int | None = None
    # The item's own words (question or title) when it is in the bank: what admins see.
    label: str | None = None


@dataclass(frozen=True)
class QueueShown:
    """The pending posts of a channel, soonest first; and those waiting for an admin.

    `attention`: missed, failed and uncertain posts, newest first, until an admin resends or
    dismisses them.
    """

    channel: ChannelView
    posts: tuple[QueuedPost, ...]
    attention: tuple[QueuedPost, ...] = ()


@dataclass(frozen=True)
class PostCancelled:
    """A pending post was cancelled."""

    post_id: int


@dataclass(frozen=True)
class PostMoved:
    """A pending post now goes out at `due_at`."""

    post_id: int
    due_at: datetime


@dataclass(frozen=True)
class PostGone:
    """The post is no longer pending (sent, cancelled) or not one of the admin's channels."""


@dataclass(frozen=True)
class PostQueued:
    """The post goes out at the scheduler's next pass, which is woken at once."""

    post_id: int


@dataclass(frozen=True)
class PostNowUsage:
    """/postnow was typed wrongly."""


@dataclass(frozen=True)
class SlotAdded:
    """A recurring slot was added; its coming week is filled at the next pass."""

    slot: SlotView


@dataclass(frozen=True)
class SlotUsage:
    """/slot or /unslot was typed wrongly."""


@dataclass(frozen=True)
class SlotsShown:
    """The active recurring slots of a channel."""

    channel: ChannelView
    slots: tuple[SlotView, ...]


@dataclass(frozen=True)
class SlotRemoved:
    """The slot stops (posts it already queued stay in the queue)."""

    slot_id: int
