"""Who is asking as a channel admin, choosing the channel to work on, and refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.replies import reply, user_id_of
from bot.handlers.work import renders, unit_of_work
from bot.services.channel import rights
from bot.services.channel.outcomes import ChannelChosen, ChooseChannel, NoChannels, NotAdmin


@dataclass(frozen=True)
class ChannelButton(Button):
    """Work on this channel."""

    prefix: ClassVar[str] = "ch"
    channel: int


def admin_of(update: Update, context: QuizbotContext, *, history: bool = False) -> rights.Admin:
    """The person as a would-be channel admin: keyed hash, and whether ADMIN_IDS allows them.

    Their private chat goes along, sealed, so that the channel they act on can tell them of
    its failures. `history` (results, exports: read-only work) leaves it out, since it must
    not write, and lets channels the bot has left count: their history stays reachable.
    """
    user_id = user_id_of(update)
    runtime = context.runtime
    allowed = runtime.settings.admin_ids
    listed = not allowed or user_id in allowed
    if history:
        return rights.Admin(runtime.person(user_id), listed, history=True)
    return rights.Admin(runtime.person(user_id), listed, runtime.sealer.seal(user_id))


async def channels_command(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """/channels: the channels you administer, to choose the one to work on."""
    return await rights.channel_list(session, admin_of(update, context))


async def channel_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A channel's button: work on it from now on."""
    button = ChannelButton.pressed(update)
    if button is None:
        return None
    runtime = context.runtime
    return await rights.choose(session, admin_of(update, context), button.channel, runtime.now())


@renders(NotAdmin)
async def show_not_admin(update: Update, context: QuizbotContext, outcome: NotAdmin) -> str:
    """Admin paths are for the channels' admins."""
    return texts.NOT_ADMIN


@renders(NoChannels)
async def show_no_channels(update: Update, context: QuizbotContext, outcome: NoChannels) -> str:
    """The bot is nobody's channel admin yet."""
    return texts.NO_CHANNELS


@renders(ChooseChannel)
async def show_channels(update: Update, context: QuizbotContext, outcome: ChooseChannel) -> None:
    """A button per channel."""
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(c.title, callback_data=ChannelButton(c.id).encode())]
            for c in outcome.channels
        ]
    )
    await reply(update, texts.CHANNEL_LIST, reply_markup=keyboard)


@renders(ChannelChosen)
async def show_chosen(update: Update, context: QuizbotContext, outcome: ChannelChosen) -> str:
    """The chosen channel, as an alert on its button."""
    return texts.CHANNEL_CHOSEN.format(title=outcome.channel.title)


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The channel buttons."""
    return [ButtonHandler(ChannelButton, unit_of_work(channel_button))]


COMMANDS = {"channels": channels_command}
