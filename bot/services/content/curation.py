"""Browsing and fixing the bank in chat: imported quizzes waiting for their right option,
search by words or topic, one item in full, a field edited, an item retired.

The bank is shared by every channel, so anyone who administers one of the bot's channels
may curate it (others are refused). Only items that live in the database alone (imported
from a channel's history, or written in chat) are edited or retired here, each field checked
by the bank's own rules for the whole item: an item written in a file under content/ is
changed in its file, or the next `content sync` would undo the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, ClassVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.bank.issues import ContentIssue
from bot.bank.loader import issues_from
from bot.bank.normalize import comparison_key, normalize_text, to_latin_digits
from bot.bank.schema import ITEM_SCHEMAS, InterviewItem, LessonItem, QuizItem
from bot.db.models import ContentSource, InterviewQuestion, ItemKind, Lesson, Quiz, Topic
from bot.services.channel.outcomes import NoChannels, NotAdmin
from bot.services.channel.rights import Admin, administered, refusal
from bot.services.content.history_import import set_answer
from bot.services.learning.catalog import find_topic

# How many imported quizzes one /review shows, and how many hits one search lists.
REVIEW_PAGE = 5
SEARCH_PAGE = 10
# Where an edit's problems are said to be (the bank's messages name a file).
EDIT_FILE = "chat"


class Field:
    """The fields of an item that can be edited in chat (short codes: they go in buttons)."""

    QUESTION = "q"
    EXPLANATION = "e"
    OPTIONS = "o"  # a quiz's options, one per line, as many as it has
    ANSWER = "a"  # an interview question's bullets, one per line
    TITLE = "t"
    BODY = "b"
    OF_KIND: ClassVar[dict[ItemKind, tuple[str, ...]]] = {
        ItemKind.QUIZ: (QUESTION, OPTIONS, EXPLANATION),
        ItemKind.INTERVIEW: (QUESTION, ANSWER),
        ItemKind.LESSON: (TITLE, BODY),
    }


# --- outcomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQuiz:
    """An imported quiz whose right option is unknown."""

    id: str
    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ReviewList:
    """The first imported quizzes waiting for their right option, and how many wait."""

    quizzes: tuple[ReviewQuiz, ...]
    total: int


@dataclass(frozen=True)
class AnswerSet:
    """The quiz has its right option and is served from now on."""

    question: str
    option: str


@dataclass(frozen=True)
class ItemGone:
    """No such item (any more): retired, or its right option already set."""


@dataclass(frozen=True)
class Hit:
    """A search result: the item's kind, id (for its button only) and words."""

    kind: ItemKind
    id: str
    label: str
    needs_review: bool = False  # an imported quiz whose right option is unknown


@dataclass(frozen=True)
class SearchResults:
    """What matched the words (at most SEARCH_PAGE), and how many matched in all."""

    words: str
    hits: tuple[Hit, ...]
    total: int


@dataclass(frozen=True)
class BankUsage:
    """/bank without words: how to write it."""


@dataclass(frozen=True)
class ItemShown:
    """One item in full: a quiz, an interview question or a lesson."""

    kind: ItemKind
    id: str
    topic: str
    text: str  # the question, or the lesson's title
    options: tuple[tuple[str, bool], ...] = ()  # (text, right)
    explanation: str | None = None
    bullets: tuple[str, ...] = ()  # an interview question's answer
    body: str | None = None  # a lesson's
    needs_review: bool = False
    editable: bool = False  # only items that live in the database alone (not in files)


@dataclass(frozen=True)
class EditDraft:
    """The item and field an admin is replacing."""

    item_id: str
    field: str
    kind: str

    @property
    def item_kind(self) -> ItemKind | None:
        """The kind, or None when the stored value is not one."""
        return ItemKind(self.kind) if self.kind in {k.value for k in ItemKind} else None

    def data(self) -> dict[str, Any]:
        """The draft as stored between steps."""
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any]) -> EditDraft | None:
        """The stored draft, or None when there is none (or it is from an older shape)."""
        try:
            return cls(**data)
        except TypeError:
            return None


@dataclass(frozen=True)
class AskText:
    """Waiting for the field's new text; the current one is shown to copy from."""

    draft: EditDraft
    current: str | None


@dataclass(frozen=True)
class BadText:
    """The edited item breaks the bank's rules; nothing changed and the step waits again."""

    draft: EditDraft
    issues: tuple[ContentIssue, ...]


