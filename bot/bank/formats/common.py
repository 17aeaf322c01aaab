"""What every format shares: parsed records, problems, derived ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from bot.bank.normalize import comparison_key


class FormatError(Exception):
    """The file does not follow its format; `item` and `field` say where."""

    def __init__(self, item: str | None, field: str | None, message: str) -> None:
        super().__init__(message)
        self.item = item
        self.field = field
        self.message = message


@dataclass
class ParsedQuiz:
    """A quiz read from an interchange file, before bank validation."""

    label: str  # how to name it in a message: its title, or its position in the file
    fields: dict[str, Any] = field(default_factory=dict)


def derived_id(prefix: str, question: str) -> str:
    """A stable id for a quiz whose format has no ids: same question, same id."""
    digest = hashlib.sha256(comparison_key(question).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"
