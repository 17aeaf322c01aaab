"""/review: the quizzes due under FSRS spaced repetition, or when the next falls due."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.handlers.learning.polls import send_quiz
from bot.handlers.replies import chat_id_of, reply, user_id_of
from bot.handlers.work import renders
from bot.persian import fa_number, jalali_date
from bot.services.learning import reviews
from bot.services.learning.outcomes import NextReview, NoReviewCards, NothingDue


async def review_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/review: the oldest due card, or when the next one falls due."""
    runtime = context.runtime
    learner = runtime.person(user_id_of(update))
    return await reviews.next_review(session, learner, runtime.now(), announce=True)


@renders(NextReview)
async def show_review(update: Update, context: QuizbotContext, outcome: NextReview) -> None:
    """How many are due (on /review), then the quiz to review."""
    if outcome.announce:
        await reply(update, texts.REVIEW_HEADER.format(count=fa_number(outcome.due_count)))
    await send_quiz(context, chat_id_of(update), outcome.quiz, Purpose.REVIEW)


@renders(NoReviewCards)
async def show_no_cards(update: Update, context: QuizbotContext, outcome: NoReviewCards) -> None:
    """Nothing answered yet that could be reviewed."""
    await reply(update, texts.REVIEW_EMPTY)


@renders(NothingDue)
async def show_nothing_due(update: Update, context: QuizbotContext, outcome: NothingDue) -> None:
    """The Jalali date of the next review."""
    template = texts.REVIEW_DONE if outcome.finished else texts.REVIEW_NOTHING_DUE
    date = jalali_date(outcome.next_due_at, context.runtime.settings.tz)
    await reply(update, template.format(date=date))


COMMANDS = {"review": review_command}
