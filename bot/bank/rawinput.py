"""Checks on raw input before it is parsed: UTF-8 text, and characters no database stores.

Every importer reads its file through `read_text`, so a file that is not UTF-8 is refused with
the line of the first bad byte rather than a codec traceback. Escapes (`\\u0000`, `\\ud800`) in
YAML and JSON can still make strings that UTF-8 cannot encode or PostgreSQL cannot store;
`unstorable` says why such a string is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class RawInputError(ValueError):
    """The input is not text the bank can hold; the message names the line."""


def decode(data: bytes) -> str:
    """`data` as UTF-8 text (a leading byte-order mark is dropped); RawInputError if it is not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RawInputError(
            f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 text; save the file as UTF-8"
        ) from exc
    reason = _nul(text)
    if reason:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise RawInputError(f"line {line}: {reason}")
    return text


def read_text(path: Path) -> str:
    """The file as UTF-8 text (see `decode`); OSError when it cannot be read at all."""
    return decode(path.read_bytes())


def _nul(text: str) -> str | None:
    # PostgreSQL text cannot hold U+0000, so an item holding it would fail at sync.
    return "holds a NUL character (U+0000), which no text may hold" if "\0" in text else None


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored (a NUL, or a lone surrogate UTF-8 cannot encode), or None."""
    if text.isascii():
        return _nul(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Only a surrogate without its pair fails to encode: an escape such as \ud800 in the file.
        return f"holds U+{ord(text[exc.start]):04X}, half of a surrogate pair, which is not text"
    return _nul(text)


def unstorable_in(value: Any) -> str | None:
    """Why a string in parsed JSON or YAML (keys included) cannot be stored, or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            reason = unstorable(item)
            if reason:
                return reason
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None