@dataclass(frozen=True)
class Edited:
    """The field has its new text."""

    field: str
    text: str


@dataclass(frozen=True)
class FileItem:
    """The item is written in a file under content/: it is changed there, not in chat."""


@dataclass(frozen=True)
class RetireAsk:
    """Retiring cannot be undone in chat: the admin confirms first."""

    kind: ItemKind
    id: str
    label: str


@dataclass(frozen=True)
class Retired:
    """The item is retired: no longer served or scheduled (its statistics stay)."""

    label: str


@dataclass(frozen=True)
class EditEnded:
    """The edit was cancelled, or its draft is gone."""


Refusal = NotAdmin | NoChannels


# --- who may curate --------------------------------------------------------------------


async def _refused(session: AsyncSession, admin: Admin) -> Refusal | None:
    """None when the person administers one of the bot's channels."""
    return None if await administered(session, admin) else await refusal(session)


# --- imported quizzes waiting for their right option ----------------------------------


def _unreviewed() -> Any:
    return (
        select(Quiz)
        .where(Quiz.needs_review.is_(True), Quiz.retired_at.is_(None))
        .options(selectinload(Quiz.options))
        .order_by(Quiz.created_at, Quiz.id)
    )


async def unreviewed_quizzes(session: AsyncSession) -> list[ReviewQuiz]:
    """Every imported quiz whose right option is unknown, oldest first (the CLI lists them)."""
    quizzes = (await session.scalars(_unreviewed())).all()
    return [
        ReviewQuiz(q.id, q.question, tuple(o.text for o in sorted(q.options, key=_position)))
        for q in quizzes
    ]


def _position(option: Any) -> int:
    return int(option.position)


async def review_list(session: AsyncSession, admin: Admin) -> ReviewList | Refusal:
    """/review: the first imported quizzes whose right option is unknown."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    waiting = await unreviewed_quizzes(session)
    return ReviewList(tuple(waiting[:REVIEW_PAGE]), len(waiting))


async def choose_answer(
    session: AsyncSession, admin: Admin, quiz_id: str, position: int
) -> AnswerSet | ItemGone | Refusal:
    """An option's button: it is the right one (1-based); the quiz joins rotation."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    # Locked (on PostgreSQL; SQLite's write transactions are serial): two admins pressing
    # at once, the second sees the answer the first set.
    quiz = await session.get(Quiz, quiz_id, with_for_update=True)
    if quiz is None or not quiz.needs_review or quiz.retired_at is not None:
        return ItemGone()  # pressed twice, or by two admins: the first press decided
    if not await set_answer(session, quiz_id, position):
        return ItemGone()
    option = next(o.text for o in quiz.options if o.position == position - 1)
    return AnswerSet(quiz.question, option)


# --- search and one item ----------------------------------------------------------------


def search_key(text: str) -> str:
    """The bank's comparison form, with every digit Latin (a typed «۳» finds a written 3)."""
    return to_latin_digits(comparison_key(text))


