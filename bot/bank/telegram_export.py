"""Reading a channel's history from a Telegram Desktop export (`result.json`).

Polls become quizzes with their vote counts (the export does not say which option is right),
"💡سوال مصاحبه: …" posts with 🔵 bullets become interview questions, and other long posts with
hashtags become lessons.

Every value the database will hold is checked here: ids, dates and counts must fit their
columns and text must be storable, so a broken or doctored file is refused naming the message
and field instead of failing halfway through the import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.bank.formats.common import FormatError
from bot.bank.issues import ContentError, ContentIssue
from bot.bank.normalize import normalize_text, to_latin_digits
from bot.bank.rawinput import RawInputError, read_text, unstorable
from bot.limits import MAX_OPTIONS

_QUIZ_PREFIX = re.compile(r"^\s*❓?\s*کوییز\s+شماره\s+([0-9۰-۹]+)\s*[:：]\s*")
_INTERVIEW_PREFIX = re.compile(r"^\s*💡\s*سوال\s+مصاحبه\s*[:：]\s*")
_HASHTAG = re.compile(r"#[^\s#]+")
MIN_LESSON_LENGTH = 200
MAX_ID = 2**63 - 1  # chat and message ids: BIGINT columns
MAX_COUNT = 2**31 - 1  # vote counts and quiz numbers: INTEGER columns
MAX_TITLE_LENGTH = 255  # the channel title's column
MAX_UNIXTIME = 253_402_300_799  # the last second of the year 9999, the last a datetime holds


@dataclass(frozen=True)
class ExportedPoll:
    """A poll post with its totals."""

    message_id: int
    date: datetime
    number: int | None
    question: str
    options: list[str]
    counts: list[int]
    total: int
    closed: bool


@dataclass(frozen=True)
class ExportedPost:
    """A text post recognised as an interview question or a lesson."""

    message_id: int
    date: datetime
    kind: str  # "interview" or "lesson"
    title: str
    lines: list[str]
    hashtags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChannelExport:
    """What the export says about the channel and its posts."""

    chat_id: int
    title: str
    polls: list[ExportedPoll]
    posts: list[ExportedPost]


def read_export(path: Path) -> ChannelExport:
    """The export in `path`; ContentError naming the file, and the message where known."""
    name = str(path)
    try:
        data = json.loads(read_text(path))
    except OSError as exc:
        raise ContentError([ContentIssue(name, None, None, f"cannot be read: {exc}")]) from exc
    except RawInputError as exc:
        raise ContentError([ContentIssue(name, None, None, str(exc))]) from exc
    except RecursionError as exc:
        raise ContentError([ContentIssue(name, None, None, "JSON nested too deeply")]) from exc
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4300 digits
        raise ContentError([ContentIssue(name, None, None, f"not valid JSON: {exc}")]) from exc
    try:
        return parse_export(data)
    except FormatError as exc:
        raise ContentError([ContentIssue(name, exc.item, exc.field, exc.message)]) from exc


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text {value[:20]!r}"
    kinds = {int: "a number", float: "a decimal number", list: "a list"}
    return "nothing (null)" if value is None else kinds.get(type(value), "an object")


def _integer(value: Any, where: str | None, name: str, low: int, high: int) -> int:
    # Exports write ids and counts as JSON numbers, date_unixtime as a string of digits.
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        digits = value
    elif isinstance(value, int) and not isinstance(value, bool):
        digits = str(value)  # json.loads itself refuses integers of more than 4300 digits
    else:
        raise FormatError(where, name, f"must be a whole number, not {_kind(value)}")
    # Compared as text first: int() of thousands of digits is slow, and refused over 4300.
    if len(digits.lstrip("-")) > 20 or not low <= int(digits) <= high:
        shown = digits if len(digits) <= 24 else digits[:20] + "…"
        raise FormatError(where, name, f"{shown} is out of range: it must be {low} to {high}")
    return int(digits)


def _text(value: Any, where: str, name: str) -> str:
    """The text of a string or of a list of strings and entities, as Telegram writes it."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, list):
        parts = []
        for position, part in enumerate(value, start=1):
            piece = part.get("text", "") if isinstance(part, dict) else part
            if not isinstance(piece, str):
                raise FormatError(
                    where, f"{name}[{position}]", f"must be text or an entity, not {_kind(piece)}"
                )
            parts.append(piece)
        text = "".join(parts)
    else:
        raise FormatError(where, name, f"must be text or a list of entities, not {_kind(value)}")
    reason = unstorable(text)
    if reason:
        raise FormatError(where, name, reason)
    return normalize_text(text)


def _date(message: dict[str, Any], where: str) -> datetime:
    if "date_unixtime" in message:
        seconds = _integer(message["date_unixtime"], where, "date_unixtime", 0, MAX_UNIXTIME)
        return datetime.fromtimestamp(seconds, UTC)
    value = message.get("date")
    if not isinstance(value, str):
        raise FormatError(where, "date", f"must be an ISO date and time, not {_kind(value)}")
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise FormatError(where, "date", f"{value[:40]!r} is not an ISO date and time") from exc


