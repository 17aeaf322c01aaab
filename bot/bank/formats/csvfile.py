"""CSV for spreadsheets: one quiz a row, every field the bank has.

Written as UTF-8 with a byte-order mark so Excel shows Persian; lists are joined with `;`
and the claim is JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from bot.bank.formats.common import FormatError, ParsedQuiz
from bot.bank.rawinput import unstorable_in
from bot.bank.schema import QuizItem
from bot.limits import MAX_OPTIONS

OPTION_COLUMNS = [f"option_{number}" for number in range(1, MAX_OPTIONS + 1)]
COLUMNS = [
    "id",
    "topic",
    "difficulty",
    "question",
    *OPTION_COLUMNS,
    "correct",
    "multiple",
    "explanation",
    "tags",
    "demo",
    "claim",
]
REQUIRED = ("id", "question", "option_1", "option_2", "correct")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def parse_csv(text: str, topic: str | None, difficulty: int) -> list[ParsedQuiz]:
    """Read CSV rows into quiz records; columns beyond the known ones are an error."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        return _records(reader, topic, difficulty)
    except csv.Error as exc:
        # The csv module stops at a field over its 128 KiB limit (no quiz field comes close).
        line = reader.reader.line_num  # DictReader's own count lags behind a failed row
        raise FormatError(None, None, f"line {line}: not valid CSV ({exc})") from exc


def _records(reader: csv.DictReader[str], topic: str | None, difficulty: int) -> list[ParsedQuiz]:
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown:
        raise FormatError(None, "header", f"missing columns {missing}, unknown columns {unknown}")
    quizzes = []
    for row_number, row in enumerate(reader, start=2):
        values = {key: (value or "").strip() for key, value in row.items() if key is not None}
        if not any(values.values()):
            continue  # spreadsheets save empty rows as ",,,"; csv skips only bare blank lines
        label = values.get("id") or f"row {row_number}"
        fields: dict[str, object] = {
            "id": values["id"],
            "topic": values.get("topic") or topic or "",
            "difficulty": values.get("difficulty") or str(difficulty),
            "question": values["question"],
            "options": [values[c] for c in OPTION_COLUMNS if values.get(c)],
            "correct": _split(values["correct"]),
        }
        if values.get("multiple", "").lower() in ("true", "1", "yes"):
            fields["multiple"] = True
        for key in ("explanation", "demo"):
            if values.get(key):
                fields[key] = values[key]
        if values.get("tags"):
            fields["tags"] = _split(values["tags"])
        if values.get("claim"):
            fields["claim"] = _claim(values["claim"], label)
        quizzes.append(ParsedQuiz(label, fields))
    return quizzes


def _claim(text: str, label: str) -> object:
    try:
        claim = json.loads(text)
    except RecursionError as exc:
        raise FormatError(label, "claim", "JSON nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4300 digits
        raise FormatError(label, "claim", f"not valid JSON: {exc}") from exc
    reason = unstorable_in(claim)
    if reason:
        raise FormatError(label, "claim", reason)
    return claim


def write_csv(quizzes: Iterable[QuizItem]) -> str:
    """CSV text (with BOM) holding every field of the quizzes."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for quiz in quizzes:
        row = {
            "id": quiz.id,
            "topic": quiz.topic,
            "difficulty": quiz.difficulty,
            "question": quiz.question,
            "correct": ";".join(map(str, quiz.correct)),
            "multiple": "true" if quiz.multiple else "",
            "explanation": quiz.explanation or "",
            "tags": ";".join(quiz.tags),
            "demo": quiz.demo or "",
            "claim": json.dumps(quiz.claim, ensure_ascii=False) if quiz.claim else "",
        }
        row.update(zip(OPTION_COLUMNS, quiz.options, strict=False))
        writer.writerow(row)
    return buffer.getvalue()
