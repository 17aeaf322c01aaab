"""Jobs of the channel side: the scheduler pass, refreshing admin lists, waking the pass."""

from __future__ import annotations

import logging
import os
import socket
import uuid

from telegram import Bot

from bot.channel_engine.publisher import publish_due
from bot.context import QuizbotContext
from bot.handlers.channel.events import refresh_admins
from bot.handlers.channel.sender import TelegramChannelSender, TelegramNotifier
from bot.runtime import Runtime
from bot.services.channel import rights

log = logging.getLogger(__name__)
WORKER_ID = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
SCHEDULER_JOB = "scheduler"
ADMINS_JOB = "channel-admins"


async def run_scheduler_pass(bot: Bot, runtime: Runtime, worker: str = WORKER_ID) -> int:
    """One pass of the channel engine with the Bot API behind it; posts sent.

    Passes of one process run one after another: a pass asked for while another runs (a
    /postnow) waits for it and then looks again, so the new post is never left for the
    next tick. Other processes are kept apart by the claims themselves.
    """
    async with runtime.scheduler_lock:
        return await publish_due(
            runtime.sessions,
            TelegramChannelSender(bot),
            TelegramNotifier(bot, runtime.settings, runtime.sealer),
            runtime.now,
            worker,
        )


async def scheduler_job(context: QuizbotContext) -> None:
    """The JobQueue callback: every few seconds, so CLI-scheduled posts go out on time."""
    try:
        await run_scheduler_pass(context.bot, context.runtime)
    except Exception:
        log.exception("scheduler pass failed; the next tick tries again")


async def admins_job(context: QuizbotContext) -> None:
    """Read again the admin lists older than a few minutes (chat_member updates may be lost)."""
    runtime = context.runtime
    async with runtime.read_sessions() as session:
        due = await rights.due_for_check(session, runtime.now())
    for chat_id in due:
        await refresh_admins(context.bot, runtime, chat_id)


def wake_scheduler(context: QuizbotContext) -> None:
    """Run a scheduler pass now rather than at the next tick (when the job queue runs)."""
    queue = context.job_queue
    if queue is None or not queue.scheduler.running:
        return
    context.application.create_task(_pass_now(context), name="scheduler pass on request")


async def _pass_now(context: QuizbotContext) -> None:
    await scheduler_job(context)
