"""How an item looks in a channel: numbered quiz, interview post, lesson post."""

from __future__ import annotations

from dataclasses import dataclass

from bot.bank.limits import MAX_MESSAGE_LENGTH, MAX_QUESTION_LENGTH
from bot.bank.normalize import telegram_length, to_persian_digits
from bot.db.models import Channel, InterviewQuestion, Lesson, Quiz

QUIZ_PREFIX = "❓کوییز شماره {number}: "
INTERVIEW_PREFIX = "💡سوال مصاحبه: "
BULLET = "🔵 "


class RenderError(ValueError):
    """The item would exceed a Telegram limit once numbered and signed (Persian message)."""


@dataclass(frozen=True)
class RenderedQuiz:
    """A channel quiz poll ready to send."""

    question: str
    options: list[str]
    correct_indexes: list[int]
    explanation: str | None


@dataclass(frozen=True)
class RenderedText:
    """A channel text post ready to send."""

    text: str


def _footer(channel: Channel, hashtags: list[str]) -> str:
    tags = list(dict.fromkeys([*hashtags, *channel.default_hashtags]))
    lines = ["\n".join(tags)] if tags else []
    if channel.signature:
        lines.append(channel.signature)
    return "\n".join(lines)


def render_quiz(quiz: Quiz, number: int) -> RenderedQuiz:
    """ "❓کوییز شماره N: question" with the options; refuses what would not fit."""
    question = QUIZ_PREFIX.format(number=to_persian_digits(str(number))) + quiz.question
    if telegram_length(question) > MAX_QUESTION_LENGTH:
        raise RenderError(
            f"سوال کوییز {quiz.id} با شماره بیشتر از {MAX_QUESTION_LENGTH} کاراکتر می‌شه؛ کوتاهش کن."
        )
    return RenderedQuiz(
        question=question,
        options=[option.text for option in quiz.options],
        correct_indexes=[option.position for option in quiz.options if option.is_correct],
        explanation=quiz.explanation,
    )


def _checked(text: str, item_id: str) -> RenderedText:
    if telegram_length(text) > MAX_MESSAGE_LENGTH:
        raise RenderError(
            f"پست {item_id} با هشتگ‌ها و امضا بیشتر از {MAX_MESSAGE_LENGTH} کاراکتر می‌شه؛ کوتاهش کن."
        )
    return RenderedText(text)


def render_interview(question: InterviewQuestion, hashtag: str, channel: Channel) -> RenderedText:
    """ "💡سوال مصاحبه: …" with the answer as bullets, hashtags and signature."""
    bullets = "\n".join(BULLET + bullet for bullet in question.answer)
    body = f"{INTERVIEW_PREFIX}{question.question}\n\n{bullets}"
    footer = _footer(channel, [hashtag])
    return _checked(f"{body}\n\n{footer}" if footer else body, question.id)


def render_lesson(lesson: Lesson, channel: Channel) -> RenderedText:
    """The lesson's title and body, hashtags and signature."""
    body = f"{lesson.title}\n\n{lesson.body}"
    footer = _footer(channel, list(lesson.hashtags))
    return _checked(f"{body}\n\n{footer}" if footer else body, lesson.id)
