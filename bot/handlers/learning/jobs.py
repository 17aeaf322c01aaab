"""Jobs of the learning side: timed tests' questions that ran out, daily review reminders."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Purpose
from bot.handlers.learning.exam import score_card_message
from bot.handlers.learning.polls import send_quiz_by
from bot.handlers.learning.remind import reminder_keyboard
from bot.handlers.pacing import Pacer
from bot.handlers.replies import with_retry
from bot.persian import fa_number
from bot.runtime import Runtime
from bot.services.learning import exams, reminders
from bot.services.learning.outcomes import ScoreCard, TestQuestion

log = logging.getLogger(__name__)
TIMED_TESTS_JOB = "timed-tests"
REMINDERS_JOB = "review-reminders"


async def run_timed_tests(bot: Bot, runtime: Runtime) -> int:
    """Count every question whose time ran out as unanswered, and send what follows it.

    Telegram closes a poll at its open_period without telling the bot, so this looks. Each
    question is settled in its own transaction; an answer that got there first wins.
    """
    now = runtime.now()
    async with runtime.read_sessions() as session:
        due = await exams.due_for_expiry(session, now)
    settled = 0
    for test_id in due:
        async with runtime.sessions.begin() as session:
            expired = await exams.expire(session, test_id, now)
        if expired is None:
            continue
        settled += 1
        chat_id = (
            None if expired.sealed_chat is None else runtime.sealer.unseal(expired.sealed_chat)
        )
        if chat_id is not None and await _sent_follow(bot, runtime, chat_id, expired.follow):
            continue
        log.warning("timed test %s could not go on; it stops there", test_id)
        async with runtime.sessions.begin() as session:
            await exams.abandon(session, test_id)  # its sealed chat is forgotten
    return settled


async def _sent_follow(
    bot: Bot, runtime: Runtime, chat_id: int, follow: TestQuestion | ScoreCard
) -> bool:
    """Send what follows a timed-out question; False when Telegram refused it."""
    try:
        await _send_follow(bot, runtime, chat_id, follow)
    except TelegramError as error:  # e.g. the learner blocked the bot meanwhile
        log.warning("what follows a timed-out question was not sent: %s", error)
        return False
    return True


async def _send_follow(
    bot: Bot, runtime: Runtime, chat_id: int, follow: TestQuestion | ScoreCard
) -> None:
    if isinstance(follow, TestQuestion):
        await send_quiz_by(
            bot,
            runtime,
            chat_id,
            follow.quiz,
            Purpose.TEST,
            test_id=follow.test_id,
            number=follow.number,
            size=follow.size,
            seconds=follow.seconds,
        )
        return
    text, keyboard = score_card_message(follow, bot.username)
    await with_retry(lambda: bot.send_message(chat_id, text, reply_markup=keyboard))


async def run_reminders(bot: Bot, runtime: Runtime, pacer: Pacer | None = None) -> int:
    """Send this hour's reminders to learners with due reviews; the number sent.

    Paced under Telegram's limit; a learner who blocked the bot has their reminder switched
    off. Claimed in batches, each claimed for the day before it is sent: a crash loses at
    most that batch's reminders for one day, and none is ever sent twice.
    """
    pacer = pacer or Pacer()
    sent = 0
    while True:
        async with runtime.sessions.begin() as session:
            claim = await reminders.claim_due(session, runtime.now(), runtime.settings.tz)
        for due in claim.due:
            sent += await _remind(bot, runtime, pacer, due)
        if claim.claimed < reminders.CLAIM_BATCH:
            return sent


async def _remind(bot: Bot, runtime: Runtime, pacer: Pacer, due: reminders.DueReminder) -> int:
    chat_id = runtime.sealer.unseal(due.sealed_chat)
    if chat_id is None:  # sealed under another key: it can never be sent
        log.warning("a reminder's chat cannot be unsealed; switched off")
        await _switch_off(runtime, due.learner)
        return 0
    text = texts.REMIND_MESSAGE.format(count=fa_number(due.due))
    await pacer.wait()
    try:
        await with_retry(lambda: bot.send_message(chat_id, text, reply_markup=reminder_keyboard()))
    except Forbidden:  # blocked the bot (or the account is gone): stop writing to them
        await _switch_off(runtime, due.learner)
        return 0
    except BadRequest as error:
        if "chat not found" in str(error).lower():
            await _switch_off(runtime, due.learner)
        else:
            log.warning("a reminder was refused: %s", error)
        return 0
    except TelegramError as error:
        log.warning("a reminder could not be sent: %s", error)
        return 0
    return 1


async def _switch_off(runtime: Runtime, learner: str) -> None:
    async with runtime.sessions.begin() as session:
        await reminders.switch_off(session, learner)


async def timed_tests_job(context: QuizbotContext) -> None:
    """The JobQueue callback: every couple of seconds, so a timed test goes on promptly."""
    try:
        await run_timed_tests(context.bot, context.runtime)
    except Exception:
        log.exception("timed tests pass failed; the next tick tries again")


async def reminders_job(context: QuizbotContext) -> None:
    """The JobQueue callback: every minute."""
    try:
        await run_reminders(context.bot, context.runtime)
    except Exception:
        log.exception("reminders pass failed; the next tick tries again")
