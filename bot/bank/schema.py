"""The shape of content items, with Telegram's limits and per-item rules.

Files are read with every scalar as a string (see `yamlio`), so `448` in an option stays the
text "448" and pydantic turns strings into numbers only where a field is numeric.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from bot import limits
from bot.bank.normalize import normalize_text, option_key
from bot.limits import telegram_length
from nn_demos.catalogue import NAMES as DEMO_NAMES

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
MAX_ID_LENGTH = 40  # "interview_" + id must fit Telegram's 64-character deep-link payload
MIN_OPTIONS = 2  # Telegram allows one, but a quiz with one option asks nothing
MAX_BULLETS = 8
MAX_TITLE_LENGTH = 120
# Room kept free in a post for the channel's signature line, added when it is published.
SIGNATURE_RESERVE = 256
POST_BUDGET = limits.MAX_MESSAGE_LENGTH - SIGNATURE_RESERVE
DEMOS = DEMO_NAMES  # what `demo:` may name: the torch-free demo catalogue
HASHTAG_PATTERN = re.compile(r"^#[^\W_][\w]*$")
# Claims are flat (kind, function, x, expect); a deep one would only exhaust the recursion
# of the code that reads and writes it.
MAX_CLAIM_DEPTH = 8


def _normalized(value: object) -> object:
    return normalize_text(value) if isinstance(value, str) else value


def _max_telegram_length(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        length = telegram_length(value)
        if length > limit:
            raise ValueError(f"is {length} characters long; Telegram allows at most {limit}")
        return value

    return AfterValidator(check)


def _not_empty(value: str) -> str:
    if not value:
        raise ValueError("is empty")
    return value


def _as_list(value: object) -> object:
    # `correct: 2` is friendlier to write than `correct: [2]`.
    return [value] if isinstance(value, str | int) else value


Text = Annotated[str, BeforeValidator(_normalized), AfterValidator(_not_empty)]
ItemId = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)]
Question = Annotated[Text, _max_telegram_length(limits.MAX_QUESTION_LENGTH)]
Option = Annotated[Text, _max_telegram_length(limits.MAX_OPTION_LENGTH)]
Tag = Annotated[str, BeforeValidator(_normalized), Field(min_length=1, max_length=40)]


def _hashtag(value: str) -> str:
    if not HASHTAG_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a hashtag like #Deep_Learning")
    return value


Hashtag = Annotated[str, BeforeValidator(_normalized), AfterValidator(_hashtag)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def content_hash(self) -> str:
        """A stable hash of the item as written: it changes exactly when the item does."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


class TopicItem(_Item):
    """A topic from `topics.yaml`."""

    id: ItemId
    title: Annotated[Text, Field(max_length=MAX_TITLE_LENGTH)]
    hashtag: Hashtag


