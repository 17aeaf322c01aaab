"""Sending items to a learner: the Telegram side of quizzes and interview questions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Poll, ReplyKeyboardMarkup
from telegram.constants import PollLimit
from telegram.error import BadRequest, NetworkError, TimedOut

from bot import texts
from bot.bank.normalize import telegram_length
from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.handlers.callback_data import ALL_TOPICS, encode
from bot.persian import fa_number
from bot.services import delivery
from bot.services.views import InterviewView, QuizView

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 3


async def with_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call, retrying server errors and dropped connections.

    Timeouts are not retried: the request may have gone through, and a second quiz would be
    sent. 429s are retried by the rate limiter; 4xx errors are final.
    """
    for attempt in range(RETRIES):
        try:
            return await call()
        except (BadRequest, TimedOut):
            raise
        except NetworkError as exc:
            if attempt == RETRIES - 1:
                raise
            log.warning("Bot API call failed (%s); retrying", exc)
            await asyncio.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


def menu_keyboard() -> ReplyKeyboardMarkup:
    """The learner's main menu under the input field."""
    return ReplyKeyboardMarkup([list(row) for row in texts.MENU_ROWS], resize_keyboard=True)


def next_quiz_keyboard(topic_id: str | None, demo: str | None = None) -> InlineKeyboardMarkup:
    """A "next quiz" button for the same topic, and the demo that shows the idea if any."""
    row = [
        InlineKeyboardButton(
            texts.NEXT_QUIZ_BUTTON, callback_data=encode("quiz", topic_id or ALL_TOPICS)
        )
    ]
    if demo is not None:
        row.append(
            InlineKeyboardButton(texts.DEMO_OFFER_BUTTON, callback_data=encode("demo_panel", demo))
        )
    return InlineKeyboardMarkup([row])


def _numbered(question: str, index: int | None, size: int | None) -> str:
    if index is None or size is None:
        return question
    numbered = f"({fa_number(index)}/{fa_number(size)}) {question}"
    return numbered if telegram_length(numbered) <= PollLimit.MAX_QUESTION_LENGTH else question


async def send_quiz(
    context: QuizbotContext,
    chat_id: int,
    learner: str,
    quiz: QuizView,
    purpose: Purpose,
    test_id: int | None = None,
    position: tuple[int, int] | None = None,
    next_topic: str | None = None,
) -> Message:
    """Send a quiz poll (not anonymous, so the answer reaches us) and remember it.

    A single quiz carries its own "next quiz" button (for `next_topic`, None meaning the whole
    bank), so an answer needs no reply: Telegram itself shows right, wrong and the explanation.
    """
    index, size = position if position else (None, None)
    keyboard = next_quiz_keyboard(next_topic, quiz.demo) if purpose is Purpose.SINGLE else None
    message = await with_retry(
        lambda: context.bot.send_poll(
            chat_id=chat_id,
            question=_numbered(quiz.question, index, size),
            options=list(quiz.options),
            type=Poll.QUIZ,
            is_anonymous=False,
            allows_multiple_answers=quiz.multiple_answers,
            # PTB types ids as Literal[0..11]; positions were validated against that limit.
            correct_option_ids=cast(Any, list(quiz.correct_indexes)),
            explanation=quiz.explanation,
            reply_markup=keyboard,
        )
    )
    if message.poll is None:
        raise RuntimeError("sendPoll returned a message without a poll")
    services = context.services
    async with services.sessions.begin() as session:
        await delivery.record_private_quiz(
            session,
            learner,
            quiz.id,
            message.poll.id,
            message.message_id,
            purpose,
            services.now(),
            test_id,
        )
    return message


def interview_text(question: InterviewView, with_answer: bool) -> str:
    """The interview question, and the model answer as bullets once revealed."""
    text = texts.INTERVIEW_TITLE.format(question=question.question)
    if with_answer:
        bullets = "\n".join(texts.BULLET.format(text=bullet) for bullet in question.answer)
        text += f"\n\n{texts.ANSWER_HEADER}\n{bullets}"
    return text


async def send_interview(
    context: QuizbotContext, chat_id: int, learner: str, question: InterviewView
) -> Message:
    """Send an interview question with a button that reveals the model answer."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.SHOW_ANSWER_BUTTON, callback_data=encode("reveal_answer", question.id)
                )
            ]
        ]
    )
    message = await with_retry(
        lambda: context.bot.send_message(
            chat_id, interview_text(question, with_answer=False), reply_markup=keyboard
        )
    )
    services = context.services
    async with services.sessions.begin() as session:
        await delivery.record_private_interview(
            session, learner, question.id, message.message_id, services.now()
        )
    return message
