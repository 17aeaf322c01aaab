"""The command menus: the learners' for everyone, the admins' in each admin's private chat,
and in groups the game commands (with the settings for the groups' admins).

Telegram keeps a menu per scope and shows a chat the most specific one it has, so an admin's
chat gets the learners' commands and the admin ones together. The bot sets it the moment it
sees someone as a channel admin (and for ADMIN_IDS at start) and stores no Telegram id for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot import texts
from bot.handlers.replies import with_retry

log = logging.getLogger(__name__)


def learner_menu() -> list[BotCommand]:
    """Everyone's commands."""
    return [BotCommand(name, text) for name, text in texts.COMMAND_DESCRIPTIONS.items()]


def admin_menu() -> list[BotCommand]:
    """An admin's commands: the learners' first, then the channel admin ones."""
    admin = [BotCommand(name, text) for name, text in texts.ADMIN_COMMAND_DESCRIPTIONS.items()]
    return learner_menu() + admin


def group_menu() -> list[BotCommand]:
    """Every group member's commands."""
    return [BotCommand(name, text) for name, text in texts.GROUP_COMMAND_DESCRIPTIONS.items()]


def group_admin_menu() -> list[BotCommand]:
    """A group admin's commands: the members' and the game settings."""
    admin = texts.GROUP_ADMIN_COMMAND_DESCRIPTIONS
    return group_menu() + [BotCommand(name, text) for name, text in admin.items()]


async def give_group_menus(bot: Bot) -> None:
    """The game commands in every group; with the settings for its admins."""
    await with_retry(
        lambda: bot.set_my_commands(group_menu(), scope=BotCommandScopeAllGroupChats())
    )
    await with_retry(
        lambda: bot.set_my_commands(
            group_admin_menu(), scope=BotCommandScopeAllChatAdministrators()
        )
    )


async def give_admin_menu(bot: Bot, user_ids: Iterable[int]) -> None:
    """The admins' menu in each person's private chat (its id is the person's id)."""
    for user_id in user_ids:

        async def give(user_id: int = user_id) -> bool:
            return await bot.set_my_commands(admin_menu(), scope=BotCommandScopeChat(user_id))

        try:
            await with_retry(give)
        except TelegramError as error:
            # Someone who never opened the bot has no private chat yet ("chat not found"); the
            # commands still work for them, the menu simply does not list them.
            log.info("could not set an admin's command menu: %s", error)


async def take_admin_menu(bot: Bot, user_id: int) -> None:
    """Back to the learners' menu in this person's chat (their chat scope is deleted)."""
    try:
        await with_retry(lambda: bot.delete_my_commands(scope=BotCommandScopeChat(user_id)))
    except TelegramError as error:
        log.info("could not reset a former admin's command menu: %s", error)
