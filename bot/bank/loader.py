"""Load, normalise and validate the whole content bank, reporting every problem at once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from bot.bank.issues import ContentError, ContentIssue
from bot.bank.normalize import comparison_key
from bot.bank.rawinput import RawInputError
from bot.bank.schema import (
    ITEM_MODELS,
    InterviewItem,
    LessonItem,
    QuizItem,
    TopicItem,
)
from bot.bank.yamlio import read_yaml

TOPICS_FILE = "topics.yaml"
ITEMS_DIR = "items"
# Questions this similar (0–100, after normalisation) are reported as asking the same thing.
NEAR_DUPLICATE_SCORE = 90.0

ContentItem = QuizItem | InterviewItem | LessonItem


T = TypeVar("T")


@dataclass(frozen=True)
class Located(Generic[T]):
    """An item with the file it came from."""

    item: T
    file: str


@dataclass
class Bank:
    """Everything in the content files, validated."""

    topics: list[TopicItem] = field(default_factory=list)
    quizzes: list[Located[QuizItem]] = field(default_factory=list)
    interview_questions: list[Located[InterviewItem]] = field(default_factory=list)
    lessons: list[Located[LessonItem]] = field(default_factory=list)

    def topic_ids(self) -> set[str]:
        """Ids of all topics."""
        return {topic.id for topic in self.topics}

    def all_items(self) -> Iterator[Located[Any]]:
        """Every quiz, interview question and lesson."""
        yield from self.quizzes
        yield from self.interview_questions
        yield from self.lessons


def _field_path(loc: tuple[int | str, ...]) -> str | None:
    if not loc:
        return None
    path = str(loc[0])
    for part in loc[1:]:
        path += f"[{part + 1}]" if isinstance(part, int) else f".{part}"
    return path


def issues_from(error: ValidationError, file: str, item: str) -> list[ContentIssue]:
    """Turn a pydantic error into content issues naming file, item and field."""
    issues = []
    for detail in error.errors():
        message = str(detail["msg"]).removeprefix("Value error, ")
        field_name = _field_path(tuple(detail["loc"]))
        # Whole-item rules name their field at the start of the message.
        if field_name is None and ": " in message:
            head, rest = message.split(": ", 1)
            if head.isidentifier():
                field_name, message = head, rest
        issues.append(ContentIssue(file, item, field_name, message))
    return issues


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read(path: Path, root: Path, issues: list[ContentIssue]) -> dict[str, Any] | None:
    file = _relative(path, root)
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        issues.append(ContentIssue(file, None, None, f"not valid YAML: {exc}"))
        return None
    except RawInputError as exc:
        issues.append(ContentIssue(file, None, None, str(exc)))
        return None
    except OSError as exc:
        issues.append(ContentIssue(file, None, None, f"cannot be read: {exc}"))
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        issues.append(ContentIssue(file, None, None, "must be a mapping of lists"))
        return None
    return data


def _entries(
    data: dict[str, Any], key: str, file: str, issues: list[ContentIssue]
) -> Iterator[tuple[str, dict[str, Any]]]:
    entries = data.get(key) or []
    if not isinstance(entries, list):
        issues.append(ContentIssue(file, None, key, "must be a list of items"))
        return
    for index, entry in enumerate(entries, start=1):
        label = f"#{index}"
        if not isinstance(entry, dict):
            issues.append(ContentIssue(file, label, None, "must be a mapping of fields"))
            continue
        item_id = entry.get("id")
        yield (item_id if isinstance(item_id, str) and item_id else label), entry


def parse_items(data: dict[str, Any], file: str, issues: list[ContentIssue], bank: Bank) -> None:
    """Validate the items of one parsed file into `bank`, adding problems to `issues`."""
    unknown = sorted(set(data) - set(ITEM_MODELS))
    if unknown:
        allowed = ", ".join(ITEM_MODELS)
        issues.append(
            ContentIssue(file, None, None, f"unknown section(s) {unknown}; allowed: {allowed}")
        )
    for key, model in ITEM_MODELS.items():
        target: list[Any] = getattr(bank, key)
        for label, entry in _entries(data, key, file, issues):
            try:
                target.append(Located(model.model_validate(entry), file))
            except ValidationError as exc:
                issues.extend(issues_from(exc, file, label))


def _check_unique_ids(items: Iterable[Located[Any]], kind: str) -> list[ContentIssue]:
    first_seen: dict[str, str] = {}
    issues = []
    for located in items:
        item_id = located.item.id
        if item_id in first_seen:
            issues.append(
                ContentIssue(
                    located.file, item_id, "id", f"{kind} id also used in {first_seen[item_id]}"
                )
            )
        else:
            first_seen[item_id] = located.file
    return issues


def _check_topics(bank: Bank) -> list[ContentIssue]:
    known = bank.topic_ids()
    return [
        ContentIssue(
            located.file, located.item.id, "topic", f"unknown topic {located.item.topic!r}"
        )
        for located in bank.all_items()
        if located.item.topic not in known
    ]


# The bank's stock phrasings (content/README.md): two questions that share one of them and
# differ in what they ask about («دربارهٔ softmax …» and «دربارهٔ LSTM …») are not alike.
_STOCK_PHRASES = re.compile(
    r"\b(?:کدوم|کدام) (?:گزینه|گزاره)(?: ها)? (?:درست نیست|نادرسته|نادرست است|درستن|درسته)\b"
    r"|\bممکنه بیش از یکی درست باشه\b"
)


def question_key(question: str) -> str:
    """The comparison key of a question without the bank's stock phrasings."""
    return " ".join(_STOCK_PHRASES.sub(" ", comparison_key(question)).split())


