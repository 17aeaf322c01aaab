"""/interview: a question with a button that reveals the model answer as bullets."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import ButtonHandler
from bot.handlers.learning.buttons import InterviewButton, RevealButton
from bot.handlers.learning.topics import scope_text
from bot.handlers.replies import chat_id_of, edit_or_send, reply, user_id_of
from bot.handlers.work import renders, unit_of_work
from bot.markup import interview_html
from bot.services.learning import practice, publications
from bot.services.learning.outcomes import InterviewAnswer, NextInterview, NoInterviews
from bot.services.learning.views import InterviewView


async def interview_command(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """/interview [topic]."""
    learner = context.runtime.person(user_id_of(update))
    return await practice.interview_by_name(session, learner, " ".join(context.args or []))


async def interview_button(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """A topic menu's "interview question" button."""
    button = InterviewButton.pressed(update)
    if button is None:
        return None
    learner = context.runtime.person(user_id_of(update))
    return await practice.interview_by_button(session, learner, button.topic)


async def reveal_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The "show the answer" button."""
    button = RevealButton.pressed(update)
    return None if button is None else await practice.reveal_answer(session, button.question)


def interview_text(question: InterviewView, with_answer: bool) -> str:
    """The interview question (Telegram HTML), and the model answer as bullets once revealed."""
    answer = question.answer if with_answer else None
    return interview_html(question.question, answer, texts.ANSWER_HEADER)


@renders(NextInterview)
async def show_interview(update: Update, context: QuizbotContext, outcome: NextInterview) -> None:
    """The question with its reveal button; remembered so it is not repeated soon."""
    question = outcome.question
    if outcome.repeated:
        title = outcome.topic.title if outcome.topic else None
        await reply(update, texts.ALL_SEEN_INTERVIEW.format(scope=scope_text(title)))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.SHOW_ANSWER_BUTTON, callback_data=RevealButton(question.id).encode()
                )
            ]
        ]
    )
    message = await reply(
        update,
        interview_text(question, with_answer=False),
        reply_markup=keyboard,
        parse_mode=ParseMode.HTML,
    )
    runtime = context.runtime
    async with runtime.sessions.begin() as session:  # what was sent, so it is not repeated
        await publications.record_private_interview(
            session,
            runtime.person(chat_id_of(update)),
            question.id,
            message.message_id,
            runtime.now(),
        )


@renders(InterviewAnswer)
async def show_answer(update: Update, context: QuizbotContext, outcome: InterviewAnswer) -> None:
    """Edit the question's message to show the model answer (the button goes)."""
    await edit_or_send(
        update, interview_text(outcome.question, with_answer=True), parse_mode=ParseMode.HTML
    )


@renders(NoInterviews)
async def show_no_interviews(
    update: Update, context: QuizbotContext, outcome: NoInterviews
) -> None:
    """The scope has no interview question."""
    await reply(update, texts.NO_INTERVIEWS)


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The interview and reveal buttons."""
    return [
        ButtonHandler(InterviewButton, unit_of_work(interview_button)),
        ButtonHandler(RevealButton, unit_of_work(reveal_button)),
    ]


COMMANDS = {"interview": interview_command}
