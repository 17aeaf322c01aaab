"""Quiz polls in private chat: sending one (and remembering it), and the learner's answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, cast

from telegram import Bot, InlineKeyboardMarkup, Poll, Update
from telegram.ext import Application, BaseHandler, PollAnswerHandler

from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.dispatch import JsonRoute
from bot.handlers.replies import with_retry
from bot.handlers.unreadable import VOTER_TEXTS, storable
from bot.handlers.work import present
from bot.limits import MAX_QUESTION_LENGTH, telegram_length
from bot.persian import fa_number
from bot.runtime import Runtime
from bot.services.learning import answers, exams, publications
from bot.services.learning.outcomes import Nothing
from bot.services.learning.views import QuizView
from bot.settling import settle


def numbered(question: str, number: int | None, size: int | None) -> str:
    """«(۲/۵) question» inside a test, when it still fits Telegram's question limit."""
    if number is None or size is None:
        return question
    text = f"({fa_number(number)}/{fa_number(size)}) {question}"
    return text if telegram_length(text) <= MAX_QUESTION_LENGTH else question


def quiz_poll(quiz: QuizView, question: str, seconds: int | None = None) -> dict[str, Any]:
    """sendPoll's arguments for a quiz poll that is not anonymous (its answers reach the bot),
    closing by itself after `seconds` when given; the chat and buttons are the caller's."""
    return {
        "question": question,
        "options": list(quiz.options),
        "type": Poll.QUIZ,
        "is_anonymous": False,
        "allows_multiple_answers": quiz.multiple_answers,
        # PTB types ids as Literal[0..11]; positions were validated against that limit.
        "correct_option_ids": cast(Any, list(quiz.correct_indexes)),
        "explanation": quiz.explanation,
        "open_period": seconds,
    }


async def send_quiz(
    context: QuizbotContext,
    chat_id: int,
    quiz: QuizView,
    purpose: Purpose,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    test_id: int | None = None,
    number: int | None = None,
    size: int | None = None,
    seconds: int | None = None,
) -> None:
    """Send a quiz poll (not anonymous, so the answer reaches us), then remember it.

    Recording the publication is the update's second transaction: it keeps what Telegram
    returned (the poll id), which the learner's answer will name.
    """
    await send_quiz_by(
        context.bot,
        context.runtime,
        chat_id,
        quiz,
        purpose,
        keyboard=keyboard,
        test_id=test_id,
        number=number,
        size=size,
        seconds=seconds,
    )


async def send_quiz_by(
    bot: Bot,
    runtime: Runtime,
    chat_id: int,
    quiz: QuizView,
    purpose: Purpose,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    test_id: int | None = None,
    number: int | None = None,
    size: int | None = None,
    seconds: int | None = None,
) -> None:
    """`send_quiz` outside an update (a job): the bot and runtime given directly.

    `seconds`: the poll closes by itself after so long (a timed test's question); its clock
    starts when the publication is recorded.
    """
    poll = quiz_poll(quiz, numbered(quiz.question, number, size), seconds)
    message = await with_retry(
        lambda: bot.send_poll(chat_id=chat_id, reply_markup=keyboard, **poll)
    )
    if message.poll is None:
        raise RuntimeError("sendPoll returned a message without a poll")
    async with runtime.sessions.begin() as session:
        now = runtime.now()
        await publications.record_private_quiz(
            session,
            runtime.person(chat_id),
            quiz.id,
            message.poll.id,
            message.message_id,
            purpose,
            now,
            test_id,
        )
        if test_id is not None and seconds is not None:
            await exams.start_clock(session, test_id, now)


async def answer_received(update: Update, context: QuizbotContext) -> object:
    """A vote in a quiz poll: stored with the votes that came with it (one commit for all),
    under the voter's keyed hash; what follows it is shown once that commit is done."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return None
    runtime = context.runtime
    vote = _vote(runtime, answer.user.id, answer.poll_id, answer.option_ids)
    outcome = await runtime.answers.submit(vote)
    settle()  # committed: the update may be confirmed to Telegram while the reply goes out
    return await present(update, context, outcome)


def _vote(runtime: Runtime, user_id: int, poll_id: str, option_ids: Sequence[int]) -> answers.Vote:
    """The vote the batcher records: under the voter's keyed hash, never their id."""
    return answers.Vote(runtime.person(user_id), poll_id, tuple(option_ids), runtime.now())


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The answer handler."""
    return [PollAnswerHandler(answer_received)]


def _plain_vote(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The `poll_answer` of an update that is a person's vote and nothing else, every field
    of the shape Telegram gives and every string storable; None for anything else (a chat's
    vote, a shape PTB should judge, text no database holds), which PTB then parses."""
    answer = raw.get("poll_answer")
    if len(raw) != 2 or not isinstance(answer, dict) or answer.get("voter_chat") is not None:
        return None
    user, options, poll_id = answer.get("user"), answer.get("option_ids"), answer.get("poll_id")
    if not isinstance(user, dict) or type(user.get("id")) is not int:
        return None
    if not isinstance(options, list) or not all(type(option) is int for option in options):
        return None
    names = (poll_id, *(user.get(field) for field in VOTER_TEXTS))
    if not isinstance(poll_id, str) or not all(
        isinstance(text, str) and storable(text) for text in names if text is not None
    ):
        return None
    return answer


def json_route(application: Application[Any, Any, Any, Any, Any, Any]) -> JsonRoute:
    """The route that records a person's vote straight from Telegram's JSON: what
    `answer_received` does, without PTB building the update's objects or trying its
    handlers first. The update is parsed only when the answer has something to show (a
    test's next question, a review's, a game's player) or failed; then it is rendered, or
    reported by the error handler, as PTB would."""

    def route(raw: Mapping[str, Any]) -> tuple[Hashable, Callable[[], Awaitable[None]]] | None:
        answer = _plain_vote(raw)
        if answer is None:
            return None
        # The source `order_key` names for the parsed update: the voter.
        return ("person", answer["user"]["id"]), lambda: _answer_json(application, raw, answer)

    return route


async def _answer_json(
    application: Application[Any, Any, Any, Any, Any, Any],
    raw: Mapping[str, Any],
    answer: Mapping[str, Any],
) -> None:
    runtime: Runtime = application.bot_data.runtime
    vote = _vote(runtime, answer["user"]["id"], answer["poll_id"], answer["option_ids"])
    try:
        outcome = await runtime.answers.submit(vote)
    except Exception as error:
        await application.process_error(Update.de_json(dict(raw), application.bot), error)
        return
    settle()  # committed: the update may be confirmed to Telegram while the reply goes out
    if isinstance(outcome, Nothing):
        return  # a private quiz's answer: Telegram itself shows the result
    update = Update.de_json(dict(raw), application.bot)
    try:
        await present(update, QuizbotContext.from_update(update, application), outcome)
    except Exception as error:
        await application.process_error(update, error)