def _check_near_duplicates(items: list[Located[Any]], kind: str) -> list[ContentIssue]:
    keys = [question_key(located.item.question) for located in items]
    if len(keys) < 2:
        return []
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_SCORE)
    issues = []
    for first in range(len(keys)):
        for second in range(first + 1, len(keys)):
            if scores[first][second]:
                other = items[first]
                located = items[second]
                issues.append(
                    ContentIssue(
                        located.file,
                        located.item.id,
                        "question",
                        f"near-duplicate of {kind} {other.item.id} in {other.file}",
                    )
                )
    return issues


def near_duplicate(question: str, others: Iterable[tuple[str, str]]) -> str | None:
    """The id of the first of `others` (id, question) asking what `question` asks, if any.

    The rule of the bank's own check: the same score on the same comparison key.
    """
    pairs = list(others)
    keys = [question_key(other) for _id, other in pairs]
    found = process.extractOne(
        question_key(question), keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_SCORE
    )
    return None if found is None else pairs[found[2]][0]


def check_bank(bank: Bank) -> list[ContentIssue]:
    """Rules that span items: unique ids, known topics, no two questions alike."""
    issues = _check_unique_ids((Located(topic, TOPICS_FILE) for topic in bank.topics), "topic")
    issues += _check_unique_ids(bank.quizzes, "quiz")
    issues += _check_unique_ids(bank.interview_questions, "interview question")
    issues += _check_unique_ids(bank.lessons, "lesson")
    issues += _check_topics(bank)
    issues += _check_near_duplicates(bank.quizzes, "quiz")
    issues += _check_near_duplicates(bank.interview_questions, "interview question")
    return issues


def _load_topics(content_dir: Path, bank: Bank, issues: list[ContentIssue]) -> None:
    path = content_dir / TOPICS_FILE
    file = _relative(path, content_dir)
    if not path.exists():
        issues.append(ContentIssue(file, None, None, "missing: the bank needs its topics"))
        return
    data = _read(path, content_dir, issues)
    if data is None:
        return
    for label, entry in _entries(data, "topics", file, issues):
        try:
            bank.topics.append(TopicItem.model_validate(entry))
        except ValidationError as exc:
            issues.extend(issues_from(exc, file, label))


def item_files(content_dir: Path) -> list[Path]:
    """The item files of a bank, in a stable order."""
    return sorted((content_dir / ITEMS_DIR).rglob("*.yaml"))


def load_bank(content_dir: Path) -> Bank:
    """Load and validate the bank under `content_dir`; raise ContentError listing every problem."""
    bank = Bank()
    issues: list[ContentIssue] = []
    _load_topics(content_dir, bank, issues)
    for path in item_files(content_dir):
        data = _read(path, content_dir, issues)
        if data is not None:
            parse_items(data, _relative(path, content_dir), issues, bank)
    issues += check_bank(bank)
    if issues:
        raise ContentError(issues)
    return bank
