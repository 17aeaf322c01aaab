"""Writing bank items in chat: a channel admin's quiz poll or channel-format text becomes a
quiz or an interview question, checked by the bank's own rules and saved with `source=chat`.

The steps: the item as received (a poll's right answer asked when unknown) → a topic → for a
quiz, a difficulty → validation → saved. Each step takes the draft so far and returns the next
outcome with the updated draft; the handler keeps the draft in the conversation's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.issues import ContentIssue
from bot.bank.loader import issues_from, near_duplicate
from bot.bank.normalize import normalize_text
from bot.bank.schema import ITEM_SCHEMAS, MAX_ID_LENGTH, InterviewItem, LessonItem, QuizItem
from bot.bank.telegram_export import recognise_text, strip_quiz_number
from bot.db.models import (
    ContentSource,
    InterviewQuestion,
    ItemKind,
    Lesson,
    Quiz,
    QuizOption,
    Topic,
)
from bot.services.channel.outcomes import NoChannels, NotAdmin
from bot.services.channel.rights import Admin, administered, refusal
from bot.services.learning.views import TopicRef

# Where a chat-written item's problems are said to be (the bank names a file there).
CHAT_FILE = "chat"
# Also the placeholder while the difficulty is not chosen yet: an item's own fields are
# checked as soon as it arrives, so an admin is not asked for a topic of an item refused later.
MIDDLE_DIFFICULTY = 2
DIFFICULTIES = (1, 2, 3)
SAVE_ATTEMPTS = 5
_TOPIC_PART = MAX_ID_LENGTH - len("-chat-") - 6  # room for a six-digit serial


@dataclass(frozen=True)
class ReceivedPoll:
    """A poll as Telegram delivered it; `correct` is None when Telegram does not say."""

    question: str
    options: Sequence[str]
    correct: Sequence[int] | None  # 0-based
    explanation: str | None = None


@dataclass(frozen=True)
class AuthorDraft:
    """The item written so far."""

    kind: str  # "quiz", "interview" or "lesson"
    question: str  # a lesson's title
    options: list[str] = field(default_factory=list)
    correct: list[int] | None = None  # 0-based; None: ask which option is right
    explanation: str | None = None
    answer: list[str] = field(default_factory=list)  # an interview's bullets, a lesson's lines
    tags: list[str] = field(default_factory=list)  # a lesson's hashtags
    topic: str | None = None
    difficulty: int | None = None

    def data(self) -> dict[str, Any]:
        """The draft as stored between steps."""
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any]) -> AuthorDraft | None:
        """The stored draft, or None when there is none (or it is from an older shape)."""
        try:
            return cls(**data)
        except TypeError:
            return None


@dataclass(frozen=True)
class AskAnswer:
    """A regular poll (or a quiz forwarded by someone else): which option is right?"""

    draft: AuthorDraft


@dataclass(frozen=True)
class AskTopic:
    """The item as it will be in the bank; which topic it belongs to."""

    draft: AuthorDraft
    topics: tuple[TopicRef, ...]


@dataclass(frozen=True)
class AskDifficulty:
    """A quiz's difficulty, 1 (easy) to 3 (hard)."""

    draft: AuthorDraft


@dataclass(frozen=True)
class Invalid:
    """The bank's rules refuse the item; nothing was saved."""

    issues: tuple[ContentIssue, ...]


@dataclass(frozen=True)
class ItemSaved:
    """The item is in the bank, with this id."""

    kind: ItemKind
    item_id: str
    draft: AuthorDraft


@dataclass(frozen=True)
class AuthorExpired:
    """The draft is gone (finished, cancelled, or of an older shape)."""


@dataclass(frozen=True)
class AuthorAborted:
    """The admin cancelled."""


def poll_draft(poll: ReceivedPoll) -> AuthorDraft:
    """A poll as a quiz draft; a channel quiz's «کوییز شماره N:» is left out."""
    correct = list(poll.correct) if poll.correct else None
    return AuthorDraft(
        "quiz",
        strip_quiz_number(normalize_text(poll.question)),
        [normalize_text(option) for option in poll.options],
        correct,
        normalize_text(poll.explanation) if poll.explanation else None,
    )


