"""What admins type for /slot and /schedule, in Persian or English, read without a bot."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import ItemKind
from bot.services.channel.phrases import parse_clock, parse_days, parse_when
from bot.services.channel.planning import parse_slot

TEHRAN = ZoneInfo("Asia/Tehran")
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # Thursday 11:30 in Tehran
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]
ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("quiz daily 18:00", (ItemKind.QUIZ, EVERY_DAY, time(18))),
        ("interview mon,thu 10:00", (ItemKind.INTERVIEW, [1, 4], time(10))),
        ("Lesson SAT 9:05", (ItemKind.LESSON, [6], time(9, 5))),
        ("کوییز هر روز ۱۸:۰۰", (ItemKind.QUIZ, EVERY_DAY, time(18))),
        ("کوئیز هرروز ۱۸:۳۰", (ItemKind.QUIZ, EVERY_DAY, time(18, 30))),
        ("کوییز روزانه ۶ عصر", (ItemKind.QUIZ, EVERY_DAY, time(18))),
        ("مصاحبه شنبه، سه‌شنبه ۹ صبح", (ItemKind.INTERVIEW, [2, 6], time(9))),
        ("سوال مصاحبه سه شنبه و پنجشنبه ۲۱", (ItemKind.INTERVIEW, [2, 4], time(21))),
        ("سؤال مصاحبه جمعه ۱۲ ظهر", (ItemKind.INTERVIEW, [5], time(12))),
        (f"درس یک{ZWNJ}شنبه,دوشنبه ۹ شب", (ItemKind.LESSON, [1, 7], time(21))),
        ("درس پنج‌شنبه ساعت ۸:۱۵ صبح", (ItemKind.LESSON, [4], time(8, 15))),
        ("quiz چهارشنبه ٠٩:٣٠", (ItemKind.QUIZ, [3], time(9, 30))),  # Arabic-Indic digits
        ("كوييز هر روز ۱۸", (ItemKind.QUIZ, EVERY_DAY, time(18))),  # Arabic ي and ك
    ],
)
def test_slots_read_in_persian_and_english(
    command: str, expected: tuple[ItemKind, list[int], time]
) -> None:
    # /slot's words arrive split on white space: «هر روز» is two of them.
    assert parse_slot(command.split()) == expected


@pytest.mark.parametrize(
    "command",
    [
        "",
        "quiz",
        "quiz daily",
        "daily 18:00",
        "کوییز هر روز",
        "کوییز هر روز ۲۵:۰۰",
        "کوییز هر روز ۱۸:۷۵",
        "کوییز هر شب ۱۸:۰۰",
        "کوییز شنبه و ۱۸:۰۰",
        "poll daily 18:00",
        "کوییز ۱۸:۰۰",
        "کوییز هر روز ۱۸ صبح",
        "quiz mon,,thu 10:00",
    ],
)
def test_malformed_slots_are_not_guessed(command: str) -> None:
    assert parse_slot(command.split()) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۸:۳۰", time(18, 30)),
        ("18", time(18)),
        ("۶ عصر", time(18)),
        ("۶ بعدازظهر", time(18)),
        ("۶ بعد از ظهر", time(18)),
        ("۹ صبح", time(9)),
        ("۱۲ ظهر", time(12)),
        ("۱ ظهر", time(13)),
        ("۹ شب", time(21)),
        ("۱۲ شب", time(0)),
        ("ساعت ۶:۳۰ عصر", time(18, 30)),
        ("6pm", time(18)),
        ("۰:۰۵", time(0, 5)),
    ],
)
def test_times_of_day(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["", "عصر", "۲۴:۰۰", "۱۳ صبح", "۸ ظهر", "۶ عصرها", "۱۸:۳"])
def test_times_that_are_no_time_of_day(text: str) -> None:
    assert parse_clock(text) is None


def test_days_in_every_spelling() -> None:
    assert parse_days("هر روز") == parse_days("everyday") == EVERY_DAY
    spellings = ["سه شنبه", "سه‌شنبه", "سهشنبه", "tue", "Tuesday"]
    assert {tuple(parse_days(spelling) or []) for spelling in spellings} == {(2,)}
    assert parse_days("شنبه، یکشنبه و دوشنبه") == [1, 6, 7]
    assert parse_days("شنبه ، شنبه") == [6]
    assert parse_days("دوشنبه شب") is None


def tehran(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TEHRAN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۸:۳۰", tehran(26, 18, 30)),  # still ahead today
        ("۱۰:۰۰", tehran(27, 10)),  # passed today: tomorrow
        ("۹ شب", tehran(26, 21)),
        ("امروز ۲۰:۰۰", tehran(26, 20)),
        ("فردا ساعت ۶ عصر", tehran(27, 18)),
        ("فردا ۱۸", tehran(27, 18)),
        ("پس‌فردا ۹ صبح", tehran(28, 9)),
        ("پس فردا ساعت ۹:۱۵", tehran(28, 9, 15)),
        ("شنبه ۲۰:۰۰", tehran(28, 20)),
        ("پنج‌شنبه ۱۰:۰۰", datetime(2026, 12, 3, 10, tzinfo=TEHRAN)),  # today's has passed
        ("۱۴۰۵/۰۹/۱۰ ۱۸:۳۰", datetime(2026, 12, 1, 18, 30, tzinfo=TEHRAN)),
        ("۱۴۰۵/۰۹/۱۰ ساعت ۶ عصر", datetime(2026, 12, 1, 18, tzinfo=TEHRAN)),
        ("2026-12-01 18:00", datetime(2026, 12, 1, 18, tzinfo=TEHRAN)),
        # Past times are read as typed; /schedule refuses them before any preview.
        ("امروز ۱۰:۰۰", tehran(26, 10)),
        ("۱۴۰۵/۰۹/۰۱ ۱۰:۰۰", tehran(22, 10)),
    ],
)
def test_typed_moments_in_tehran_time(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW, TEHRAN) == expected


@pytest.mark.parametrize(
    "text", ["", "فردا", "فردا عصر", "دیروز ۱۸:۰۰", "۱۴۰۵/۱۳/۰۱ ۱۸:۰۰", "۱۸:۰۰ فردا", "hello"]
)
def test_typed_moments_not_understood(text: str) -> None:
    assert parse_when(text, NOW, TEHRAN) is None
