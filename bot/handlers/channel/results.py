"""/results (the channel's recent quizzes as voted) and /export (statistics as a file)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.channel.admin import admin_of
from bot.handlers.replies import chat_id_of, reply, with_retry
from bot.handlers.work import renders
from bot.limits import fit
from bot.persian import fa_number, fa_percent
from bot.services.channel.results import ResultsShown, show_results
from bot.services.reporting.export import ExportReady, ExportUsage, export_channel

QUESTION_LENGTH = 80
OPTION_LENGTH = 40


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


@renders(ResultsShown)
async def show_channel_results(
    update: Update, context: QuizbotContext, outcome: ResultsShown
) -> None:
    """Each quiz: its options with their shares (the right one marked), the share correct."""
    if not outcome.results:
        await reply(update, texts.RESULTS_EMPTY)
        return
    blocks = [texts.RESULTS_HEADER.format(title=outcome.channel.title)]
    for result in outcome.results:
        options = "\n".join(
            texts.RESULTS_OPTION.format(
                text=fit(text, OPTION_LENGTH), share=_share(share), mark=" ✅" if right else ""
            )
            for text, share, right in zip(
                result.options, result.shares, result.correct, strict=True
            )
        )
        blocks.append(
            texts.RESULTS_QUIZ.format(
                number=fa_number(result.number or 0),
                question=fit(result.question, QUESTION_LENGTH),
                options=options,
                correct=_share(result.share_correct),
                voters=fa_number(result.voters),
            )
        )
    await reply(update, "\n\n".join(blocks))


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
