"""/test: several quizzes in a row, numbered, then a score card; timed or not, shareable."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.handlers.buttons import ButtonHandler
from bot.handlers.learning.buttons import SharedResultsButton, TestButton, TimedTestButton
from bot.handlers.learning.keyboards import next_quiz_keyboard
from bot.handlers.learning.polls import send_quiz
from bot.handlers.learning.topics import scope_text
from bot.handlers.replies import chat_id_of, edit_or_send, reply, user_id_of
from bot.handlers.work import renders, unit_of_work
from bot.persian import fa_duration, fa_number, fa_percent
from bot.services.learning import exams, practice
from bot.services.learning.outcomes import (
    BadTestLink,
    BadTestSize,
    ScoreCard,
    SharedResults,
    StaleTestLink,
    TestChoice,
    TestQuestion,
    TestStarted,
)
from bot.services.learning.shares import Standing


async def exam_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/test [topic] [n]: n quizzes in a row, then a score card; first: timed or not?"""
    return await practice.start_test_by_words(session, list(context.args or []))


async def exam_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A topic menu's "test" button: timed or not?"""
    button = TestButton.pressed(update)
    if button is None:
        return None
    return await practice.start_test_by_button(session, button.topic)


async def timer_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A timer choice under a test's offer: the test starts."""
    button = TimedTestButton.pressed(update)
    if button is None:
        return None
    runtime = context.runtime
    return await practice.start_chosen_test(
        session,
        runtime.person(user_id_of(update)),
        button.topic,
        button.size,
        button.seconds,
        runtime.now(),
        # Kept only for a timed test: the question after a timeout is sent without an update.
        runtime.sealer.seal(chat_id_of(update)),
    )


async def results_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The comparison button under a shared test's link."""
    button = SharedResultsButton.pressed(update)
    if button is None:
        return None
    learner = context.runtime.person(user_id_of(update))
    return await exams.sender_results(session, learner, button.code)


@renders(TestChoice)
async def show_test_choice(update: Update, context: QuizbotContext, outcome: TestChoice) -> None:
    """What the test will be (shortened, if the scope is small), and the timer buttons."""
    scope = scope_text(outcome.topic.title if outcome.topic else None)
    if outcome.size < outcome.requested:
        await reply(
            update, texts.TEST_NOT_ENOUGH.format(scope=scope, count=fa_number(outcome.size))
        )
    topic = outcome.topic.id if outcome.topic else None
    timed = [
        InlineKeyboardButton(
            texts.TEST_TIMER_BUTTON.format(seconds=fa_number(seconds)),
            callback_data=TimedTestButton(topic, outcome.size, seconds).encode(),
        )
        for seconds in outcome.timers
    ]
    untimed = InlineKeyboardButton(
        texts.TEST_UNTIMED_BUTTON, callback_data=TimedTestButton(topic, outcome.size, 0).encode()
    )
    await reply(
        update,
        texts.TEST_CHOOSE_TIMER.format(size=fa_number(outcome.size), scope=scope),
        reply_markup=InlineKeyboardMarkup([timed, [untimed]]),
    )


def _timer_note(seconds: int | None) -> str:
    return "" if seconds is None else texts.TEST_TIMER_NOTE.format(seconds=fa_number(seconds))


@renders(TestStarted)
async def show_test_started(update: Update, context: QuizbotContext, outcome: TestStarted) -> None:
    """Say what the test is (in place of the timer buttons, when pressed); the first quiz."""
    scope = scope_text(outcome.topic.title if outcome.topic else None)
    timer = _timer_note(outcome.seconds)
    if outcome.shared:
        text = texts.TEST_SHARED_START.format(size=fa_number(outcome.size), timer=timer)
    else:
        if outcome.size < outcome.requested:
            await reply(
                update, texts.TEST_NOT_ENOUGH.format(scope=scope, count=fa_number(outcome.size))
            )
        text = texts.TEST_START.format(size=fa_number(outcome.size), scope=scope, timer=timer)
    await edit_or_send(update, text)
    await show_test_question(update, context, outcome.first)


@renders(TestQuestion)
async def show_test_question(
    update: Update, context: QuizbotContext, outcome: TestQuestion
) -> None:
    """The next quiz of the test, numbered (closing by itself when the test is timed)."""
    await send_quiz(
        context,
        chat_id_of(update),
        outcome.quiz,
        Purpose.TEST,
        test_id=outcome.test_id,
        number=outcome.number,
        size=outcome.size,
        seconds=outcome.seconds,
    )


