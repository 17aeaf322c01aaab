"""/test: several quizzes in a row, numbered, then a score card."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.handlers.buttons import ButtonHandler
from bot.handlers.learning.buttons import TestButton
from bot.handlers.learning.keyboards import next_quiz_keyboard
from bot.handlers.learning.polls import send_quiz
from bot.handlers.learning.topics import scope_text
from bot.handlers.replies import chat_id_of, reply, user_id_of
from bot.handlers.work import renders, unit_of_work
from bot.persian import fa_duration, fa_number, fa_percent
from bot.services.learning import practice
from bot.services.learning.outcomes import BadTestSize, ScoreCard, TestQuestion, TestStarted


async def exam_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/test [topic] [n]: n quizzes in a row, then a score card."""
    runtime = context.runtime
    learner = runtime.person(user_id_of(update))
    return await practice.start_test_by_words(
        session, learner, list(context.args or []), runtime.now()
    )


async def exam_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A topic menu's "test" button."""
    button = TestButton.pressed(update)
    if button is None:
        return None
    runtime = context.runtime
    learner = runtime.person(user_id_of(update))
    return await practice.start_test_by_button(session, learner, button.topic, runtime.now())


@renders(TestStarted)
async def show_test_started(update: Update, context: QuizbotContext, outcome: TestStarted) -> None:
    """Say what the test is (and that it is shorter, if the scope is small); the first quiz."""
    scope = scope_text(outcome.topic.title if outcome.topic else None)
    if outcome.size < outcome.requested:
        await reply(
            update, texts.TEST_NOT_ENOUGH.format(scope=scope, count=fa_number(outcome.size))
        )
    await reply(update, texts.TEST_START.format(size=fa_number(outcome.size), scope=scope))
    await show_test_question(update, context, outcome.first)


@renders(TestQuestion)
async def show_test_question(
    update: Update, context: QuizbotContext, outcome: TestQuestion
) -> None:
    """The next quiz of the test, numbered."""
    await send_quiz(
        context,
        chat_id_of(update),
        outcome.quiz,
        Purpose.TEST,
        test_id=outcome.test_id,
        number=outcome.number,
        size=outcome.size,
    )


@renders(ScoreCard)
async def show_score_card(update: Update, context: QuizbotContext, outcome: ScoreCard) -> None:
    """Right answers, time taken, the weakest topic; a button to go on practising."""
    weakest = (
        texts.WEAKEST_TOPIC.format(
            title=outcome.weakest.title,
            correct=fa_number(outcome.weakest.correct),
            total=fa_number(outcome.weakest.total),
        )
        if outcome.weakest
        else texts.NO_WEAK_TOPIC
    )
    await reply(
        update,
        texts.SCORE_CARD.format(
            correct=fa_number(outcome.correct),
            size=fa_number(outcome.size),
            percent=fa_percent(outcome.correct, outcome.size),
            duration=fa_duration(outcome.duration),
            weakest=weakest,
        ),
        reply_markup=next_quiz_keyboard(outcome.topic_id),
    )


@renders(BadTestSize)
async def show_bad_size(update: Update, context: QuizbotContext, outcome: BadTestSize) -> None:
    """The allowed range of a test's size."""
    await reply(
        update,
        texts.BAD_TEST_SIZE.format(low=fa_number(outcome.low), high=fa_number(outcome.high)),
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The test button."""
    return [ButtonHandler(TestButton, unit_of_work(exam_button))]


COMMANDS = {"test": exam_command}
