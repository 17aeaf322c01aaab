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


async def run_scheduler_pass(
    bot: Bot, runtime: Runtime, worker: str = WORKER_ID, *, wait: bool = True
) -> int:
    """One pass of the channel engine with the Bot API behind it; posts its lanes sent.

    The pass starts a lane for each channel with posts due (or has a running lane look once
    more) and, with `wait`, returns once this process's lanes are done and the admins told:
    so a pass asked for while another sends (a /postnow) still finds every post due.
    Other processes are kept apart by the claims themselves.
    """
    return await publish_due(
        runtime.sessions,
        TelegramChannelSender(bot),
        TelegramNotifier(bot, runtime.settings, runtime.sealer),
        runtime.now,
        worker,
        runtime.broadcaster,
        wait=wait,
    )


async def scheduler_job(context: QuizbotContext) -> None:
    """The JobQueue callback: every few seconds, so CLI-scheduled posts go out on time.

    It never waits for the sends it starts: a tick is never skipped for a channel that is
    waiting on its limit, and each tick finds what fell due since the last.
    """
    try:
        await run_scheduler_pass(context.bot, context.runtime, wait=False)
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
