"""/quiz and the "quiz" buttons: one quiz the learner has not seen yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.handlers.buttons import ButtonHandler
from bot.handlers.learning.buttons import QuizButton
from bot.handlers.learning.keyboards import next_quiz_keyboard
from bot.handlers.learning.polls import send_quiz
from bot.handlers.learning.topics import scope_text
from bot.handlers.replies import chat_id_of, reply, user_id_of
from bot.handlers.work import reads_only, renders, unit_of_work
from bot.services.learning import practice
from bot.services.learning.outcomes import NextQuiz, NoQuizzes


@reads_only  # picking a quiz writes nothing; sending it records the poll afterwards
async def quiz_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/quiz [topic]: an unseen quiz of the typed topic, or of the whole bank."""
    learner = context.runtime.person(user_id_of(update))
    return await practice.quiz_by_name(session, learner, " ".join(context.args or []))


@reads_only
async def quiz_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A "quiz" or "next quiz" button."""
    button = QuizButton.pressed(update)
    if button is None:
        return None
    learner = context.runtime.person(user_id_of(update))
    return await practice.quiz_by_button(session, learner, button.topic)


@renders(NextQuiz)
async def show_quiz(update: Update, context: QuizbotContext, outcome: NextQuiz) -> None:
    """The quiz poll with its "next quiz" button (and the demo that shows its idea)."""
    chat_id = chat_id_of(update)
    topic = outcome.topic
    if outcome.repeated:
        title = topic.title if topic else None
        await reply(update, texts.ALL_SEEN.format(scope=scope_text(title)))
    keyboard = next_quiz_keyboard(topic.id if topic else None, outcome.quiz.demo)
    await send_quiz(context, chat_id, outcome.quiz, Purpose.SINGLE, keyboard=keyboard)


@renders(NoQuizzes)
async def show_no_quizzes(update: Update, context: QuizbotContext, outcome: NoQuizzes) -> None:
    """The scope has no quiz."""
    await reply(update, texts.NO_QUIZZES)


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The quiz buttons."""
    return [ButtonHandler(QuizButton, unit_of_work(quiz_button))]


COMMANDS = {"quiz": quiz_command}