async def search(
    session: AsyncSession, admin: Admin, words: Sequence[str]
) -> SearchResults | BankUsage | Refusal:
    """/bank words: the active items of a topic (named by id or title), else those holding
    every word (question, options, explanation, answer, title, body)."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    typed = " ".join(words).strip()
    if not search_key(typed):
        return BankUsage()
    topic = await find_topic(session, typed)
    keys = search_key(typed).split()
    hits: list[tuple[int, Hit]] = []
    for position, hit, haystack, topic_id in await _active_items(session):
        if (topic is not None and topic_id == topic.id) or (
            topic is None and all(key in haystack for key in keys)
        ):
            hits.append((position, hit))
    hits.sort(key=lambda found: found[0])  # the bank's topic order; within it, as read
    return SearchResults(typed, tuple(hit for _, hit in hits[:SEARCH_PAGE]), len(hits))


async def _active_items(session: AsyncSession) -> list[tuple[int, Hit, str, str]]:
    """Every active item: (its topic's position, the hit, its searchable text, topic id).

    The bank is hundreds of items, read once per search: the comparison form (Persian
    letters and digits, ZWNJ, case) is the bank's own, which SQL LIKE cannot reproduce.
    """
    rows = await session.execute(select(Topic.id, Topic.position))
    positions: dict[str, int] = {topic_id: position for topic_id, position in rows}
    found: list[tuple[int, Hit, str, str]] = []
    quizzes = await session.scalars(
        select(Quiz).where(Quiz.retired_at.is_(None)).options(selectinload(Quiz.options))
    )
    for quiz in quizzes:
        text = " ".join([quiz.question, *(o.text for o in quiz.options), quiz.explanation or ""])
        hit = Hit(ItemKind.QUIZ, quiz.id, quiz.question, quiz.needs_review)
        found.append((positions.get(quiz.topic_id, 0), hit, search_key(text), quiz.topic_id))
    questions = await session.scalars(
        select(InterviewQuestion).where(InterviewQuestion.retired_at.is_(None))
    )
    for question in questions:
        text = " ".join([question.question, *question.answer])
        hit = Hit(ItemKind.INTERVIEW, question.id, question.question)
        position = positions.get(question.topic_id, 0)
        found.append((position, hit, search_key(text), question.topic_id))
    for lesson in await session.scalars(select(Lesson).where(Lesson.retired_at.is_(None))):
        hit = Hit(ItemKind.LESSON, lesson.id, lesson.title)
        text = search_key(f"{lesson.title} {lesson.body}")
        found.append((positions.get(lesson.topic_id, 0), hit, text, lesson.topic_id))
    return found


async def show_item(
    session: AsyncSession, admin: Admin, kind: ItemKind, item_id: str
) -> ItemShown | ItemGone | Refusal:
    """A search result's button: the item in full."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    return await _item(session, kind, item_id) or ItemGone()


async def _item(session: AsyncSession, kind: ItemKind, item_id: str) -> ItemShown | None:
    if kind is ItemKind.QUIZ:
        quiz = await session.get(Quiz, item_id)
        if quiz is None or quiz.retired_at is not None:
            return None
        return ItemShown(
            kind,
            quiz.id,
            await _topic_title(session, quiz.topic_id),
            quiz.question,
            options=tuple((o.text, o.is_correct) for o in sorted(quiz.options, key=_position)),
            explanation=quiz.explanation,
            needs_review=quiz.needs_review,
            editable=quiz.source is not ContentSource.BANK,
        )
    if kind is ItemKind.INTERVIEW:
        question = await session.get(InterviewQuestion, item_id)
        if question is None or question.retired_at is not None:
            return None
        topic = await _topic_title(session, question.topic_id)
        bullets = tuple(question.answer)
        editable = question.source is not ContentSource.BANK
        return ItemShown(
            kind, question.id, topic, question.question, bullets=bullets, editable=editable
        )
    lesson = await session.get(Lesson, item_id)
    if lesson is None or lesson.retired_at is not None:
        return None
    topic = await _topic_title(session, lesson.topic_id)
    editable = lesson.source is not ContentSource.BANK
    return ItemShown(kind, lesson.id, topic, lesson.title, body=lesson.body, editable=editable)


async def _topic_title(session: AsyncSession, topic_id: str) -> str:
    topic = await session.get(Topic, topic_id)
    return topic.title if topic is not None else topic_id


# --- editing and retiring ---------------------------------------------------------------

Editable = Quiz | InterviewQuestion | Lesson


async def _editable(
    session: AsyncSession, kind: ItemKind, item_id: str
) -> Editable | FileItem | ItemGone:
    row: Editable | None
    if kind is ItemKind.QUIZ:
        row = await session.get(Quiz, item_id)
    elif kind is ItemKind.INTERVIEW:
        row = await session.get(InterviewQuestion, item_id)
    else:
        row = await session.get(Lesson, item_id)
    if row is None or row.retired_at is not None:
        return ItemGone()
    if row.source is ContentSource.BANK:
        return FileItem()
    return row


def _options(quiz: Quiz) -> list[str]:
    return [option.text for option in sorted(quiz.options, key=_position)]


def _current(row: Editable, field: str) -> str | None:
    """The field's text now; lists (options, bullets) one per line, as they are typed."""
    if isinstance(row, Quiz):
        return {
            Field.QUESTION: row.question,
            Field.EXPLANATION: row.explanation,
            Field.OPTIONS: "\n".join(_options(row)),
        }[field]
    if isinstance(row, InterviewQuestion):
        return row.question if field == Field.QUESTION else "\n".join(row.answer)
    return row.title if field == Field.TITLE else row.body


def _item_data(row: Editable) -> dict[str, Any]:
    """The item as the bank's schema reads it, to check an edit by the bank's own rules."""
    common = {"id": row.id, "topic": row.topic_id}
    if isinstance(row, Quiz):
        correct = [o.position + 1 for o in row.options if o.is_correct] or [1]  # unknown: any
        data: dict[str, Any] = {
            **common,
            "difficulty": row.difficulty,
            "question": row.question,
            "options": _options(row),
            "correct": correct,
            "multiple": row.multiple_answers or len(correct) > 1,
        }
        if row.explanation:
            data["explanation"] = row.explanation
        return data
    if isinstance(row, InterviewQuestion):
        return {**common, "question": row.question, "answer": list(row.answer)}
    return {**common, "title": row.title, "body": row.body, "hashtags": list(row.hashtags)}


def _lines(text: str) -> list[str]:
    return [normalize_text(line) for line in text.splitlines() if line.strip()]


def _edited_data(row: Editable, field: str, text: str) -> dict[str, Any]:
    data = _item_data(row)
    key = {
        Field.QUESTION: "question",
        Field.EXPLANATION: "explanation",
        Field.OPTIONS: "options",
        Field.ANSWER: "answer",
        Field.TITLE: "title",
        Field.BODY: "body",
    }[field]
    data[key] = _lines(text) if field in (Field.OPTIONS, Field.ANSWER) else text
    return data


async def begin_edit(
    session: AsyncSession, admin: Admin, kind: ItemKind, item_id: str, field: str
) -> AskText | FileItem | ItemGone | Refusal:
    """An edit button: ask for the field's new text."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    row = await _editable(session, kind, item_id)
    if not isinstance(row, Editable) or field not in Field.OF_KIND[kind]:
        return row if not isinstance(row, Editable) else ItemGone()
    return AskText(EditDraft(item_id, field, kind.value), _current(row, field))


async def apply_edit(
    session: AsyncSession, admin: Admin, draft: EditDraft | None, typed: str, now: datetime
) -> Edited | BadText | FileItem | ItemGone | EditEnded | Refusal:
    """The new text, normalised and checked by the bank's own rules for the whole item."""
    kind = draft.item_kind if draft is not None else None
    if draft is None or kind is None or draft.field not in Field.OF_KIND[kind]:
        return EditEnded()
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    row = await _editable(session, kind, draft.item_id)
    if not isinstance(row, Editable):
        return row
    text = normalize_text(typed)
    if (
        isinstance(row, Quiz)
        and draft.field == Field.OPTIONS
        and len(_lines(text)) != len(row.options)
    ):
        # The right option(s) and every vote hang on the positions: their number stays.
        issue = ContentIssue(EDIT_FILE, row.id, "options", f"keep {len(row.options)} options")
        return BadText(draft, (issue,))
    try:
        item = ITEM_SCHEMAS[kind].model_validate(_edited_data(row, draft.field, text))
    except ValidationError as error:
        return BadText(draft, tuple(issues_from(error, EDIT_FILE, row.id)))
    _apply(row, item)
    row.updated_at = now
    shown = _current(row, draft.field) or ""
    return Edited(draft.field, shown)


def _apply(row: Editable, item: QuizItem | InterviewItem | LessonItem) -> None:
    """The checked item's texts into its row (as normalised by the schema)."""
    if isinstance(row, Quiz) and isinstance(item, QuizItem):
        row.question, row.explanation = item.question, item.explanation
        for option, text in zip(sorted(row.options, key=_position), item.options, strict=True):
            option.text = text
    elif isinstance(row, InterviewQuestion) and isinstance(item, InterviewItem):
        row.question, row.answer = item.question, list(item.answer)
    elif isinstance(row, Lesson) and isinstance(item, LessonItem):
        row.title, row.body = item.title, item.body


def _label(row: Editable) -> str:
    return row.title if isinstance(row, Lesson) else row.question


async def ask_retire(
    session: AsyncSession, admin: Admin, kind: ItemKind, item_id: str
) -> RetireAsk | FileItem | ItemGone | Refusal:
    """The retire button: asks to confirm (nothing changes yet)."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    row = await _editable(session, kind, item_id)
    return RetireAsk(kind, row.id, _label(row)) if isinstance(row, Editable) else row


async def retire(
    session: AsyncSession, admin: Admin, kind: ItemKind, item_id: str, now: datetime
) -> Retired | FileItem | ItemGone | Refusal:
    """The confirmation: the item is no longer served or scheduled (its statistics stay)."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    row = await _editable(session, kind, item_id)
    if not isinstance(row, Editable):
        return row
    row.retired_at = row.updated_at = now
    return Retired(_label(row))