def text_draft(text: str) -> AuthorDraft | None:
    """A text in the channel's interview or lesson format as a draft; None for other text."""
    found = recognise_text(normalize_text(text))
    if found is None:
        return None
    if found.kind == "interview":
        return AuthorDraft("interview", found.title, answer=list(found.lines))
    return AuthorDraft("lesson", found.title, answer=list(found.lines), tags=list(found.hashtags))


async def _topics(session: AsyncSession) -> tuple[TopicRef, ...]:
    rows = await session.scalars(
        select(Topic).where(Topic.retired_at.is_(None)).order_by(Topic.position)
    )
    return tuple(TopicRef.of(topic) for topic in rows)


def _item_data(draft: AuthorDraft, item_id: str, topic: str, difficulty: int) -> dict[str, Any]:
    if draft.kind == "interview":
        return {"id": item_id, "topic": topic, "question": draft.question, "answer": draft.answer}
    if draft.kind == "lesson":
        return {
            "id": item_id,
            "topic": topic,
            "title": draft.question,
            "body": "\n".join(draft.answer) or draft.question,
            "hashtags": draft.tags,
        }
    correct = [position + 1 for position in draft.correct or [0]]
    data: dict[str, Any] = {
        "id": item_id,
        "topic": topic,
        "difficulty": difficulty,
        "question": draft.question,
        "options": draft.options,
        "correct": correct,
        "multiple": len(correct) > 1,
    }
    if draft.explanation:
        data["explanation"] = draft.explanation
    return data


async def _validated(
    session: AsyncSession, draft: AuthorDraft, item_id: str, topic: str, difficulty: int
) -> QuizItem | InterviewItem | LessonItem | Invalid:
    """The item under the bank's rules: the schema (Telegram's limits, repeated options,
    normalisation) and no question alike to one already in the bank."""
    model = ITEM_SCHEMAS[draft.kind]
    try:
        item = model.model_validate(_item_data(draft, item_id, topic, difficulty))
    except ValidationError as error:
        return Invalid(tuple(issues_from(error, CHAT_FILE, item_id)))
    if isinstance(item, LessonItem):
        return item  # the bank looks for near-duplicates among questions only
    row_model = InterviewQuestion if draft.kind == "interview" else Quiz
    kind_name = "interview question" if draft.kind == "interview" else "quiz"
    rows = await session.execute(
        select(row_model.id, row_model.question, row_model.source).where(
            row_model.retired_at.is_(None)
        )
    )
    others = [(other_id, question, str(source)) for other_id, question, source in rows]
    duplicate = near_duplicate(item.question, [(i, q) for i, q, _ in others])
    if duplicate is not None:
        where = {i: s for i, _, s in others}[duplicate]
        file = "the content files" if where == ContentSource.BANK else where
        message = f"near-duplicate of {kind_name} {duplicate} in {file}"
        return Invalid((ContentIssue(CHAT_FILE, item_id, "question", message),))
    return item


async def _mine(session: AsyncSession, admin: Admin) -> NotAdmin | NoChannels | None:
    """None when the person administers one of the bot's channels; else why not."""
    return None if await administered(session, admin) else await refusal(session)


async def begin(
    session: AsyncSession, admin: Admin, draft: AuthorDraft
) -> AskAnswer | AskTopic | Invalid | NotAdmin | NoChannels:
    """An item arrived: checked at once by the bank's rules, then its right answer or topic."""
    refused = await _mine(session, admin)
    if refused is not None:
        return refused
    topics = await _topics(session)
    placeholder = topics[0].id if topics else ""
    checked = await _validated(session, draft, "chat-draft", placeholder, MIDDLE_DIFFICULTY)
    if isinstance(checked, Invalid):
        return checked
    if draft.kind == "quiz" and draft.correct is None:
        return AskAnswer(draft)
    return AskTopic(draft, topics)


async def choose_answer(
    session: AsyncSession, admin: Admin, draft: AuthorDraft | None, position: int
) -> AskTopic | AuthorExpired | NotAdmin | NoChannels:
    """The right option (0-based) of a poll that did not say."""
    if draft is None or draft.kind != "quiz" or not 0 <= position < len(draft.options):
        return AuthorExpired()
    refused = await _mine(session, admin)
    if refused is not None:
        return refused
    chosen = AuthorDraft(**{**draft.data(), "correct": [position]})
    return AskTopic(chosen, await _topics(session))


