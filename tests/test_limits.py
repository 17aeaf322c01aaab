"""Telegram's limits as bot/limits.py writes them are the ones PTB knows."""

import subprocess
import sys

from telegram.constants import (
    CallbackQueryLimit,
    InlineKeyboardButtonLimit,
    MessageLimit,
    PollLimit,
)

from bot import limits


def test_every_limit_matches_telegram_constants() -> None:
    assert limits.MAX_MESSAGE_LENGTH == MessageLimit.MAX_TEXT_LENGTH
    assert limits.MAX_CAPTION_LENGTH == MessageLimit.CAPTION_LENGTH
    assert limits.MAX_QUESTION_LENGTH == PollLimit.MAX_QUESTION_LENGTH
    assert limits.MAX_OPTION_LENGTH == PollLimit.MAX_OPTION_LENGTH
    assert limits.MAX_OPTIONS == PollLimit.MAX_OPTION_NUMBER
    assert limits.MAX_EXPLANATION_LENGTH == PollLimit.MAX_EXPLANATION_LENGTH
    assert limits.MAX_EXPLANATION_LINE_FEEDS == PollLimit.MAX_EXPLANATION_LINE_FEEDS
    assert limits.MAX_CALLBACK_DATA_BYTES == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert limits.MAX_ALERT_LENGTH == CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH


def test_lengths_count_utf16_units_as_telegram_does() -> None:
    assert limits.telegram_length("سلام") == 4
    assert limits.telegram_length("🔬") == 2  # outside the BMP: a surrogate pair


def test_fit_cuts_within_the_limit_and_never_splits_an_emoji() -> None:
    assert limits.fit("کوتاه", 10) == "کوتاه"
    cut = limits.fit("الف" * 10 + "🔬🔬", 32)
    assert limits.telegram_length(cut) <= 32
    assert cut.endswith("…")
    assert limits.fit("🔬" * 5, 4) == "🔬…"


def test_first_words_cut_after_a_whole_word_with_an_ellipsis() -> None:
    assert limits.first_words("تابع  فعال‌سازی\nسیگموید", 40) == "تابع فعال‌سازی سیگموید"
    assert limits.first_words("یادگیری عمیق با شبکه‌های کانولوشنی", 20) == "یادگیری عمیق با…"
    # One word longer than the room is cut inside it rather than dropped.
    assert limits.first_words("Backpropagation", 8) == "Backpro…"


def test_limits_import_no_telegram() -> None:
    code = "import sys, bot.limits; assert 'telegram' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_first_words_cut_between_words_on_one_line() -> None:
    assert limits.first_words("نقش بایاس\nدر یک نورون چیه؟", 60) == "نقش بایاس در یک نورون چیه؟"
    assert limits.first_words("یک لایهٔ کاملاً متصل با ۷۸۴ ورودی", 20) == "یک لایهٔ کاملاً…"
    # One long word is cut inside it rather than left with almost nothing.
    assert limits.first_words("a " + "b" * 30, 10) == "a bbbbbbb…"
