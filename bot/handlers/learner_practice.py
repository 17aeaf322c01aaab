"""Practice: quizzes, tests, interview questions, reviews, and what follows an answer."""

from __future__ import annotations

import logging
import re

from telegram import Update

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose, TestSession
from bot.handlers.learner_common import (
    chat_and_learner,
    reply,
    resolve_topic,
    scope_text,
)
from bot.handlers.sending import (
    next_quiz_keyboard,
    send_interview,
    send_quiz,
)
from bot.persian import fa_duration, fa_number, fa_percent, jalali_date
from bot.services import picker, reviews, test_sessions
from bot.services.answers import AnswerOutcome, AnswerStatus, record_answer

log = logging.getLogger(__name__)


_SIZE = re.compile(r"^[0-9۰-۹]+$")

# --- quizzes -----------------------------------------------------------------------------


async def send_next_quiz(
    update: Update, context: QuizbotContext, topic_id: str | None, title: str | None
) -> None:
    """Send the learner an unseen quiz of the topic (or say the topic is done)."""
    where = chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    async with context.services.sessions() as session:
        pick = await picker.pick_quiz(session, learner, topic_id)
    if pick is None:
        await context.bot.send_message(chat_id, texts.NO_QUIZZES)
        return
    if pick.repeated:
        await context.bot.send_message(chat_id, texts.ALL_SEEN.format(scope=scope_text(title)))
    await send_quiz(context, chat_id, learner, pick.quiz, Purpose.SINGLE, next_topic=topic_id)


async def quiz_command(update: Update, context: QuizbotContext) -> None:
    """/quiz [topic]: one quiz the learner has not seen yet."""
    ok, topic_id, title = await resolve_topic(update, context, " ".join(context.args or []))
    if ok:
        await send_next_quiz(update, context, topic_id, title)


# --- tests -------------------------------------------------------------------------------


def _parse_test_args(args: list[str]) -> tuple[str, int | None]:
    """Topic words and an optional trailing size, in Latin or Persian digits."""
    if args and _SIZE.match(args[-1]):
        digits = args[-1].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
        return " ".join(args[:-1]), int(digits)
    return " ".join(args), None


async def start_test(
    update: Update, context: QuizbotContext, topic_id: str | None, title: str | None, size: int
) -> None:
    """Open a /test of `size` quizzes (fewer if the topic has fewer) and send the first."""
    where = chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    services = context.services
    async with services.sessions.begin() as session:
        available = await test_sessions.available_quizzes(session, topic_id)
        if available == 0:
            test = None
        else:
            test = await test_sessions.start_test(
                session, learner, topic_id, min(size, available), services.now()
            )
    if test is None:
        await context.bot.send_message(chat_id, texts.NO_QUIZZES)
        return
    if test.size < size:
        await context.bot.send_message(
            chat_id,
            texts.TEST_NOT_ENOUGH.format(scope=scope_text(title), count=fa_number(test.size)),
        )
    await context.bot.send_message(
        chat_id, texts.TEST_START.format(size=fa_number(test.size), scope=scope_text(title))
    )
    await send_next_test_quiz(context, chat_id, learner, test)


async def send_next_test_quiz(
    context: QuizbotContext, chat_id: int, learner: str, test: TestSession
) -> None:
    """Send the next quiz of a test, numbered, never one already in it."""
    async with context.services.sessions() as session:
        sent = await test_sessions.sent_quiz_ids(session, test.id)
        pick = await picker.pick_quiz(session, learner, test.topic_id, exclude=sent)
    if pick is None:
        return
    await send_quiz(
        context,
        chat_id,
        learner,
        pick.quiz,
        Purpose.TEST,
        test.id,
        position=(len(sent) + 1, test.size),
    )


async def test_command(update: Update, context: QuizbotContext) -> None:
    """/test [topic] [n]: n quizzes in a row, then a score card."""
    topic_text, size = _parse_test_args(list(context.args or []))
    if size is not None and not test_sessions.MIN_SIZE <= size <= test_sessions.MAX_SIZE:
        await reply(
            update,
            texts.BAD_TEST_SIZE.format(
                low=fa_number(test_sessions.MIN_SIZE), high=fa_number(test_sessions.MAX_SIZE)
            ),
        )
        return
    ok, topic_id, title = await resolve_topic(update, context, topic_text)
    if ok:
        await start_test(update, context, topic_id, title, size or test_sessions.DEFAULT_SIZE)


