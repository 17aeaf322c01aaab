"""Building and running the PTB application from the settings."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, Defaults

from bot import texts
from bot.config import Settings

log = logging.getLogger(__name__)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.WELCOME)


async def _help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.HELP)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, description in texts.COMMAND_DESCRIPTIONS.items()]
    )


def build_application(settings: Settings, token: str) -> Application:  # type: ignore[type-arg]
    """The bot application, talking to the Bot API server named in the settings."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .defaults(Defaults(tzinfo=settings.tz))
        .post_init(_post_init)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("help", _help))
    return application


def run_polling(settings: Settings, token: str) -> None:
    """Run the bot until interrupted."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    build_application(settings, token).run_polling(allowed_updates=Update.ALL_TYPES)
