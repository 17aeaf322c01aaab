"""Telegram's HTML parse mode, as the fake Bot API reads it.

Telegram turns an HTML text into plain text plus entities (offsets in UTF-16 code units), counts
its limits on the plain text and refuses a text it cannot parse with a 400 «can't parse
entities». Only the tags Telegram documents are allowed; `&lt;`, `&gt;`, `&amp;` and `&quot;`
are the entities it knows.
"""

from __future__ import annotations

import html
import re
from typing import Any

# Tag → entity type (https://core.telegram.org/bots/api#html-style).
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>|<|&(#?\w+);|&|[^<&]+")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's description."""


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and the entities Telegram makes of an HTML-formatted `source`."""
    text: list[str] = []
    length = 0
    entities: list[dict[str, Any]] = []
    open_tags: list[tuple[str, int, str]] = []  # name, offset, href
    for match in _TOKEN.finditer(source):
        token = match.group(0)
        offset = len(source[: match.start()].encode())
        if match.group(2) is not None:
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in _TAGS:
                kind = "end" if closing else "start"
                raise EntityError(
                    f"Bad Request: can't parse entities: Unsupported {kind} tag "
                    f'"{name}" at byte offset {offset}'
                )
            if not closing:
                href = re.search(r'href\s*=\s*"([^"]*)"', match.group(3) or "")
                open_tags.append((name, length, href.group(1) if href else ""))
                continue
            if not open_tags or open_tags[-1][0] != name:
                raise EntityError(
                    f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                    f'{offset}, expected "</{open_tags[-1][0] if open_tags else ""}>", '
                    f'found "</{name}>"'
                )
            _, start, href = open_tags.pop()
            if length > start:
                entity: dict[str, Any] = {
                    "type": _TAGS[name],
                    "offset": start,
                    "length": length - start,
                }
                if name == "a":
                    entity["url"] = href
                entities.append(entity)
            continue
        if token == "<":
            raise EntityError(
                f"Bad Request: can't parse entities: Unsupported start tag at byte offset {offset}"
            )
        if match.group(4) is not None:
            name = match.group(4)
            if name.startswith("#"):
                piece = html.unescape(token)
            elif name in _NAMED:
                piece = _NAMED[name]
            else:
                raise EntityError(
                    f"Bad Request: can't parse entities: Unsupported HTML entity at byte "
                    f"offset {offset}"
                )
        else:
            piece = token
        text.append(piece)
        length += _units(piece)
    if open_tags:
        raise EntityError(
            "Bad Request: can't parse entities: Can't find end tag corresponding to start "
            f'tag "{open_tags[-1][0]}"'
        )
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(text), entities


def entity_text(text: str, entity: dict[str, Any]) -> str:
    """The part of `text` an entity covers (offsets count UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
    return encoded[start:end].decode("utf-16-le")
