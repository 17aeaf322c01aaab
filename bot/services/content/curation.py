"""Browsing and fixing the bank in chat: imported quizzes waiting for their right option,
search by words or topic, one item in full, a field edited, an item retired.

The bank is shared by every channel, so anyone who administers one of the bot's channels
may curate it (others are refused). Only items that live in the database alone (quizzes
imported from a channel's history) are edited or retired here: an item written in a file
under content/ is changed in its file, or the next `content sync` would undo the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import limits
from bot.bank.normalize import comparison_key, normalize_text, to_latin_digits
from bot.db.models import ContentSource, InterviewQuestion, ItemKind, Lesson, Quiz, Topic
from bot.services.channel.outcomes import NoChannels, NotAdmin
from bot.services.channel.rights import Admin, administered, refusal
from bot.services.content.history_import import set_answer
from bot.services.learning.catalog import find_topic

# How many imported quizzes one /review shows, and how many hits one search lists.
REVIEW_PAGE = 5
SEARCH_PAGE = 10


class Field:
    """The fields of a quiz that can be edited in chat (short codes: they go in buttons)."""

    QUESTION = "q"
    EXPLANATION = "e"
    ALL = (QUESTION, EXPLANATION)


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
    editable: bool = False  # only items that live in the database alone


@dataclass(frozen=True)
class EditDraft:
    """The quiz and field an admin is replacing."""

    quiz_id: str
    field: str

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
    """The typed text breaks the bank's rules for the field; the step waits for another."""

    draft: EditDraft
    limit: int
    line_feeds: int | None = None


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
        return ItemShown(kind, question.id, topic, question.question, bullets=bullets)
    lesson = await session.get(Lesson, item_id)
    if lesson is None or lesson.retired_at is not None:
        return None
    topic = await _topic_title(session, lesson.topic_id)
    return ItemShown(kind, lesson.id, topic, lesson.title, body=lesson.body)


async def _topic_title(session: AsyncSession, topic_id: str) -> str:
    topic = await session.get(Topic, topic_id)
    return topic.title if topic is not None else topic_id


# --- editing and retiring ---------------------------------------------------------------


async def _editable_quiz(session: AsyncSession, quiz_id: str) -> Quiz | FileItem | ItemGone:
    quiz = await session.get(Quiz, quiz_id)
    if quiz is None or quiz.retired_at is not None:
        return ItemGone()
    if quiz.source is ContentSource.BANK:
        return FileItem()
    return quiz


async def begin_edit(
    session: AsyncSession, admin: Admin, quiz_id: str, field: str
) -> AskText | FileItem | ItemGone | Refusal:
    """An edit button: ask for the field's new text."""
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    quiz = await _editable_quiz(session, quiz_id)
    if not isinstance(quiz, Quiz) or field not in Field.ALL:
        return quiz if not isinstance(quiz, Quiz) else ItemGone()
    current = quiz.question if field == Field.QUESTION else quiz.explanation
    return AskText(EditDraft(quiz_id, field), current)


async def apply_edit(
    session: AsyncSession, admin: Admin, draft: EditDraft | None, typed: str, now: datetime
) -> Edited | BadText | FileItem | ItemGone | EditEnded | Refusal:
    """The new text, normalised as the bank normalises and held to the bank's limits."""
    if draft is None or draft.field not in Field.ALL:
        return EditEnded()
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    quiz = await _editable_quiz(session, draft.quiz_id)
    if not isinstance(quiz, Quiz):
        return quiz
    text = normalize_text(typed)
    if draft.field == Field.QUESTION:
        if not text or limits.telegram_length(text) > limits.MAX_QUESTION_LENGTH:
            return BadText(draft, limits.MAX_QUESTION_LENGTH)
        quiz.question = text
    else:
        too_many = text.count("\n") > limits.MAX_EXPLANATION_LINE_FEEDS
        if not text or too_many or limits.telegram_length(text) > limits.MAX_EXPLANATION_LENGTH:
            return BadText(draft, limits.MAX_EXPLANATION_LENGTH, limits.MAX_EXPLANATION_LINE_FEEDS)
        quiz.explanation = text
    quiz.updated_at = now
    return Edited(draft.field, text)


async def _retirable(
    session: AsyncSession, admin: Admin, kind: ItemKind, item_id: str
) -> Quiz | FileItem | ItemGone | Refusal:
    refused = await _refused(session, admin)
    if refused is not None:
        return refused
    if kind is not ItemKind.QUIZ:  # interview questions and lessons all live in files
        shown = await _item(session, kind, item_id)
        return ItemGone() if shown is None else FileItem()
    return await _editable_quiz(session, item_id)


async def ask_retire(
    session: AsyncSession, admin: Admin, kind: ItemKind, item_id: str
) -> RetireAsk | FileItem | ItemGone | Refusal:
    """The retire button: asks to confirm (nothing changes yet)."""
    quiz = await _retirable(session, admin, kind, item_id)
    return RetireAsk(kind, quiz.id, quiz.question) if isinstance(quiz, Quiz) else quiz


async def retire(
    session: AsyncSession, admin: Admin, kind: ItemKind, item_id: str, now: datetime
) -> Retired | FileItem | ItemGone | Refusal:
    """The confirmation: the item is no longer served or scheduled (its statistics stay)."""
    quiz = await _retirable(session, admin, kind, item_id)
    if not isinstance(quiz, Quiz):
        return quiz
    quiz.retired_at = quiz.updated_at = now
    return Retired(quiz.question)
