"""How an item looks in a channel: the one render used by the preview and by the publisher.

A numbered quiz poll («❓کوییز شماره N: …»), an interview post («💡سوال مصاحبه: …» with 🔵
bullets), a lesson post; text posts are Telegram HTML (bold title, code and formulas in
`<code>`: bot/markup.py) and end with hashtags and the channel's signature. Wording comes from
the catalogue (bot/texts.py); limits from bot/limits.py, counted on the text a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.bank.normalize import to_persian_digits
from bot.db.models import InterviewQuestion, ItemKind, Lesson, Quiz, Topic
from bot.limits import MAX_MESSAGE_LENGTH, MAX_QUESTION_LENGTH, telegram_length
from bot.markup import interview_html, lesson_html, plain
from bot.services.channel.outcomes import Problem
from bot.services.channel.views import ChannelView
from bot.services.learning.catalog import servable_quizzes
from bot.services.learning.views import InterviewView, QuizView


class RenderError(ValueError):
    """The item cannot be posted: gone, or over a Telegram limit once numbered and signed."""

    def __init__(self, problem: Problem, item_id: str, limit: int | None = None) -> None:
        super().__init__(f"{problem.value}: {item_id}")
        self.problem = problem
        self.item_id = item_id
        self.limit = limit


@dataclass(frozen=True)
class RenderedQuiz:
    """A channel quiz poll ready to send."""

    question: str
    options: tuple[str, ...]
    correct_indexes: tuple[int, ...]
    explanation: str | None
    # The bot's deep-link payload that opens this item for practice (under the post).
    link: str | None = None
    # Several right options: the poll lets a voter tick several, and is right on the set.
    multiple_answers: bool = False


@dataclass(frozen=True)
class RenderedText:
    """A channel text post ready to send, in Telegram HTML."""

    text: str
    link: str | None = None


Rendered = RenderedQuiz | RenderedText


@dataclass(frozen=True)
class LessonView:
    """What posting a lesson needs."""

    id: str
    title: str
    body: str
    hashtags: tuple[str, ...]


@dataclass(frozen=True)
class InterviewPost:
    """An interview question with its topic's hashtag."""

    question: InterviewView
    hashtag: str


PostItem = QuizView | InterviewPost | LessonView


def _footer(channel: ChannelView, hashtags: list[str]) -> str:
    tags = list(dict.fromkeys([*hashtags, *channel.hashtags]))
    lines = [escape("\n".join(tags), quote=False)] if tags else []
    if channel.signature:
        lines.append(escape(channel.signature, quote=False))
    return "\n".join(lines)


def _text_post(body: str, footer: str, item_id: str, link: str | None = None) -> RenderedText:
    text = f"{body}\n\n{footer}" if footer else body
    if telegram_length(plain(text)) > MAX_MESSAGE_LENGTH:
        raise RenderError(Problem.TOO_LONG, item_id, MAX_MESSAGE_LENGTH)
    return RenderedText(text, link)


# Telegram takes a /start payload of at most 64 characters from this alphabet.
_LINKABLE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def practice_link(kind: str, item_id: str) -> str | None:
    """The deep-link payload (`quiz_<id>`, `interview_<id>`) or None if Telegram cannot carry it."""
    payload = f"{kind}_{item_id}"
    return payload if _LINKABLE.fullmatch(payload) else None


def render(item: PostItem, channel: ChannelView, number: int) -> Rendered:
    """The post as it appears in `channel`; `number` numbers a quiz. RenderError if too long."""
    if isinstance(item, QuizView):
        question = texts.CHANNEL_QUIZ_TITLE.format(
            number=to_persian_digits(str(number)), question=item.question
        )
        if telegram_length(question) > MAX_QUESTION_LENGTH:
            raise RenderError(Problem.TOO_LONG, item.id, MAX_QUESTION_LENGTH)
        return RenderedQuiz(
            question,
            item.options,
            item.correct_indexes,
            item.explanation,
            practice_link("quiz", item.id),
            item.multiple_answers,
        )
    if isinstance(item, InterviewPost):
        body = interview_html(item.question.question, item.question.answer)
        link = practice_link("interview", item.question.id)
        return _text_post(body, _footer(channel, [item.hashtag]), item.question.id, link)
    body = lesson_html(item.title, item.body)
    return _text_post(body, _footer(channel, list(item.hashtags)), item.id)


async def load_item(session: AsyncSession, kind: ItemKind, item_id: str) -> PostItem:
    """The servable item of `kind` with this id; RenderError(NOT_FOUND) when gone."""
    if kind is ItemKind.QUIZ:
        quiz = await session.scalar(select(Quiz).where(Quiz.id == item_id, *servable_quizzes()))
        if quiz is not None:
            return QuizView.of(quiz)
    elif kind is ItemKind.INTERVIEW:
        question = await session.scalar(
            select(InterviewQuestion).where(
                InterviewQuestion.id == item_id, InterviewQuestion.retired_at.is_(None)
            )
        )
        if question is not None:
            topic = await session.get(Topic, question.topic_id)
            return InterviewPost(InterviewView.of(question), topic.hashtag if topic else "")
    else:
        lesson = await session.scalar(
            select(Lesson).where(Lesson.id == item_id, Lesson.retired_at.is_(None))
        )
        if lesson is not None:
            return LessonView(lesson.id, lesson.title, lesson.body, tuple(lesson.hashtags))
    raise RenderError(Problem.NOT_FOUND, item_id)
