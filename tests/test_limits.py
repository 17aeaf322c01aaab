"""bot.limits: Telegram's limits without importing telegram, and UTF-16 lengths."""

import subprocess
import sys

import pytest
from telegram.constants import MessageLimit, PollLimit

from bot import limits


@pytest.mark.parametrize(
    ("ours", "telegrams"),
    [
        (limits.MAX_CAPTION_LENGTH, MessageLimit.CAPTION_LENGTH),
        (limits.MAX_MESSAGE_LENGTH, MessageLimit.MAX_TEXT_LENGTH),
        (limits.MAX_QUESTION_LENGTH, PollLimit.MAX_QUESTION_LENGTH),
        (limits.MAX_OPTION_LENGTH, PollLimit.MAX_OPTION_LENGTH),
        (limits.MAX_EXPLANATION_LENGTH, PollLimit.MAX_EXPLANATION_LENGTH),
        (limits.MAX_EXPLANATION_LINE_FEEDS, PollLimit.MAX_EXPLANATION_LINE_FEEDS),
        (limits.MAX_OPTIONS, PollLimit.MAX_OPTION_NUMBER),
    ],
)
def test_each_limit_is_telegrams(ours: int, telegrams: int) -> None:
    assert ours == telegrams


def test_limits_import_no_telegram() -> None:
    code = "import sys, bot.limits\nassert 'telegram' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_emoji_outside_the_basic_plane_count_twice() -> None:
    assert limits.utf16_length("سلام") == 4
    assert limits.utf16_length("🏁 مسابقه") == 9  # 2 + 1 + 6
    assert limits.utf16_length("⚠️") == 2  # U+26A0 and a variation selector, one unit each


def test_text_that_fits_is_kept_as_it_is() -> None:
    text = "🏁" * 10
    assert limits.fit_utf16(text, 20) == text


def test_a_cut_fits_the_limit_and_never_splits_an_emoji() -> None:
    text = "ب" + "🏁" * 10  # 21 units
    cut = limits.fit_utf16(text, 6)
    assert cut == "ب🏁🏁…"  # 1 + 2 + 2 + 1 units; a third emoji would need 7
    assert limits.utf16_length(cut) <= 6
    cut.encode("utf-8")  # a lone surrogate would fail to encode