def _messages(data: dict[str, Any]) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Each message with its id and how to name it."""
    messages = data["messages"]
    if not isinstance(messages, list):
        raise FormatError(None, "messages", f"must be a list, not {_kind(messages)}")
    seen: set[int] = set()
    for position, message in enumerate(messages, start=1):
        if isinstance(message, dict) and message.get("type") == "message":
            raw_id = message.get("id")
            where = f"message {raw_id}" if isinstance(raw_id, int) else f"message #{position}"
            message_id = _integer(raw_id, where, "id", 1, MAX_ID)
            # A chat numbers its messages once; the id also names the items made from them.
            if message_id in seen:
                raise FormatError(where, "id", "appears twice in the export")
            seen.add(message_id)
            yield message_id, where, message


def _chat_id(data: dict[str, Any]) -> int:
    raw_id = _integer(data["id"], None, "id", -MAX_ID, MAX_ID)
    # Exports give the bare channel id; the Bot API writes channels as -100<id>.
    chat_id = raw_id if raw_id < 0 else int(f"-100{raw_id}")
    if chat_id < -MAX_ID:
        raise FormatError(None, "id", f"{raw_id} is too large for a Telegram channel id")
    return chat_id


def _title(data: dict[str, Any]) -> str:
    title = data.get("name", "")
    if not isinstance(title, str):
        raise FormatError(None, "name", f"must be text, not {_kind(title)}")
    if len(title) > MAX_TITLE_LENGTH:
        raise FormatError(None, "name", f"is longer than {MAX_TITLE_LENGTH} characters")
    reason = unstorable(title)
    if reason:
        raise FormatError(None, "name", reason)
    return title


def _poll(
    message_id: int, where: str, message: dict[str, Any], poll: dict[str, Any]
) -> ExportedPoll:
    question = _text(poll.get("question", ""), where, "poll.question")
    match = _QUIZ_PREFIX.match(question)
    number = None
    if match:
        number = _integer(to_latin_digits(match.group(1)), where, "quiz number", 0, MAX_COUNT)
    answers = poll.get("answers", [])
    if not isinstance(answers, list):
        raise FormatError(where, "poll.answers", f"must be a list, not {_kind(answers)}")
    answers = [a for a in answers if isinstance(a, dict)]
    if len(answers) > MAX_OPTIONS:
        raise FormatError(
            where, "poll.answers", f"has {len(answers)}; a Telegram poll has at most {MAX_OPTIONS}"
        )
    return ExportedPoll(
        message_id=message_id,
        date=_date(message, where),
        number=number,
        question=question[match.end() :] if match else question,
        options=[
            _text(a.get("text", ""), where, f"poll.answers[{i}].text")
            for i, a in enumerate(answers, start=1)
        ],
        counts=[
            _integer(a.get("voters", 0), where, f"poll.answers[{i}].voters", 0, MAX_COUNT)
            for i, a in enumerate(answers, start=1)
        ],
        total=_integer(poll.get("total_voters", 0), where, "poll.total_voters", 0, MAX_COUNT),
        closed=bool(poll.get("closed", False)),
    )


def strip_quiz_number(question: str) -> str:
    """A channel quiz's question without its «❓کوییز شماره N:» (a forwarded post has it)."""
    match = _QUIZ_PREFIX.match(question)
    return question[match.end() :] if match else question


@dataclass(frozen=True)
class RecognisedText:
    """A text in one of the channel's post formats: an interview question or a lesson."""

    kind: str  # "interview" or "lesson"
    title: str
    lines: list[str]
    hashtags: list[str]


def recognise_text(text: str) -> RecognisedText | None:
    """ "💡سوال مصاحبه: …" with 🔵 bullets, or a long text with hashtags; None for anything else.

    `text` is expected normalised (`normalize_text`). The history import and a text an admin
    sends the bot are read by this same function.
    """
    hashtags = _HASHTAG.findall(text)
    body = _HASHTAG.sub("", text).strip()
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if not lines:
        return None
    interview = _INTERVIEW_PREFIX.match(lines[0])
    if interview:
        bullets = [line.lstrip("🔵").strip() for line in lines[1:] if line.startswith("🔵")]
        if not bullets:
            return None
        return RecognisedText("interview", lines[0][interview.end() :], bullets, hashtags)
    if hashtags and len(body) >= MIN_LESSON_LENGTH:
        return RecognisedText("lesson", lines[0], lines[1:], hashtags)
    return None


def _post(message_id: int, where: str, message: dict[str, Any]) -> ExportedPost | None:
    found = recognise_text(_text(message.get("text", ""), where, "text"))
    if found is None:
        return None
    date = _date(message, where)
    return ExportedPost(message_id, date, found.kind, found.title, found.lines, found.hashtags)


def parse_export(data: Any) -> ChannelExport:
    """The polls and recognisable posts of parsed export JSON; FormatError naming the message
    and field when it is not an export or holds values no channel post has."""
    if not isinstance(data, dict) or "messages" not in data or "id" not in data:
        raise FormatError(None, None, "not a Telegram Desktop export: no 'id' and 'messages'")
    chat_id = _chat_id(data)
    polls, posts = [], []
    for message_id, where, message in _messages(data):
        poll = message.get("poll")
        if isinstance(poll, dict):
            polls.append(_poll(message_id, where, message, poll))
            continue
        post = _post(message_id, where, message)
        if post is not None:
            posts.append(post)
    return ChannelExport(chat_id, _title(data), polls, posts)