def _depth(value: Any) -> int:
    """How deeply lists and mappings nest in `value`, found without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_CLAIM_DEPTH:  # deeper is refused anyway; a cycle stops here too
                stack.extend((child, depth + 1) for child in item)
    return deepest


def _parse_scalar(value: Any) -> Any:
    """Turn the strings of a claim back into numbers and booleans."""
    if isinstance(value, dict):
        return {key: _parse_scalar(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_parse_scalar(item) for item in value]
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


class QuizItem(_Item):
    """A multiple-choice quiz; `correct` holds 1-based option positions."""

    id: ItemId
    topic: str
    difficulty: Annotated[int, Field(ge=1, le=3)]
    question: Question
    options: Annotated[list[Option], Field(min_length=MIN_OPTIONS, max_length=limits.MAX_OPTIONS)]
    correct: Annotated[list[int], BeforeValidator(_as_list), Field(min_length=1)]
    multiple: bool = False
    explanation: Annotated[Text, _max_telegram_length(limits.MAX_EXPLANATION_LENGTH)] | None = None
    tags: list[Tag] = Field(default_factory=list)
    demo: Literal[DEMOS] | None = None  # type: ignore[valid-type]
    claim: dict[str, Any] | None = None

    @field_validator("options")
    @classmethod
    def _distinct_options(cls, options: list[str]) -> list[str]:
        seen: dict[str, int] = {}
        for position, option in enumerate(options, start=1):
            key = option_key(option)
            if key in seen:
                raise ValueError(f"option {position} repeats option {seen[key]}")
            seen[key] = position
        return options

    @field_validator("explanation")
    @classmethod
    def _few_line_feeds(cls, explanation: str | None) -> str | None:
        limit = limits.MAX_EXPLANATION_LINE_FEEDS
        if explanation is not None and explanation.count("\n") > limit:
            raise ValueError(f"has more than {limit} line breaks (Telegram's limit)")
        return explanation

    @field_validator("claim", mode="before")
    @classmethod
    def _claim_values(cls, claim: Any) -> Any:
        if _depth(claim) > MAX_CLAIM_DEPTH:
            raise ValueError(f"nests lists and mappings more than {MAX_CLAIM_DEPTH} deep")
        parsed = _parse_scalar(claim)
        if isinstance(parsed, dict) and ("kind" not in parsed or "expect" not in parsed):
            raise ValueError("needs at least `kind` and `expect`")
        return parsed

    @model_validator(mode="after")
    def _correct_positions(self) -> QuizItem:
        count = len(self.options)
        for position in self.correct:
            if not 1 <= position <= count:
                raise ValueError(f"correct: {position} is not an option position (1–{count})")
        if len(set(self.correct)) != len(self.correct):
            raise ValueError("correct: a position is listed twice")
        if not self.multiple and len(self.correct) != 1:
            raise ValueError(
                "correct: a single-answer quiz needs exactly one correct option "
                "(set `multiple: true` for several)"
            )
        if len(self.correct) == count:
            raise ValueError("correct: every option is correct, so the quiz asks nothing")
        return self

    @property
    def correct_indexes(self) -> list[int]:
        """0-based positions of the correct options, as Telegram numbers them."""
        return sorted(position - 1 for position in self.correct)


class InterviewItem(_Item):
    """An interview question with a model answer as bullets."""

    id: ItemId
    topic: str
    question: Question
    answer: Annotated[list[Text], Field(min_length=1, max_length=MAX_BULLETS)]
    tags: list[Tag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_one_message(self) -> InterviewItem:
        length = telegram_length(self.question) + sum(telegram_length(b) + 4 for b in self.answer)
        if length > POST_BUDGET:
            raise ValueError(
                f"answer: the post would be {length} characters; keep it under "
                f"{POST_BUDGET} so hashtags and signature fit one message"
            )
        return self


class LessonItem(_Item):
    """A short lesson post."""

    id: ItemId
    topic: str
    title: Annotated[Text, Field(max_length=MAX_TITLE_LENGTH)]
    body: Text
    hashtags: list[Hashtag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_one_message(self) -> LessonItem:
        length = (
            telegram_length(self.title)
            + telegram_length(self.body)
            + sum(telegram_length(tag) + 1 for tag in self.hashtags)
            + 4
        )
        if length > POST_BUDGET:
            raise ValueError(
                f"body: the post would be {length} characters; keep it under "
                f"{POST_BUDGET} so the signature fits one message"
            )
        return self


ItemKindName = Literal["quizzes", "interview_questions", "lessons"]
ITEM_MODELS: dict[str, type[QuizItem | InterviewItem | LessonItem]] = {
    "quizzes": QuizItem,
    "interview_questions": InterviewItem,
    "lessons": LessonItem,
}


# The schema of each kind of item, by the kind's name (`ItemKind`'s values): what a content
# file, a text written in chat and an edit in chat are all checked against.
ITEM_SCHEMAS: dict[str, type[QuizItem | InterviewItem | LessonItem]] = {
    "quiz": QuizItem,
    "interview": InterviewItem,
    "lesson": LessonItem,
}
