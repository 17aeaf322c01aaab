"""Reading what admins type for kinds, days and times, in Persian or English.

`/slot کوییز هر روز ۶ عصر`, `/slot quiz mon,thu 10:00`, and the times /schedule takes:
`۱۸:۳۰` (the next such time), `فردا ساعت ۶ عصر`, `پس‌فردا ۹ صبح`, `شنبه ۲۰:۰۰`, a Jalali
`۱۴۰۵/۰۹/۱۰ ۱۸:۰۰` (or a Gregorian `2026-12-01 18:00`). Everything here is pure: the caller
passes the clock and the time zone, and gets None for what it cannot read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime

from bot.bank.normalize import to_latin_digits
from bot.db.models import ItemKind

# Kind words, compared without spaces (so «سوال مصاحبه» and «سوالمصاحبه» both read).
KIND_WORDS = {
    "quiz": ItemKind.QUIZ,
    "کوییز": ItemKind.QUIZ,
    "کوئیز": ItemKind.QUIZ,
    "کویز": ItemKind.QUIZ,
    "interview": ItemKind.INTERVIEW,
    "مصاحبه": ItemKind.INTERVIEW,
    "سوالمصاحبه": ItemKind.INTERVIEW,
    "lesson": ItemKind.LESSON,
    "درس": ItemKind.LESSON,
}
# ISO weekdays (1 = Monday), by the day's name without spaces: «سه شنبه» = «سه‌شنبه».
DAY_WORDS = {
    "mon": 1,
    "monday": 1,
    "tue": 2,
    "tuesday": 2,
    "wed": 3,
    "wednesday": 3,
    "thu": 4,
    "thursday": 4,
    "fri": 5,
    "friday": 5,
    "sat": 6,
    "saturday": 6,
    "sun": 7,
    "sunday": 7,
    "دوشنبه": 1,
    "سهشنبه": 2,
    "چهارشنبه": 3,
    "پنجشنبه": 4,
    "جمعه": 5,
    "شنبه": 6,
    "یکشنبه": 7,
}
EVERY_DAY_WORDS = {"daily", "everyday", "هرروز", "روزانه"}
# Days from today, by the word for the day.
RELATIVE_DAYS = {"امروز": 0, "today": 0, "فردا": 1, "tomorrow": 1, "پسفردا": 2}

# A time of day at the end of the text: «18:30», «18», «۶ عصر», «ساعت ۹ صبح», «6:30 pm».
_CLOCK = re.compile(
    r"(?:^|\s)(?:ساعت\s*)?(\d{1,2})(?:[:٫.](\d{2}))?"
    r"\s*(صبح|بامداد|ظهر|بعد\s?از\s?ظهر|عصر|شب|am|pm)?$"
)
_DATE = re.compile(r"^(\d{4})[/\-](\d{1,2})[/\-](\d{1,2})$")
# Several days: «شنبه، دوشنبه», `mon,thu`, «شنبه و سه‌شنبه» («و» alone: «دوشنبه» has one).
_SEPARATORS = re.compile(r"\s*[،,؛;]\s*|\s+و\s+")


def normal(text: str) -> str:
    """Latin digits, Persian ی/ک, ZWNJs as spaces, no bidi marks, lower case, single spaces."""
    # Telegram clients put bidi marks around mixed Persian and Latin text; they mean nothing.
    text = to_latin_digits(text).replace("ي", "ی").replace("ك", "ک").replace("ؤ", "و")
    text = "".join(" " if c == "\u200c" else c for c in text if c == "\u200c" or not _format(c))
    return " ".join(text.casefold().split())


def _format(character: str) -> bool:
    return unicodedata.category(character) == "Cf"


def _compact(text: str) -> str:
    return text.replace(" ", "")


def parse_kind(text: str) -> ItemKind | None:
    """A kind word (`quiz`, «کوییز», «سوال مصاحبه», «درس» …), or None."""
    return KIND_WORDS.get(_compact(normal(text)))


def leading_kind(words: Sequence[str]) -> tuple[ItemKind, list[str]] | None:
    """The kind named by the first word or two (`quiz`, «سوال مصاحبه»), and the words after."""
    for size in (2, 1):
        kind = parse_kind(" ".join(words[:size])) if len(words) >= size else None
        if kind is not None:
            return kind, list(words[size:])
    return None


def split_kind(text: str) -> tuple[ItemKind, str] | None:
    """The kind the text starts with (one or two words), and the rest of the text."""
    found = leading_kind(normal(text).split(" "))
    return None if found is None else (found[0], " ".join(found[1]))


def parse_days(text: str) -> list[int] | None:
    """ISO weekdays from «هر روز», «شنبه، سه‌شنبه و پنجشنبه», `mon,thu` …; None if unread."""
    text = normal(text)
    if _compact(text) in EVERY_DAY_WORDS:
        return list(range(1, 8))
    days = [DAY_WORDS.get(_compact(part)) for part in _SEPARATORS.split(text)]
    if not days or None in days:
        return None
    return sorted({day for day in days if day is not None})


def _minutes(hour: int, minute: int, part: str | None) -> int | None:
    """Minutes since midnight (from 1440: past the midnight ending the day, «۱۲ شب»), or None."""
    if minute > 59 or hour > 23:
        return None
    part = None if part is None else part.replace(" ", "")
    if part is None or hour >= 13:
        # The 24-hour clock; «۱۸ عصر» and «۲۱ شب» say the same twice.
        return hour * 60 + minute if part not in ("صبح", "بامداد", "am") else None
    if part in ("صبح", "بامداد", "am"):
        # «۱۲ صبح» is said of noon as often as of midnight: refused rather than guessed.
        return hour * 60 + minute if hour < 12 else None
    if hour == 0:
        return None
    if hour == 12:
        return 1440 + minute if part == "شب" else 720 + minute
    if part == "ظهر" and hour == 11:
        return 660 + minute  # «۱۱ ظهر»: late morning, as people say it
    if part == "ظهر" and hour > 3:
        return None  # «۸ ظهر» is no time anyone means
    return (hour + 12) * 60 + minute


def split_clock(text: str) -> tuple[int, str] | None:
    """The time of day the text ends with, as minutes since midnight, and the text before it."""
    text = normal(text)
    match = _CLOCK.search(text)
    if match is None:
        return None
    hour, minute, part = match.group(1), match.group(2), match.group(3)
    minutes = _minutes(int(hour), int(minute or 0), part)
    if minutes is None:
        return None
    return minutes, text[: match.start()].strip()


def parse_clock(text: str) -> time | None:
    """A time of day: `18:30`, `18`, «۶ عصر» (18:00), «۹ صبح», «۱۲ ظهر», «۹ شب» (21:00)."""
    found = split_clock(text)
    if found is None or found[1]:
        return None
    minutes = found[0] % 1440
    return time(minutes // 60, minutes % 60)


def _on(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minutes)


def _calendar_day(text: str) -> date | None:
    match = _DATE.match(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        if year >= 1700:  # a Gregorian year; Jalali years are around 1400
            return date(year, month, day)
        gregorian: date = jdatetime.date(year, month, day).togregorian()
        return gregorian
    except ValueError:
        return None


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """A typed moment in `tz`, or None; it may lie in the past (the caller refuses that).

    A time alone is the next such time (today if still ahead, else tomorrow); a weekday is
    the next such day (today if the time is still ahead).
    """
    found = split_clock(text)
    if found is None:
        return None
    minutes, day_text = found
    local_now = now.astimezone(tz)
    today = local_now.date()
    day_text = re.sub(r"\s*ساعت$", "", day_text)
    if not day_text:
        moment = _on(today, minutes, tz)
        return moment if moment > local_now else _on(today + timedelta(days=1), minutes, tz)
    if _compact(day_text) in RELATIVE_DAYS:
        return _on(today + timedelta(days=RELATIVE_DAYS[_compact(day_text)]), minutes, tz)
    if _compact(day_text) in DAY_WORDS:
        ahead = (DAY_WORDS[_compact(day_text)] - today.isoweekday()) % 7
        moment = _on(today + timedelta(days=ahead), minutes, tz)
        return moment if moment > local_now else moment + timedelta(days=7)
    day = _calendar_day(day_text)
    return None if day is None else _on(day, minutes, tz)
