"""/results (the channel's recent quizzes as voted) and /export (statistics as a file).

/export only checks the request inside its update; the file is built by a background job
(bot/background.py) that edits a progress message as it goes, so the bot keeps answering
everyone else meanwhile (at a million answers the build takes seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.channel.admin import admin_of
from bot.handlers.replies import reply, user_id_of, with_retry
from bot.handlers.work import renders
from bot.limits import MAX_MESSAGE_LENGTH, first_words, telegram_length
from bot.persian import fa_number, fa_percent
from bot.runtime import Runtime
from bot.services.channel.results import QuizResult, ResultsShown, show_results
from bot.services.reporting.export import (
    ExportRequested,
    ExportUsage,
    build_export,
    export_channel,
)

log = logging.getLogger(__name__)

# Progress edits at most this often: Telegram limits edits of one message too.
EXPORT_EDIT_INTERVAL = 3.0
# At shutdown, the admin is told the export stopped, waiting no longer than this for Telegram.
INTERRUPTED_NOTICE_SECONDS = 5.0

QUESTION_LENGTH = 80
OPTION_LENGTH = 40
BAR_WIDTH = 10


async def results_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/results."""
    return await show_results(session, admin_of(update, context, history=True))


async def export_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/export csv|xlsx|json: the channel and format checked here, the file built after."""
    return await export_channel(
        session, admin_of(update, context, history=True), list(context.args or [])
    )


def _share(share: float) -> str:
    return fa_percent(round(share * 1000), 1000)


def bar(share: float) -> str:
    """A fixed-width bar such as ▰▰▰▱▱▱▱▱▱▱ for a share between 0 and 1."""
    filled = min(BAR_WIDTH, max(0, int(share * BAR_WIDTH + 0.5)))
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


def quiz_block(result: QuizResult) -> str:
    """One quiz: its number and first words, an option per line with its bar and share."""
    options = "\n".join(
        texts.RESULTS_OPTION.format(
            bar=bar(share),
            share=_share(share),
            text=first_words(text, OPTION_LENGTH),
            mark=" ✅" if right else "",
        )
        for text, share, right in zip(result.options, result.shares, result.correct, strict=True)
    )
    voters = fa_number(result.voters)
    share_correct = result.share_correct
    if result.multiple and result.answer_known:
        summary = texts.RESULTS_MULTIPLE.format(voters=voters)
    elif share_correct is None:
        summary = texts.RESULTS_UNKNOWN.format(voters=voters)
    else:
        summary = texts.RESULTS_CORRECT.format(share=_share(share_correct), voters=voters)
    question = first_words(result.question, QUESTION_LENGTH)
    if result.number is None:
        return texts.RESULTS_QUIZ_UNNUMBERED.format(
            question=question, options=options, summary=summary
        )
    return texts.RESULTS_QUIZ.format(
        number=fa_number(result.number), question=question, options=options, summary=summary
    )


def pack(blocks: list[str], separator: str = "\n\n") -> list[str]:
    """Whole blocks gathered into as few messages as Telegram's length limit allows."""
    messages: list[str] = []
    for block in blocks:
        joined = f"{messages[-1]}{separator}{block}" if messages else block
        if messages and telegram_length(joined) <= MAX_MESSAGE_LENGTH:
            messages[-1] = joined
        else:
            # A block is at most ~12 options of OPTION_LENGTH: it always fits a message alone.
            messages.append(block)
    return messages


@renders(ResultsShown)
async def show_channel_results(
    update: Update, context: QuizbotContext, outcome: ResultsShown
) -> None:
    """Each quiz: its options with bars and shares (the right ones marked), the share correct."""
    if not outcome.results:
        await reply(update, texts.RESULTS_EMPTY)
        return
    blocks = [texts.RESULTS_HEADER.format(title=outcome.channel.title)]
    blocks += [quiz_block(result) for result in outcome.results]
    for message in pack(blocks):
        await reply(update, message)


@renders(ExportRequested)
async def start_export(update: Update, context: QuizbotContext, outcome: ExportRequested) -> None:
    """A progress message at once; the file follows from a background job (one per admin)."""
    runtime = context.runtime
    key = f"export:{runtime.person(user_id_of(update))}"
    if runtime.background.running(key):
        await reply(update, texts.EXPORT_RUNNING)
        return
    scope, fmt = outcome.channel_title, outcome.format.upper()
    status = await reply(update, texts.EXPORT_PREPARING.format(scope=scope, format=fmt))
    job = export_job(context.bot, runtime, status.chat_id, status.message_id, outcome)
    runtime.background.start(key, job)


async def export_job(
    bot: Bot, runtime: Runtime, chat_id: int, status_id: int, request: ExportRequested
) -> None:
    """Build the file in a read session, editing the progress message; send it; say done.

    A failure is logged and the message says so; at shutdown (cancelled) it says the export
    stopped and to ask again: a half-built export is not resumed after a restart.
    """
    scope, fmt = request.channel_title, request.format.upper()
    loop = asyncio.get_running_loop()
    last_edit = loop.time()  # the progress message was just sent
    editing: asyncio.Task[None] | None = None

    async def edit(text: str) -> None:
        try:
            await bot.edit_message_text(text, chat_id, status_id)
        except TelegramError as error:  # a progress edit lost is no reason to stop
            log.debug("export progress not edited: %s", error)

    def progress(done: int, total: int) -> None:
        nonlocal last_edit, editing
        now = loop.time()
        if done >= total or now - last_edit < EXPORT_EDIT_INTERVAL:
            return
        if editing is not None and not editing.done():
            return  # the last edit is still on its way
        last_edit = now
        text = texts.EXPORT_PROGRESS.format(
            scope=scope,
            format=fmt,
            done=fa_number(done),
            total=fa_number(total),
            percent=fa_percent(done, total),
        )
        editing = loop.create_task(edit(text))

    async def settle_edits() -> None:
        if editing is not None:
            await editing

    try:
        async with runtime.read_sessions.begin() as session:
            ready = await build_export(
                session, request, runtime.settings.tz, runtime.now(), progress
            )
        await settle_edits()
        caption = texts.EXPORT_CAPTION.format(scope=scope, format=fmt)
        filename = f"quizbot-stats.{ready.extension}"
        await with_retry(
            lambda: bot.send_document(chat_id, ready.data, filename=filename, caption=caption)
        )
    except asyncio.CancelledError:
        if editing is not None:
            editing.cancel()
        notice = texts.EXPORT_INTERRUPTED.format(scope=scope)
        with contextlib.suppress(TelegramError, TimeoutError):
            await asyncio.wait_for(edit(notice), INTERRUPTED_NOTICE_SECONDS)
        raise
    except Exception:
        log.exception("export of %s (%s) failed", request.channel_chat_id, request.format)
        await settle_edits()
        await edit(texts.EXPORT_FAILED.format(scope=scope))
        return
    try:
        await with_retry(
            lambda: bot.edit_message_text(
                texts.EXPORT_DONE.format(scope=scope, format=fmt), chat_id, status_id
            )
        )
    except BadRequest as error:  # the file went out; only the note did not change
        log.debug("export progress not closed: %s", error)


@renders(ExportUsage)
async def show_export_usage(update: Update, context: QuizbotContext, outcome: ExportUsage) -> None:
    """How to write /export."""
    await reply(update, texts.EXPORT_USAGE)


COMMANDS = {"results": results_command}
READ_ONLY_COMMANDS = {"export": export_command}
