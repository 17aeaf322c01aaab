"""Building and running the PTB application from the settings."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    PollAnswerHandler,
    PollHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import texts
from bot.config import Settings
from bot.context import SERVICES_KEY, BotServices, QuizbotContext
from bot.db.base import utcnow
from bot.db.engine import create_engine, create_session_factory
from bot.demos_runner.base import DemoRunner
from bot.demos_runner.local import LocalRunner
from bot.demos_runner.redis_queue import QueueRunner
from bot.handlers import channel_admin, learner
from bot.handlers.errors import on_error
from bot.handlers.publisher import scheduler_job
from bot.services.demos import DemoService

log = logging.getLogger(__name__)

# Opt in to PTB's coming timedelta durations now; otherwise PTB itself warns on every
# RetryAfter it builds (and the test suite turns warnings into errors).
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Telegram remembers the last list it was given, so poll and poll_answer are named explicitly.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.POLL,
    Update.POLL_ANSWER,
    Update.MY_CHAT_MEMBER,
    Update.CHANNEL_POST,
]

QuizbotApplication = Application[Any, QuizbotContext, Any, Any, Any, Any]


async def _post_init(application: QuizbotApplication) -> None:
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, description in texts.COMMAND_DESCRIPTIONS.items()]
    )


def build_application(
    services: BotServices, token: str, request: BaseRequest | None = None
) -> QuizbotApplication:
    """The bot application, talking to the Bot API server named in the settings.

    `request`, when given, carries every Bot API call instead of PTB's HTTP client (tests hand
    the calls to the fake Bot API in process).
    """
    settings = services.settings
    context_types = ContextTypes(context=QuizbotContext, bot_data=dict)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(context_types)
        .defaults(Defaults(tzinfo=settings.tz))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: QuizbotApplication = builder.build()
    application.bot_data[SERVICES_KEY] = services
    private = filters.ChatType.PRIVATE
    for name, callback in learner.COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    for name, callback in channel_admin.ADMIN_COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(
        ChatMemberHandler(channel_admin.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(PollHandler(channel_admin.poll_results))
    application.add_handler(CallbackQueryHandler(learner.button_pressed))
    application.add_handler(PollAnswerHandler(learner.poll_answer))
    application.add_handler(MessageHandler(private & filters.COMMAND, learner.unknown_command))
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, learner.menu_or_free_text)
    )
    application.add_error_handler(on_error)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            scheduler_job,
            interval=settings.scheduler_interval_seconds,
            first=1.0,
            name="scheduler",
        )
    return application


def demo_runner(settings: Settings) -> DemoRunner:
    """Redis-queued `quizbot worker`s when REDIS_URL is set, else a local worker process."""
    if settings.redis_url:
        return QueueRunner(settings.redis_url, settings.demo_timeout_seconds)
    return LocalRunner(
        settings.demo_concurrency, settings.demo_timeout_seconds, settings.demo_device
    )


def run_polling(settings: Settings, token: str, hash_key: bytes) -> None:
    """Run the bot until interrupted."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    runner = demo_runner(settings)
    demos = DemoService(runner, sessions, utcnow, timedelta(seconds=settings.demo_cooldown_seconds))
    services = BotServices(settings, sessions, hash_key, demos=demos)
    application = build_application(services, token)

    async def dispose(_: QuizbotApplication) -> None:
        await runner.close()
        await engine.dispose()

    application.post_shutdown = dispose
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
