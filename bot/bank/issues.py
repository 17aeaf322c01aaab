"""Problems found in content files, each naming file, item and field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentIssue:
    """One problem: where it is (file, item id, field) and what is wrong."""

    file: str
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.item is not None:
            where.append(f"item {self.item}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{': '.join(where)}: {self.message}"


class ContentError(Exception):
    """The content has problems; nothing was written. `issues` lists all of them."""

    def __init__(self, issues: Sequence[ContentIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.item or "", i.field or "", i.message))
        count = len(self.issues)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the content files")
