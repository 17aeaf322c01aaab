"""Reading a channel's history from a Telegram Desktop export (`result.json`).

Polls become quizzes with their vote counts (the export does not say which option is right),
"💡سوال مصاحبه: …" posts with 🔵 bullets become interview questions, and other long posts with
hashtags become lessons.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.bank.normalize import normalize_text, to_latin_digits

_QUIZ_PREFIX = re.compile(r"^\s*❓?\s*کوییز\s+شماره\s+([0-9۰-۹]+)\s*[:：]\s*")
_INTERVIEW_PREFIX = re.compile(r"^\s*💡\s*سوال\s+مصاحبه\s*[:：]\s*")
_HASHTAG = re.compile(r"#[^\s#]+")
MIN_LESSON_LENGTH = 200


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


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", "")) for part in value
        )
    return ""


def _date(message: dict[str, Any]) -> datetime:
    if "date_unixtime" in message:
        return datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
    return datetime.fromisoformat(str(message["date"])).replace(tzinfo=UTC)


def _messages(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for message in data.get("messages", []):
        if isinstance(message, dict) and message.get("type") == "message":
            yield message


def parse_export(data: dict[str, Any]) -> ChannelExport:
    """The polls and recognisable posts of an export; ValueError when it is not one."""
    if "messages" not in data or "id" not in data:
        raise ValueError("not a Telegram Desktop export: no 'id' and 'messages'")
    # Exports give the bare channel id; the Bot API writes channels as -100<id>.
    raw_id = int(data["id"])
    chat_id = raw_id if raw_id < 0 else int(f"-100{raw_id}")
    polls, posts = [], []
    for message in _messages(data):
        poll = message.get("poll")
        if isinstance(poll, dict):
            question = normalize_text(_text(poll.get("question", "")))
            match = _QUIZ_PREFIX.match(question)
            number = int(to_latin_digits(match.group(1))) if match else None
            answers = [a for a in poll.get("answers", []) if isinstance(a, dict)]
            polls.append(
                ExportedPoll(
                    message_id=int(message["id"]),
                    date=_date(message),
                    number=number,
                    question=question[match.end() :] if match else question,
                    options=[normalize_text(_text(a.get("text", ""))) for a in answers],
                    counts=[int(a.get("voters", 0)) for a in answers],
                    total=int(poll.get("total_voters", 0)),
                    closed=bool(poll.get("closed", False)),
                )
            )
            continue
        text = normalize_text(_text(message.get("text", "")))
        hashtags = _HASHTAG.findall(text)
        body = _HASHTAG.sub("", text).strip()
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        if not lines:
            continue
        interview = _INTERVIEW_PREFIX.match(lines[0])
        if interview:
            bullets = [line.lstrip("🔵").strip() for line in lines[1:] if line.startswith("🔵")]
            if bullets:
                posts.append(
                    ExportedPost(
                        int(message["id"]),
                        _date(message),
                        "interview",
                        lines[0][interview.end() :],
                        bullets,
                        hashtags,
                    )
                )
        elif hashtags and len(body) >= MIN_LESSON_LENGTH:
            posts.append(
                ExportedPost(
                    int(message["id"]), _date(message), "lesson", lines[0], lines[1:], hashtags
                )
            )
    return ChannelExport(chat_id, str(data.get("name", "")), polls, posts)
