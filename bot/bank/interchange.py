"""Import quizzes from GIFT, Aiken or CSV into a content file, and export the bank to them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.bank.formats.aiken import parse_aiken, write_aiken
from bot.bank.formats.common import FormatError, ParsedQuiz
from bot.bank.formats.csvfile import parse_csv, write_csv
from bot.bank.formats.gift import parse_gift, write_gift
from bot.bank.issues import ContentError, ContentIssue
from bot.bank.loader import Bank, Located, check_bank, issues_from
from bot.bank.rawinput import RawInputError, read_text
from bot.bank.schema import QuizItem
from bot.bank.yamlio import dump_yaml


class QuizFormat(enum.StrEnum):
    """Interchange formats for quizzes."""

    GIFT = "gift"
    AIKEN = "aiken"
    CSV = "csv"


def _parse(
    text: str, fmt: QuizFormat, topic: str | None, difficulty: int, known_topics: set[str]
) -> list[ParsedQuiz]:
    if fmt is QuizFormat.GIFT:
        return parse_gift(text, topic, difficulty, known_topics)
    if fmt is QuizFormat.AIKEN:
        return parse_aiken(text, topic, difficulty)
    return parse_csv(text, topic, difficulty)


def import_quizzes(
    source: Path,
    fmt: QuizFormat,
    bank: Bank,
    *,
    out_file: str,
    topic: str | None = None,
    difficulty: int = 2,
) -> list[QuizItem]:
    """Read quizzes from `source` and validate them together with `bank`.

    Raises ContentError naming every problem; the returned quizzes are ready to be written to
    `out_file` (the name used for them in messages).
    """
    name = str(source)
    try:
        text = read_text(source)
        parsed = _parse(text, fmt, topic, difficulty, bank.topic_ids())
    except FormatError as exc:
        raise ContentError([ContentIssue(name, exc.item, exc.field, exc.message)]) from exc
    except RawInputError as exc:
        raise ContentError([ContentIssue(name, None, None, str(exc))]) from exc
    except OSError as exc:
        raise ContentError([ContentIssue(name, None, None, f"cannot be read: {exc}")]) from exc
    issues: list[ContentIssue] = []
    quizzes: list[QuizItem] = []
    for record in parsed:
        try:
            quizzes.append(QuizItem.model_validate(record.fields))
        except ValidationError as exc:
            issues.extend(issues_from(exc, name, record.label))
    combined = Bank(
        topics=bank.topics,
        quizzes=[*bank.quizzes, *(Located(quiz, out_file) for quiz in quizzes)],
        interview_questions=bank.interview_questions,
        lessons=bank.lessons,
    )
    # Counted before validation, so the advice comes with the first import's other problems.
    placeless_count = sum(1 for record in parsed if not record.fields.get("topic"))
    if placeless_count:
        issues.append(_no_topic(name, placeless_count, bank.topic_ids()))
    placeless = {quiz.id for quiz in quizzes if not quiz.topic}
    issues += [
        issue
        for issue in check_bank(combined)
        if issue.file == out_file and not (issue.field == "topic" and issue.item in placeless)
    ]
    if issues:
        raise ContentError(issues)
    return quizzes


def _no_topic(name: str, count: int, known: set[str]) -> ContentIssue:
    # Aiken never names a topic, GIFT only by $CATEGORY: the fix is the command's option.
    choices = ", ".join(sorted(known)) or "none yet: add one to topics.yaml"
    return ContentIssue(
        name,
        None,
        "topic",
        f"{count} quiz{'zes' if count != 1 else ''} placed in no known topic; "
        f"pass --topic TOPIC (one of: {choices})",
    )


def export_quizzes(quizzes: Sequence[QuizItem], fmt: QuizFormat) -> str:
    """The quizzes as text in `fmt`; raise ContentError for quizzes the format cannot hold."""
    try:
        if fmt is QuizFormat.GIFT:
            return write_gift(quizzes)
        if fmt is QuizFormat.AIKEN:
            return write_aiken(quizzes)
        return write_csv(quizzes)
    except FormatError as exc:
        raise ContentError([ContentIssue(fmt.value, exc.item, exc.field, exc.message)]) from exc


def quiz_to_yaml_data(quiz: QuizItem) -> dict[str, Any]:
    """The quiz as it is written in a content file (defaults left out)."""
    data = quiz.model_dump(mode="json", exclude_defaults=True)
    if not quiz.multiple:
        data["correct"] = quiz.correct[0]
    return data


def quizzes_yaml(quizzes: Sequence[QuizItem]) -> str:
    """A content file holding `quizzes`."""
    return dump_yaml({"quizzes": [quiz_to_yaml_data(quiz) for quiz in quizzes]})
