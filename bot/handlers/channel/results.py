"""/results (the channel's recent quizzes as voted) and /export (statistics as a file)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.channel.admin import admin_of
from bot.handlers.replies import chat_id_of, reply, with_retry
from bot.handlers.work import renders
from bot.limits import MAX_MESSAGE_LENGTH, first_words, telegram_length
from bot.persian import fa_number, fa_percent
from bot.services.channel.results import QuizResult, ResultsShown, show_results
from bot.services.reporting.export import ExportReady, ExportUsage, export_channel

QUESTION_LENGTH = 80
OPTION_LENGTH = 40
BAR_WIDTH = 10


async def results_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/results."""
    return await show_results(session, admin_of(update, context, history=True))


async def export_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/export csv|xlsx|json (in a read-only transaction: it may take a while)."""
    runtime = context.runtime
    return await export_channel(
        session,
        admin_of(update, context, history=True),
        list(context.args or []),
        runtime.settings.tz,
        runtime.now(),
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


@renders(ExportReady)
async def show_export(update: Update, context: QuizbotContext, outcome: ExportReady) -> None:
    """The file, with a caption naming the channel and format."""
    chat_id = chat_id_of(update)
    caption = texts.EXPORT_CAPTION.format(
        scope=outcome.channel_title, format=outcome.format.upper()
    )
    await with_retry(
        lambda: context.bot.send_document(
            chat_id, outcome.data, filename=f"quizbot-stats.{outcome.extension}", caption=caption
        )
    )


@renders(ExportUsage)
async def show_export_usage(update: Update, context: QuizbotContext, outcome: ExportUsage) -> None:
    """How to write /export."""
    await reply(update, texts.EXPORT_USAGE)


COMMANDS = {"results": results_command}
READ_ONLY_COMMANDS = {"export": export_command}
