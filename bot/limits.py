"""Telegram's limits, the one place they are written down; lengths count UTF-16 code units.

Plain numbers rather than imports from `telegram.constants`, so that the bank, the services
and the channel engine can use them without importing the Bot API library (the layering test
forbids it below the handlers); tests/test_limits.py checks each against telegram.constants.
"""

from __future__ import annotations

MAX_MESSAGE_LENGTH = 4096  # a text message
MAX_CAPTION_LENGTH = 1024  # a photo's or document's caption
MAX_QUESTION_LENGTH = 300  # a poll's question
MAX_OPTION_LENGTH = 100  # one poll option
MAX_OPTIONS = 12  # of a poll
MAX_EXPLANATION_LENGTH = 200  # a quiz poll's explanation
MAX_EXPLANATION_LINE_FEEDS = 2
MAX_CALLBACK_DATA_BYTES = 64  # an inline button's callback_data
MAX_ALERT_LENGTH = 200  # the text answering a button press (answerCallbackQuery)
# What follows ?start= in a t.me link (Telegram's deep-linking docs; PTB has no constant).
MAX_DEEP_LINK_PAYLOAD = 64


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji may count as two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text`, cut and ended with an ellipsis if needed, within `limit` UTF-16 units."""
    if telegram_length(text) <= limit:
        return text
    room, units, kept = limit - telegram_length(ellipsis), 0, []
    for character in text:
        units += telegram_length(character)
        if units > room:
            break
        kept.append(character)
    return "".join(kept) + ellipsis


def first_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` on one line, cut after a whole word and ended with an ellipsis if needed."""
    line = " ".join(text.split())
    if telegram_length(line) <= limit:
        return line
    cut = fit(line, limit, ellipsis).removesuffix(ellipsis)
    # Back to the last space, unless that loses more than half: one long word is cut inside.
    head, space, _ = cut.rpartition(" ")
    if space and telegram_length(head) >= limit // 2:
        cut = head
    return cut.rstrip() + ellipsis
