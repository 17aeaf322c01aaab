"""Plain views of channels, posts and slots, handed from services to handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from bot.db.models import Channel, ItemKind, PostState, RecurringSlot


@dataclass(frozen=True)
class ChannelView:
    """A channel and its posting settings."""

    id: int
    chat_id: int
    title: str
    signature: str | None
    hashtags: tuple[str, ...]
    next_quiz_number: int
    silent: bool
    pin_quizzes: bool
    grace_minutes: int

    @classmethod
    def of(cls, channel: Channel) -> ChannelView:
        """The view of a channel row."""
        return cls(
            id=channel.id,
            chat_id=channel.chat_id,
            title=channel.title,
            signature=channel.signature,
            hashtags=tuple(channel.default_hashtags),
            next_quiz_number=channel.next_quiz_number,
            silent=channel.silent,
            pin_quizzes=channel.pin_quizzes,
            grace_minutes=channel.grace_minutes,
        )


@dataclass(frozen=True)
class QueuedPost:
    """A pending post as the queue shows it: when, what kind, and the item's own words."""

    id: int
    channel_id: int
    due_at: datetime
    kind: ItemKind
    item_id: str | None
    label: str
    state: PostState = PostState.PENDING


@dataclass(frozen=True)
class SlotView:
    """A recurring slot: kind, weekdays (bit 0 = Monday), Tehran time of day.

    With its topic's Persian title (when it keeps to one) and its next queued post, if any.
    """

    id: int
    kind: ItemKind
    weekdays: int
    local_time: time
    topic_title: str | None = None
    next_post: QueuedPost | None = None

    @classmethod
    def of(
        cls,
        slot: RecurringSlot,
        topic_title: str | None = None,
        next_post: QueuedPost | None = None,
    ) -> SlotView:
        """The view of a slot row."""
        return cls(slot.id, slot.kind, slot.weekdays, slot.local_time, topic_title, next_post)