async def choose_topic(
    session: AsyncSession, admin: Admin, draft: AuthorDraft | None, topic_id: str, now: datetime
) -> AskDifficulty | ItemSaved | Invalid | AuthorExpired | NotAdmin | NoChannels:
    """The topic: a quiz asks its difficulty next; an interview question is saved."""
    if draft is None or (draft.kind == "quiz" and draft.correct is None):
        return AuthorExpired()
    refused = await _mine(session, admin)
    if refused is not None:
        return refused
    topic = await session.get(Topic, topic_id)
    if topic is None or topic.retired_at is not None:
        return AuthorExpired()
    chosen = AuthorDraft(**{**draft.data(), "topic": topic.id})
    if draft.kind == "quiz":
        return AskDifficulty(chosen)
    return await _save(session, chosen, now)


async def choose_difficulty(
    session: AsyncSession, admin: Admin, draft: AuthorDraft | None, difficulty: int, now: datetime
) -> ItemSaved | Invalid | AuthorExpired | NotAdmin | NoChannels:
    """A quiz's difficulty: the quiz is checked once more and saved."""
    if draft is None or draft.kind != "quiz" or draft.topic is None:
        return AuthorExpired()
    if difficulty not in DIFFICULTIES:
        return AuthorExpired()
    refused = await _mine(session, admin)
    if refused is not None:
        return refused
    return await _save(session, AuthorDraft(**{**draft.data(), "difficulty": difficulty}), now)


async def _new_id(session: AsyncSession, topic: str) -> str:
    """`<topic>-chat-<n>`: readable in /schedule and /postnow, free in every kind's table."""
    stem = f"{topic[:_TOPIC_PART].rstrip('-_')}-chat-"
    taken: set[str] = set()
    for model in (Quiz, InterviewQuestion, Lesson):
        taken |= set(
            await session.scalars(
                select(model.id).where(model.id.startswith(stem, autoescape=True))
            )
        )
    serial = len(taken) + 1
    while f"{stem}{serial}" in taken:
        serial += 1
    return f"{stem}{serial}"


async def _save(session: AsyncSession, draft: AuthorDraft, now: datetime) -> ItemSaved | Invalid:
    """Checked once more under its real id, then saved. Two admins saving at the same moment
    may pick the same id (PostgreSQL does not serialise them): the later one takes the next."""
    assert draft.topic is not None
    for _attempt in range(SAVE_ATTEMPTS):
        item_id = await _new_id(session, draft.topic)
        item = await _validated(
            session, draft, item_id, draft.topic, draft.difficulty or MIDDLE_DIFFICULTY
        )
        if isinstance(item, Invalid):
            return item
        kind, row = _row(item, now)
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
        except IntegrityError:
            continue
        return ItemSaved(kind, item.id, draft)
    raise RuntimeError(f"no free id for a chat item of topic {draft.topic!r}")


def _row(
    item: QuizItem | InterviewItem | LessonItem, now: datetime
) -> tuple[ItemKind, Quiz | InterviewQuestion | Lesson]:
    common: dict[str, Any] = {
        "id": item.id,
        "topic_id": item.topic,
        "tags": [] if isinstance(item, LessonItem) else list(item.tags),
        "content_hash": item.content_hash(),
        "source": ContentSource.CHAT,
        "created_at": now,
        "updated_at": now,
    }
    if isinstance(item, QuizItem):
        correct = set(item.correct_indexes)
        options = [
            QuizOption(position=i, text=text, is_correct=i in correct)
            for i, text in enumerate(item.options)
        ]
        quiz = Quiz(
            **common,
            difficulty=item.difficulty,
            question=item.question,
            explanation=item.explanation,
            multiple_answers=item.multiple,
            options=options,
        )
        return ItemKind.QUIZ, quiz
    if isinstance(item, InterviewItem):
        question = InterviewQuestion(**common, question=item.question, answer=list(item.answer))
        return ItemKind.INTERVIEW, question
    lesson = Lesson(**common, title=item.title, body=item.body, hashtags=list(item.hashtags))
    return ItemKind.LESSON, lesson