def share_link(bot_username: str, code: str) -> str:
    """The deep link that gives a friend the same test."""
    return f"https://t.me/{bot_username}?start=test_{code}"


def standing_text(standing: Standing) -> str:
    """Scores of a shared test, by score only."""
    size = fa_number(standing.size)
    if standing.sender is None:
        first = texts.STANDING_AS_SENDER.format(you=fa_number(standing.you), size=size)
    else:
        first = texts.STANDING_AS_TAKER.format(
            you=fa_number(standing.you), sender=fa_number(standing.sender), size=size
        )
    if standing.others == 0 or standing.median is None or standing.best is None:
        return f"{first}\n{texts.STANDING_NO_OTHERS}"
    median = standing.median
    others = texts.STANDING_OTHERS.format(
        count=fa_number(standing.others),
        median=fa_number(median, 0 if median.is_integer() else 1),
        best=fa_number(standing.best),
        size=size,
    )
    return f"{first}\n{others}"


def score_card_message(outcome: ScoreCard, bot_username: str) -> tuple[str, InlineKeyboardMarkup]:
    """The score card's text and buttons (also sent by the timed-test job, without an update)."""
    if outcome.weakest:
        weakest = texts.WEAKEST_TOPIC.format(
            title=outcome.weakest.title,
            correct=fa_number(outcome.weakest.correct),
            total=fa_number(outcome.weakest.total),
        )
    else:
        # "All right" only when every question was answered.
        weakest = texts.NO_WEAK_TOPIC if outcome.unanswered == 0 else ""
    unanswered = (
        texts.SCORE_UNANSWERED.format(count=fa_number(outcome.unanswered))
        if outcome.seconds is not None or outcome.unanswered
        else ""
    )
    card = texts.SCORE_CARD.format(
        correct=fa_number(outcome.correct),
        size=fa_number(outcome.size),
        percent=fa_percent(outcome.correct, outcome.size),
        wrong=fa_number(outcome.wrong),
        unanswered=unanswered,
        duration=fa_duration(outcome.duration),
        weakest=weakest,
    ).rstrip()
    link = share_link(bot_username, outcome.share_code)
    parts = [card]
    if outcome.standing is not None:
        parts.append(standing_text(outcome.standing))
    parts.append(texts.SCORE_SHARE.format(link=link))
    share = "https://t.me/share/url?" + urlencode({"url": link, "text": texts.SHARE_TEXT})
    rows = [
        *next_quiz_keyboard(outcome.topic_id).inline_keyboard,
        [
            InlineKeyboardButton(texts.SHARE_BUTTON, url=share),
            InlineKeyboardButton(
                texts.SHARE_RESULTS_BUTTON,
                callback_data=SharedResultsButton(outcome.share_code).encode(),
            ),
        ],
    ]
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)


@renders(ScoreCard)
async def show_score_card(update: Update, context: QuizbotContext, outcome: ScoreCard) -> None:
    """Right, wrong, unanswered, time, weakest topic; go on practising, or pass the test on."""
    text, keyboard = score_card_message(outcome, context.bot.username)
    await reply(update, text, reply_markup=keyboard)


@renders(SharedResults)
async def show_shared_results(
    update: Update, context: QuizbotContext, outcome: SharedResults
) -> None:
    """How a shared test's takers did, by score."""
    text = texts.SHARED_RESULTS.format(standing=standing_text(outcome.standing))
    await reply(update, text)


@renders(BadTestLink)
async def show_bad_link(update: Update, context: QuizbotContext, outcome: BadTestLink) -> None:
    """A test link that names no shared test."""
    await reply(update, texts.TEST_LINK_UNKNOWN)


@renders(StaleTestLink)
async def show_stale_link(update: Update, context: QuizbotContext, outcome: StaleTestLink) -> None:
    """A shared test that can no longer be given whole."""
    await reply(update, texts.TEST_LINK_STALE)


@renders(BadTestSize)
async def show_bad_size(update: Update, context: QuizbotContext, outcome: BadTestSize) -> None:
    """The allowed range of a test's size."""
    await reply(
        update,
        texts.BAD_TEST_SIZE.format(low=fa_number(outcome.low), high=fa_number(outcome.high)),
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The test, timer and shared-results buttons."""
    return [
        ButtonHandler(TestButton, unit_of_work(exam_button)),
        ButtonHandler(TimedTestButton, unit_of_work(timer_button)),
        ButtonHandler(SharedResultsButton, unit_of_work(results_button)),
    ]


COMMANDS = {"test": exam_command}