# --- interview questions -----------------------------------------------------------------


async def send_next_interview(
    update: Update, context: QuizbotContext, topic_id: str | None, title: str | None
) -> None:
    """Send an unseen interview question of the topic."""
    where = chat_and_learner(update, context)
    if where is None:
        return
    chat_id, learner = where
    async with context.services.sessions() as session:
        pick = await picker.pick_interview(session, learner, topic_id)
    if pick is None:
        await context.bot.send_message(chat_id, texts.NO_INTERVIEWS)
        return
    if pick.repeated:
        await context.bot.send_message(
            chat_id, texts.ALL_SEEN_INTERVIEW.format(scope=scope_text(title))
        )
    await send_interview(context, chat_id, learner, pick.question)


async def interview_command(update: Update, context: QuizbotContext) -> None:
    """/interview [topic]: a question with a button that reveals the model answer."""
    ok, topic_id, title = await resolve_topic(update, context, " ".join(context.args or []))
    if ok:
        await send_next_interview(update, context, topic_id, title)


# --- review and progress -----------------------------------------------------------------


async def send_review(context: QuizbotContext, chat_id: int, learner: str, announce: bool) -> None:
    """Send the oldest due review, or say when the next one falls due."""
    services = context.services
    async with services.sessions() as session:
        due = await reviews.due_summary(session, learner, services.now())
    tz = services.settings.tz
    if due.next_quiz is not None:
        if announce:
            await context.bot.send_message(
                chat_id, texts.REVIEW_HEADER.format(count=fa_number(due.due_count))
            )
        await send_quiz(context, chat_id, learner, due.next_quiz, Purpose.REVIEW)
    elif not due.has_cards:
        await context.bot.send_message(chat_id, texts.REVIEW_EMPTY)
    elif due.next_due_at is not None:
        template = texts.REVIEW_NOTHING_DUE if announce else texts.REVIEW_DONE
        await context.bot.send_message(
            chat_id, template.format(date=jalali_date(due.next_due_at, tz))
        )


async def review_command(update: Update, context: QuizbotContext) -> None:
    """/review: the oldest due card, or when the next one falls due."""
    where = chat_and_learner(update, context)
    if where is not None:
        await send_review(context, *where, announce=True)


# --- poll answers ------------------------------------------------------------------------


async def poll_answer(update: Update, context: QuizbotContext) -> None:
    """Record a learner's vote under their keyed hash and send what follows it."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return
    services = context.services
    learner = services.learner(answer.user.id)
    async with services.sessions.begin() as session:
        outcome = await record_answer(
            session, learner, answer.poll_id, answer.option_ids, services.now()
        )
    if outcome.status is AnswerStatus.UNKNOWN_POLL:
        log.info("answer to unknown poll %s ignored", answer.poll_id)
        return
    if outcome.status is not AnswerStatus.RECORDED:
        return
    await after_answer(context, answer.user.id, learner, outcome)


async def after_answer(
    context: QuizbotContext, chat_id: int, learner: str, outcome: AnswerOutcome
) -> None:
    """What follows an answer: the next test quiz or score card, or the next review."""
    if outcome.test is not None:
        if outcome.test_finished:
            await send_score_card(context, chat_id, outcome.test)
        else:
            await send_next_test_quiz(context, chat_id, learner, outcome.test)
    elif outcome.purpose is Purpose.REVIEW:
        await send_review(context, chat_id, learner, announce=False)
    # A single quiz needs no reply: its poll shows the result and carries a "next" button.


async def send_score_card(context: QuizbotContext, chat_id: int, test: TestSession) -> None:
    """The score card of a finished test."""
    async with context.services.sessions() as session:
        card = await test_sessions.score_card(session, test)
    weakest = (
        texts.WEAKEST_TOPIC.format(
            title=card.weakest.title,
            correct=fa_number(card.weakest.correct),
            total=fa_number(card.weakest.total),
        )
        if card.weakest
        else texts.NO_WEAK_TOPIC
    )
    await context.bot.send_message(
        chat_id,
        texts.SCORE_CARD.format(
            correct=fa_number(card.correct),
            size=fa_number(card.size),
            percent=fa_percent(card.correct, card.size),
            duration=fa_duration(card.duration),
            weakest=weakest,
        ),
        reply_markup=next_quiz_keyboard(test.topic_id),
    )
