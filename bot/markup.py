"""Telegram HTML for the bank's text posts: bold titles, and code and formulas in `<code>`.

Interview questions and lessons are written as plain Persian text. Inside right-to-left text a
formula such as `Precision = TP/(TP+FP)` is reordered by the reader's client unless it is set
apart, so a run of Latin code or maths goes into `<code>`: explicitly where an author wrapped it
in backticks, and automatically where a Latin run carries an operator, a call or a dotted or
snake_case name. Everything else is escaped, so an admin's `<` or `&` is shown as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from bot import texts

# A run of Latin letters, digits, maths signs and the spaces between them.
_LATIN_RUN = re.compile(
    r"[A-Za-z0-9_.,:;=+\-*/^<>()\[\]{}|!~%&'\"×÷−±√²³⁰¹⁴⁵⁶⁷⁸⁹ⁿ·∑∏≈≠≤≥→∞αβγδεθλμπσ ]+"
)
# What makes a Latin run code or a formula rather than an English term in parentheses.
_FORMULA = re.compile(r"[=+*/^<>×÷−±√∑∏≈≠≤≥→²³⁰¹⁴⁵⁶⁷⁸⁹ⁿ]|\w\(|[A-Za-z]\.[A-Za-z]|[A-Za-z0-9]_\w")
_BACKTICKS = re.compile(r"`([^`\n]+)`")
_TAG = re.compile(r"<[^>]+>")


def _code(text: str) -> str:
    return f"<code>{escape(text, quote=False)}</code>"


def _auto(text: str) -> str:
    pieces: list[str] = []
    last = 0
    for match in _LATIN_RUN.finditer(text):
        run = match.group(0)
        core = run.strip(" ,.:;")
        if len(core) < 3 or not _FORMULA.search(core):
            continue
        start = match.start() + run.index(core)
        pieces.append(escape(text[last:start], quote=False))
        pieces.append(_code(core))
        last = start + len(core)
    pieces.append(escape(text[last:], quote=False))
    return "".join(pieces)


def to_html(text: str) -> str:
    """`text` escaped for Telegram HTML, with code and formulas in `<code>`."""
    parts = _BACKTICKS.split(text)
    return "".join(_code(part) if index % 2 else _auto(part) for index, part in enumerate(parts))


def bold(html: str) -> str:
    """An HTML fragment in bold."""
    return f"<b>{html}</b>"


def plain(html: str) -> str:
    """The text a reader sees of our HTML: what Telegram's limits count."""
    return unescape(_TAG.sub("", html))


def interview_html(
    question: str, answer: Sequence[str] | None = None, header: str | None = None
) -> str:
    """An interview question with a bold title, and its model answer as bullets when given."""
    text = bold(to_html(texts.INTERVIEW_TITLE.format(question=question)))
    if answer:
        bullets = "\n".join(texts.BULLET.format(text=to_html(bullet)) for bullet in answer)
        text += f"\n\n{escape(header, quote=False)}\n{bullets}" if header else f"\n\n{bullets}"
    return text


def lesson_html(title: str, body: str) -> str:
    """A lesson with a bold title."""
    return f"{bold(to_html(title))}\n\n{to_html(body)}"
