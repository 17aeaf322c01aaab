"""Inline-button payloads: short, strictly parsed, so tampered data is simply refused."""

from __future__ import annotations

import re
from dataclasses import dataclass

ALL_TOPICS = "*"
_PAYLOAD = re.compile(
    r"^(tp|q|t|i|a|f):([a-z0-9_*-]{1,40})$"
    r"|^(dm|dr|dv):([a-z0-9_.=,|-]{1,58})$"
    r"|^(ad):([a-z]{1,8}:[a-z0-9_-]{1,45})$"
)
ACTIONS = {
    "tp": "topic_menu",
    "q": "quiz",
    "t": "test",
    "i": "interview",
    "a": "reveal_answer",
    "f": "forget",
    "dm": "demo_panel",
    "dr": "demo_run",
    "dv": "demo_value",
    "ad": "admin",
}


@dataclass(frozen=True)
class Button:
    """A parsed button press: what to do and on which topic or item."""

    action: str
    value: str

    @property
    def topic(self) -> str | None:
        """The topic id, or None for the whole bank."""
        return None if self.value == ALL_TOPICS else self.value


def encode(action: str, value: str) -> str:
    """Callback data for a button (at most 64 bytes)."""
    code = next(code for code, name in ACTIONS.items() if name == action)
    data = f"{code}:{value}"
    if not _PAYLOAD.match(data):
        raise ValueError(f"cannot encode {data!r}")
    return data


def decode(data: str | None) -> Button | None:
    """The button behind callback data, or None when it is not ours."""
    match = _PAYLOAD.match(data or "")
    if match is None:
        return None
    code, value = next((match.group(i), match.group(i + 1)) for i in (1, 3, 5) if match.group(i))
    return Button(ACTIONS[code], value)
