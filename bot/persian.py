"""Showing numbers, dates and durations the way Persian readers expect."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jdatetime

from bot.bank.normalize import to_latin_digits, to_persian_digits

_WEEKDAYS = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه", "شنبه", "یکشنبه")


def fa_number(value: int | float, decimals: int = 0) -> str:
    """A number with Persian digits (and the Persian decimal separator)."""
    text = f"{value:.{decimals}f}" if isinstance(value, float) or decimals else str(value)
    return to_persian_digits(text).replace(".", "٫")


def fa_percent(part: int, whole: int) -> str:
    """A rounded percentage such as «۶۳٪»; «۰٪» when there is nothing to divide."""
    share = round(100 * part / whole) if whole else 0
    return f"{fa_number(share)}٪"


def jalali_date(moment: datetime, tz: ZoneInfo) -> str:
    """A Jalali date such as «۱۴۰۵/۰۹/۰۵» in the given time zone."""
    return jalali_day(moment.astimezone(tz).date())


def jalali_day(day: date) -> str:
    """The Jalali form of a calendar day, such as «۱۴۰۵/۰۹/۰۵»."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return to_persian_digits(f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}")


def jalali_datetime(moment: datetime, tz: ZoneInfo) -> str:
    """A weekday, Jalali date and time such as «چهارشنبه ۱۴۰۵/۰۹/۰۵ ساعت ۱۸:۰۰»."""
    local = moment.astimezone(tz)
    time = to_persian_digits(f"{local.hour:02d}:{local.minute:02d}")
    return f"{_WEEKDAYS[local.weekday()]} {jalali_date(moment, tz)} ساعت {time}"


def fa_duration(span: timedelta) -> str:
    """A duration such as «۳ دقیقه و ۱۲ ثانیه»."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{fa_number(hours)} ساعت")
    if minutes:
        parts.append(f"{fa_number(minutes)} دقیقه")
    if seconds or not parts:
        parts.append(f"{fa_number(seconds)} ثانیه")
    return " و ".join(parts)


_JALALI = re.compile(r"^\s*(\d{4})[/\-](\d{1,2})[/\-](\d{1,2})\s+(\d{1,2}):(\d{2})\s*$")


def parse_jalali_datetime(text: str, tz: ZoneInfo) -> datetime | None:
    """«۱۴۰۵/۰۹/۱۰ ۱۸:۰۰» (Persian or Latin digits) in `tz` as an aware datetime, or None."""
    match = _JALALI.match(to_latin_digits(text))
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        gregorian = jdatetime.date(year, month, day).togregorian()
        return datetime(gregorian.year, gregorian.month, gregorian.day, hour, minute, tzinfo=tz)
    except ValueError:
        return None
