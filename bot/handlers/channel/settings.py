"""/settings and the commands that change them: signature, hashtags, numbering, grace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.channel.admin import admin_of
from bot.handlers.replies import edit_or_send, reply
from bot.handlers.work import Decide, renders, unit_of_work
from bot.limits import fit
from bot.persian import fa_number
from bot.services.channel import settings
from bot.services.channel.outcomes import (
    QuizNumberTaken,
    Setting,
    SettingRefused,
    SettingSaved,
    SettingsShown,
)
from bot.services.channel.views import ChannelView

# How much of the signature and of the hashtags the settings show: each may be as long as a
# message, and both whole would not fit in one.
SHOWN_LENGTH = 1000


@dataclass(frozen=True)
class ToggleButton(Button):
    """Switch silent posting or pinning of a channel."""

    prefix: ClassVar[str] = "st"
    channel: int
    which: str


async def settings_command(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """/settings: the acting channel's settings with toggles."""
    return await settings.show(session, admin_of(update, context))


def _setter(setting: Setting) -> Decide:
    async def change(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
        words = list(context.args or [])
        return await settings.change(session, admin_of(update, context), setting, words)

    change.__doc__ = f"/{setting.value}: change the channel's {setting.name.lower()}."
    return change


async def toggle_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A toggle under the settings."""
    button = ToggleButton.pressed(update)
    if button is None or button.which not in {toggle.value for toggle in settings.Toggle}:
        return None
    which = settings.Toggle(button.which)
    return await settings.toggle(session, admin_of(update, context), button.channel, which)


def settings_view(channel: ChannelView) -> tuple[str, InlineKeyboardMarkup]:
    """The settings text and its toggle buttons."""

    def state(value: bool) -> str:
        return texts.YES if value else texts.NO

    text = texts.CHANNEL_SETTINGS.format(
        title=channel.title,
        signature=fit(channel.signature or texts.NONE_SET, SHOWN_LENGTH),
        hashtags=fit(" ".join(channel.hashtags) or texts.NONE_SET, SHOWN_LENGTH),
        number=fa_number(channel.next_quiz_number),
        silent=state(channel.silent),
        pin=state(channel.pin_quizzes),
        grace=fa_number(channel.grace_minutes),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.TOGGLE_SILENT.format(state=state(channel.silent)),
                    callback_data=ToggleButton(channel.id, settings.Toggle.SILENT).encode(),
                ),
                InlineKeyboardButton(
                    texts.TOGGLE_PIN.format(state=state(channel.pin_quizzes)),
                    callback_data=ToggleButton(channel.id, settings.Toggle.PIN).encode(),
                ),
            ]
        ]
    )
    return text, keyboard


@renders(SettingsShown)
async def show_settings(update: Update, context: QuizbotContext, outcome: SettingsShown) -> None:
    """The settings: a new message for /settings, the same one edited for a toggle."""
    text, keyboard = settings_view(outcome.channel)
    await edit_or_send(update, text, reply_markup=keyboard)


@renders(SettingSaved)
async def show_saved(update: Update, context: QuizbotContext, outcome: SettingSaved) -> None:
    """Saved."""
    await reply(update, texts.SETTING_SAVED)


@renders(SettingRefused)
async def show_refused(update: Update, context: QuizbotContext, outcome: SettingRefused) -> None:
    """How to write the setting."""
    usage = texts.SETTING_EXAMPLES[outcome.setting.value]
    await reply(update, texts.SETTING_USAGE.format(usage=usage))


@renders(QuizNumberTaken)
async def show_number_taken(
    update: Update, context: QuizbotContext, outcome: QuizNumberTaken
) -> None:
    """The number is used: the lowest the series may go on from."""
    await reply(
        update,
        texts.QUIZ_NUMBER_TAKEN.format(
            number=fa_number(outcome.number), minimum=fa_number(outcome.minimum)
        ),
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The toggles."""
    return [ButtonHandler(ToggleButton, unit_of_work(toggle_button))]


COMMANDS: dict[str, Decide] = {
    "settings": settings_command,
    **{setting.value: _setter(setting) for setting in Setting},
}
