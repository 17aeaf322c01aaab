"""A learner's own data: progress (/me) and deleting it (/forget, confirmed first)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import ButtonHandler
from bot.handlers.conversations import (
    END,
    Flow,
    StoredConversation,
    conversation_key,
    expired_buttons,
)
from bot.handlers.learning.buttons import ForgetButton
from bot.handlers.replies import reply, user_id_of
from bot.handlers.work import Step, renders, unit_of_work
from bot.persian import fa_number, fa_percent
from bot.services.learning import forgetting, progress
from bot.services.learning.outcomes import (
    ForgetAsked,
    ForgetCancelled,
    Forgotten,
    NoAnswersYet,
    ProgressReport,
)

FORGET = Flow("forget")
CONFIRM = "confirm"


async def me_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/me: the learner's own progress."""
    runtime = context.runtime
    learner = runtime.person(user_id_of(update))
    return await progress.learner_progress(session, learner, runtime.now(), runtime.settings.tz)


@renders(ProgressReport)
async def show_progress(update: Update, context: QuizbotContext, outcome: ProgressReport) -> None:
    """Totals, streak, due reviews and per-topic accuracy, in Persian digits."""
    lines = [
        texts.PROGRESS.format(
            answered=fa_number(outcome.answered),
            correct=fa_number(outcome.correct),
            percent=fa_percent(outcome.correct, outcome.answered),
            streak=fa_number(outcome.streak_days),
            due=fa_number(outcome.reviews_due),
        ),
        texts.PROGRESS_TOPICS_HEADER,
    ]
    lines += [
        texts.PROGRESS_TOPIC.format(
            title=topic.title,
            correct=fa_number(topic.correct),
            total=fa_number(topic.total),
            percent=fa_percent(topic.correct, topic.total),
        )
        for topic in outcome.topics
    ]
    await reply(update, "\n".join(lines))


@renders(NoAnswersYet)
async def show_no_answers(update: Update, context: QuizbotContext, outcome: NoAnswersYet) -> None:
    """/me before the first answer."""
    await reply(update, texts.PROGRESS_EMPTY)


# --- /forget ----------------------------------------------------------------------------


async def forget_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/forget: ask first."""
    return Step(FORGET, ForgetAsked(), CONFIRM)


async def forget_answer(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The confirmation buttons: "yes" deletes everything stored for the learner."""
    button = ForgetButton.pressed(update)
    if button is None or button.choice != "yes":
        return Step(FORGET, ForgetCancelled(), END)
    learner = context.runtime.person(user_id_of(update))
    keys = [key for key in (conversation_key(update, context),) if key is not None]
    return Step(FORGET, await forgetting.forget_learner(session, learner, keys), END)


async def forget_cancelled(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """/cancel while /forget asks."""
    return Step(FORGET, ForgetCancelled(), END)


@renders(ForgetAsked)
async def show_forget_question(
    update: Update, context: QuizbotContext, outcome: ForgetAsked
) -> None:
    """Are you sure? Yes / no."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.FORGET_YES, callback_data=ForgetButton("yes").encode()),
                InlineKeyboardButton(texts.FORGET_NO, callback_data=ForgetButton("no").encode()),
            ]
        ]
    )
    await reply(update, texts.FORGET_CONFIRM, reply_markup=keyboard)


@renders(Forgotten)
async def show_forgotten(update: Update, context: QuizbotContext, outcome: Forgotten) -> None:
    """Everything is deleted."""
    await reply(update, texts.FORGET_DONE)


@renders(ForgetCancelled)
async def show_kept(update: Update, context: QuizbotContext, outcome: ForgetCancelled) -> None:
    """Nothing was deleted."""
    await reply(update, texts.FORGET_CANCELLED)


def forget_conversation() -> StoredConversation:
    """/forget → yes / no (or /cancel)."""
    private = filters.ChatType.PRIVATE
    return StoredConversation(
        FORGET,
        entry_points=[CommandHandler("forget", unit_of_work(forget_command), filters=private)],
        states={CONFIRM: [ButtonHandler(ForgetButton, unit_of_work(forget_answer))]},
        fallbacks=[CommandHandler("cancel", unit_of_work(forget_cancelled), filters=private)],
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """A confirmation pressed after /forget's conversation ended says so."""
    return [*expired_buttons(ForgetButton)]


COMMANDS = {"me": me_command}
