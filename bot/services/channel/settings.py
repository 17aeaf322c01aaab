"""A channel's posting settings: signature, hashtags, numbering, grace window, toggles."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.normalize import normalize_text, to_latin_digits
from bot.db.models import Channel, Publication, ScheduledPost
from bot.services.channel.outcomes import (
    QuizNumberTaken,
    Refusal,
    Setting,
    SettingRefused,
    SettingSaved,
    SettingsShown,
)
from bot.services.channel.rights import Admin, acting_channel, administered, refusal
from bot.services.channel.views import ChannelView

MAX_GRACE_MINUTES = 24 * 60
_HASHTAG = re.compile(r"^#\w+$")


class Toggle(enum.StrEnum):
    """A channel setting switched by a button."""

    SILENT = "silent"
    PIN = "pin"


async def show(session: AsyncSession, admin: Admin) -> SettingsShown | Refusal:
    """/settings: the acting channel's settings."""
    channel = await acting_channel(session, admin)
    return SettingsShown(channel) if isinstance(channel, ChannelView) else channel


def _number(words: Sequence[str], low: int, high: int) -> int | None:
    """The one number typed (Latin or Persian digits) if it lies in [low, high]."""
    if len(words) != 1 or not to_latin_digits(words[0]).isdigit():
        return None
    value = int(to_latin_digits(words[0]))
    return value if low <= value <= high else None


async def highest_quiz_number(session: AsyncSession, channel_id: int) -> int:
    """The highest number a quiz of the channel has: posted, or taken by a post not yet sent."""
    numbers = union_all(
        select(Publication.quiz_number.label("number")).where(Publication.channel_id == channel_id),
        select(ScheduledPost.quiz_number.label("number")).where(
            ScheduledPost.channel_id == channel_id
        ),
    ).subquery()
    return int(await session.scalar(select(func.coalesce(func.max(numbers.c.number), 0))) or 0)


async def change(
    session: AsyncSession, admin: Admin, setting: Setting, words: Sequence[str]
) -> SettingSaved | SettingRefused | QuizNumberTaken | Refusal:
    """Set one setting from what the admin typed after the command."""
    acting = await acting_channel(session, admin)
    if not isinstance(acting, ChannelView):
        return acting
    channel = await session.get(Channel, acting.id)
    if channel is None:
        return SettingRefused(setting)
    if setting is Setting.SIGNATURE:
        channel.signature = normalize_text(" ".join(words)) or None
    elif setting is Setting.HASHTAGS:
        if not all(_HASHTAG.match(word) for word in words):
            return SettingRefused(setting)
        channel.default_hashtags = list(dict.fromkeys(words))
    elif setting is Setting.QUIZ_NUMBER:
        number = _number(words, 1, 10**6)
        if number is None:
            return SettingRefused(setting)
        # A number given twice would repeat in the channel (and a second publication with
        # it cannot be recorded): the series only goes on.
        highest = await highest_quiz_number(session, channel.id)
        if number <= highest:
            return QuizNumberTaken(number, highest + 1)
        channel.next_quiz_number = number
    else:
        # At least a minute: the scheduler always runs a moment after a post falls due.
        grace = _number(words, 1, MAX_GRACE_MINUTES)
        if grace is None:
            return SettingRefused(setting)
        channel.grace_minutes = grace
    return SettingSaved()


async def toggle(
    session: AsyncSession, admin: Admin, channel_id: int, which: Toggle
) -> SettingsShown | Refusal:
    """Switch silent posting or pinning of one of the admin's channels."""
    if channel_id not in {channel.id for channel in await administered(session, admin)}:
        return await refusal(session)
    channel = await session.get(Channel, channel_id)
    if channel is None:
        return await refusal(session)
    if which is Toggle.SILENT:
        channel.silent = not channel.silent
    else:
        channel.pin_quizzes = not channel.pin_quizzes
    await session.flush()
    return SettingsShown(ChannelView.of(channel))
