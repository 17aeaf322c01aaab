"""The steps of /schedule: kind, item, time, a preview exactly as it will appear, confirm.

Each step takes the draft so far and returns the next outcome with the updated draft; the
handler keeps the draft in the conversation's stored state between steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_engine.render import Rendered
from bot.db.models import ItemKind
from bot.services.channel import phrases, planning
from bot.services.channel.outcomes import Problem, Refusal, Refused
from bot.services.channel.rights import Admin, acting_channel, administered
from bot.services.channel.views import ChannelView
from bot.services.learning.catalog import find_topic

# The quick picks offered for the time, in the display time zone: (days from today, hour).
QUICK_PICKS = ((0, 18), (0, 21), (1, 9), (1, 18))


@dataclass(frozen=True)
class ScheduleDraft:
    """What the admin chose so far."""

    channel_id: int
    kind: str | None = None
    item_id: str | None = None
    due_at: str | None = None  # ISO-8601, UTC

    def data(self) -> dict[str, Any]:
        """The draft as stored between steps."""
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any]) -> ScheduleDraft | None:
        """The stored draft, or None when there is none (or it is from an older shape)."""
        try:
            return cls(**data)
        except TypeError:
            return None

    @property
    def due(self) -> datetime | None:
        """The chosen time."""
        return None if self.due_at is None else datetime.fromisoformat(self.due_at)


@dataclass(frozen=True)
class AskKind:
    """Which kind of post to schedule."""

    draft: ScheduleDraft


@dataclass(frozen=True)
class AskWhen:
    """When to post: quick picks (UTC) or a typed Jalali date."""

    draft: ScheduleDraft
    picks: tuple[datetime, ...]


@dataclass(frozen=True)
class BadTime:
    """The typed time was not understood; the step waits for another."""

    draft: ScheduleDraft


@dataclass(frozen=True)
class Preview:
    """The post exactly as it will appear, and when, waiting for confirmation."""

    draft: ScheduleDraft
    post: Rendered
    channel: ChannelView
    due_at: datetime


@dataclass(frozen=True)
class Scheduled:
    """The post is queued."""

    post_id: int
    kind: ItemKind
    label: str
    due_at: datetime


@dataclass(frozen=True)
class Expired:
    """The draft is gone (finished, cancelled, or from before a restart of an older shape)."""


@dataclass(frozen=True)
class Aborted:
    """The admin cancelled."""


def quick_picks(now: datetime, tz: ZoneInfo) -> tuple[datetime, ...]:
    """Today's and tomorrow's usual posting times still ahead, as UTC."""
    local_now = now.astimezone(tz)
    picks = []
    for days, hour in QUICK_PICKS:
        local = datetime.combine(local_now.date() + timedelta(days=days), time(hour), tzinfo=tz)
        if local > local_now:
            picks.append(local.astimezone(UTC))
    return tuple(picks)


async def begin(
    session: AsyncSession, admin: Admin, words: Sequence[str], now: datetime, tz: ZoneInfo
) -> AskKind | AskWhen | Refused | Refusal:
    """/schedule [quiz|interview|lesson, or «کوییز» …] [item id or topic]."""
    channel = await acting_channel(session, admin)
    if not isinstance(channel, ChannelView):
        return channel
    draft = ScheduleDraft(channel.id)
    found = phrases.leading_kind(words)
    if found is None:
        return AskKind(draft)
    kind, rest = found
    item_id = None
    if rest:
        # The rest is an item id, or a topic (id or Persian title) whose next unposted item
        # is wanted.
        named = " ".join(rest)
        topic = await find_topic(session, named)
        item_id = (
            named
            if topic is None
            else await planning.next_unposted(session, channel.id, kind, topic.id)
        )
        if item_id is None:
            return Refused(Problem.EXHAUSTED)
    return AskWhen(ScheduleDraft(channel.id, kind.value, item_id), quick_picks(now, tz))


async def _own(
    session: AsyncSession, admin: Admin, draft: ScheduleDraft | None
) -> ChannelView | None:
    """The draft's channel, if the person still administers it."""
    if draft is None:
        return None
    return next((c for c in await administered(session, admin) if c.id == draft.channel_id), None)


async def choose_kind(
    session: AsyncSession,
    admin: Admin,
    draft: ScheduleDraft | None,
    kind: ItemKind,
    now: datetime,
    tz: ZoneInfo,
) -> AskWhen | Expired:
    """The kind button: the next unposted item of that kind, at a time to choose."""
    if draft is None or await _own(session, admin, draft) is None:
        return Expired()
    return AskWhen(ScheduleDraft(draft.channel_id, kind.value), quick_picks(now, tz))


async def choose_time(
    session: AsyncSession,
    admin: Admin,
    draft: ScheduleDraft | None,
    due_at: datetime | str,
    now: datetime,
    tz: ZoneInfo,
) -> Preview | BadTime | Refused | Expired:
    """A quick pick (UTC) or a typed time (Tehran; see phrases.parse_when): the preview.

    A time already past is refused here, before the preview, and the step waits again.
    """
    channel = await _own(session, admin, draft)
    if draft is None or channel is None or draft.kind is None:
        return Expired()
    due = phrases.parse_when(due_at, now, tz) if isinstance(due_at, str) else due_at
    if due is None:
        return BadTime(draft)
    if due <= now:
        return Refused(Problem.PAST)
    kind = ItemKind(draft.kind)
    try:
        item_id = draft.item_id or await planning.next_unposted(session, channel.id, kind)
        if item_id is None:
            return Refused(Problem.EXHAUSTED)
        await planning.check_fits(session, channel, kind, item_id)
        due_utc = due.astimezone(UTC)
        post = await planning.preview(session, channel, kind, item_id, due_utc)
    except planning.ScheduleError as error:
        return error.refused
    chosen = ScheduleDraft(channel.id, kind.value, item_id, due_utc.isoformat())
    return Preview(chosen, post, channel, due_utc)


async def confirm(
    session: AsyncSession, admin: Admin, draft: ScheduleDraft | None, now: datetime
) -> Scheduled | Refused | Expired:
    """The confirm button: queue the previewed post."""
    channel = await _own(session, admin, draft)
    if draft is None or channel is None or draft.kind is None or draft.due is None:
        return Expired()
    kind = ItemKind(draft.kind)
    try:
        post_id = await planning.schedule_post(
            session, channel, kind, draft.item_id, draft.due, now
        )
    except planning.ScheduleError as error:
        return error.refused
    label = await planning.item_label(session, kind, draft.item_id)
    return Scheduled(post_id, kind, label, draft.due)
