"""A group's game settings: the timer, the number of questions, the default topic.

Only the group's admins change them. Whether the person is one is Telegram's to say
(getChatMember, asked by the handler at the time of the change); the service refuses a
change from anyone else and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.normalize import comparison_key, to_latin_digits
from bot.db.models import GroupSettings
from bot.services.groups.outcomes import (
    BadSetting,
    GameSettingsView,
    NotGroupAdmin,
    SettingProblem,
    SettingsShown,
)
from bot.services.learning import catalog

TIMER_LOW, TIMER_DEFAULT, TIMER_HIGH = 10, 30, 120  # seconds a question stays open
SIZE_LOW, SIZE_DEFAULT, SIZE_HIGH = 1, 5, 20  # questions in a game
# The words a setting may be named by, Persian or English, as `comparison_key` reads them.
TIMER_WORDS = frozenset({"timer", "time", "زمان", "تایمر", "وقت"})
SIZE_WORDS = frozenset({"questions", "count", "n", "تعداد", "سوال", "سوال ها"})
TOPIC_WORDS = frozenset({"topic", "موضوع"})
# ("*" reads as the empty key.)
ALL_TOPICS_WORDS = frozenset({"all", "", "همه", "همه موضوع ها", "بانک"})

Change = SettingsShown | NotGroupAdmin | BadSetting


async def settings_of(session: AsyncSession, group: str) -> GameSettingsView:
    """The group's settings (the defaults until an admin changes one)."""
    row = await session.get(GroupSettings, group)
    if row is None:
        return GameSettingsView(TIMER_DEFAULT, SIZE_DEFAULT, None)
    # A topic retired since it was chosen: games draw from the whole bank again.
    topic = await catalog.topic_by_id(session, row.topic_id) if row.topic_id else None
    return GameSettingsView(row.timer_seconds, row.questions, topic)


async def show(
    session: AsyncSession, group: str, admin: bool, saved: bool = False
) -> SettingsShown:
    """The settings panel (with its buttons for an admin)."""
    topics = await catalog.topic_summaries(session)
    return SettingsShown(await settings_of(session, group), topics, admin, saved)


async def _save(
    session: AsyncSession, group: str, now: datetime, **values: int | str | None
) -> None:
    row = await session.get(GroupSettings, group)
    if row is None:
        current = await settings_of(session, group)
        row = GroupSettings(
            group_hash=group,
            timer_seconds=current.timer_seconds,
            questions=current.questions,
            topic_id=None,
        )
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now


async def set_timer(
    session: AsyncSession, group: str, admin: bool, seconds: int, now: datetime
) -> Change:
    """An admin sets how long each question stays open."""
    if not admin:
        return NotGroupAdmin()
    if not TIMER_LOW <= seconds <= TIMER_HIGH:
        return BadSetting(SettingProblem.TIMER)
    await _save(session, group, now, timer_seconds=seconds)
    return await show(session, group, admin, saved=True)


async def set_questions(
    session: AsyncSession, group: str, admin: bool, count: int, now: datetime
) -> Change:
    """An admin sets how many questions a game has."""
    if not admin:
        return NotGroupAdmin()
    if not SIZE_LOW <= count <= SIZE_HIGH:
        return BadSetting(SettingProblem.QUESTIONS)
    await _save(session, group, now, questions=count)
    return await show(session, group, admin, saved=True)


async def set_topic(
    session: AsyncSession, group: str, admin: bool, topic_id: str | None, now: datetime
) -> Change:
    """An admin sets the topic games draw from (None: the whole bank)."""
    if not admin:
        return NotGroupAdmin()
    if topic_id is not None and await catalog.topic_by_id(session, topic_id) is None:
        return BadSetting(SettingProblem.TOPIC)
    await _save(session, group, now, topic_id=topic_id)
    return await show(session, group, admin, saved=True)


def _count(word: str) -> int | None:
    digits = to_latin_digits(word)
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 6 else None


async def change_by_words(
    session: AsyncSession, group: str, admin: bool, words: Sequence[str], now: datetime
) -> Change:
    """/gamesettings [زمان ۴۵ | تعداد ۱۰ | موضوع cnn]: show the settings, or change one."""
    if not words:
        return await show(session, group, admin)
    if not admin:
        return NotGroupAdmin()
    name, rest = comparison_key(words[0]), list(words[1:])
    number = _count(rest[0]) if len(rest) == 1 else None
    if name in TIMER_WORDS and number is not None:
        return await set_timer(session, group, admin, number, now)
    if name in SIZE_WORDS and number is not None:
        return await set_questions(session, group, admin, number, now)
    if name in TOPIC_WORDS and rest:
        text = " ".join(rest)
        if comparison_key(text) in ALL_TOPICS_WORDS:
            return await set_topic(session, group, admin, None, now)
        topic = await catalog.find_topic(session, text)
        if topic is None:
            return BadSetting(SettingProblem.TOPIC)
        return await set_topic(session, group, admin, topic.id, now)
    return BadSetting(SettingProblem.USAGE)
