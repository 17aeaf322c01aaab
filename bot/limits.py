"""Telegram's limits as plain numbers, and lengths measured the way Telegram measures them.

No telegram import, so services and tools can use it; tests/test_limits.py holds each number to
telegram.constants. Telegram counts text in UTF-16 code units: an emoji outside the Basic
Multilingual Plane (🏁, 💧) counts twice, a Persian letter once.
"""

from __future__ import annotations

MAX_CAPTION_LENGTH = 1024
MAX_MESSAGE_LENGTH = 4096
MAX_QUESTION_LENGTH = 300
MAX_OPTION_LENGTH = 100
MAX_EXPLANATION_LENGTH = 200
MAX_EXPLANATION_LINE_FEEDS = 2
MAX_OPTIONS = 12

ELLIPSIS = "…"


def utf16_length(text: str) -> int:
    """The length of `text` as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def fit_utf16(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` when it fits `limit` UTF-16 units, else cut short with `ellipsis` to fit.

    The cut falls between characters, never inside a surrogate pair.
    """
    if utf16_length(text) <= limit:
        return text
    room = limit - utf16_length(ellipsis)
    if room < 0:
        raise ValueError(f"a limit of {limit} leaves no room for {ellipsis!r}")
    used = end = 0
    for position, character in enumerate(text):
        used += 2 if ord(character) > 0xFFFF else 1
        if used > room:
            break
        end = position + 1
    return text[:end].rstrip() + ellipsis
