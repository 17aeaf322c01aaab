"""/gamesettings in a group: the panel, and the admins' changes by button or by words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.groups.admins import admin_checked
from bot.handlers.replies import chat_id_of, edit_or_send, reply
from bot.handlers.work import renders
from bot.persian import fa_number
from bot.services.groups import settings as group_settings
from bot.services.groups.outcomes import BadSetting, NotGroupAdmin, SettingsShown

TIMER_CHOICES = (10, 20, 30, 45, 60, 90, 120)
SIZE_CHOICES = (3, 5, 10, 15, 20)


@dataclass(frozen=True)
class GameTimerButton(Button):
    """Set the seconds each question of the group's games stays open."""

    prefix: ClassVar[str] = "gt"
    seconds: int


@dataclass(frozen=True)
class GameSizeButton(Button):
    """Set the number of questions of the group's games."""

    prefix: ClassVar[str] = "gn"
    count: int


@dataclass(frozen=True)
class GameTopicButton(Button):
    """Set the topic the group's games draw from (None: the whole bank)."""

    prefix: ClassVar[str] = "gp"
    topic: str | None


async def settings_decide(
    update: Update, context: QuizbotContext, session: AsyncSession, admin: bool
) -> object:
    """/gamesettings [زمان ۴۵ | تعداد ۱۰ | موضوع cnn]: the panel, or an admin's change."""
    runtime = context.runtime
    return await group_settings.change_by_words(
        session,
        runtime.group(chat_id_of(update)),
        admin,
        list(context.args or []),
        runtime.now(),
    )


async def button_decide(
    update: Update, context: QuizbotContext, session: AsyncSession, admin: bool
) -> object:
    """A button of the panel: Telegram was asked, at this press, whether the presser is admin."""
    runtime = context.runtime
    group, now = runtime.group(chat_id_of(update)), runtime.now()
    if (timer := GameTimerButton.pressed(update)) is not None:
        return await group_settings.set_timer(session, group, admin, timer.seconds, now)
    if (size := GameSizeButton.pressed(update)) is not None:
        return await group_settings.set_questions(session, group, admin, size.count, now)
    if (topic := GameTopicButton.pressed(update)) is not None:
        return await group_settings.set_topic(session, group, admin, topic.topic, now)
    return None


def _mark(chosen: bool, label: str) -> str:
    return f"{texts.GAME_CHOSEN_MARK}{label}" if chosen else label


def settings_keyboard(outcome: SettingsShown) -> InlineKeyboardMarkup:
    """Timers, sizes and topics, the current ones marked."""
    current = outcome.settings
    timers = [
        InlineKeyboardButton(
            _mark(s == current.timer_seconds, texts.GAME_TIMER_BUTTON.format(seconds=fa_number(s))),
            callback_data=GameTimerButton(s).encode(),
        )
        for s in TIMER_CHOICES
    ]
    sizes = [
        InlineKeyboardButton(
            _mark(n == current.questions, texts.GAME_SIZE_BUTTON.format(count=fa_number(n))),
            callback_data=GameSizeButton(n).encode(),
        )
        for n in SIZE_CHOICES
    ]
    chosen_topic = current.topic.id if current.topic else None
    topics = [
        InlineKeyboardButton(
            _mark(
                chosen_topic is None, texts.GAME_TOPIC_BUTTON.format(title=texts.GAME_ALL_TOPICS)
            ),
            callback_data=GameTopicButton(None).encode(),
        )
    ] + [
        InlineKeyboardButton(
            _mark(t.id == chosen_topic, texts.GAME_TOPIC_BUTTON.format(title=t.title)),
            callback_data=GameTopicButton(t.id).encode(),
        )
        for t in outcome.topics
        if t.quizzes
    ]
    rows = [timers[:4], timers[4:], sizes]
    rows += [topics[i : i + 2] for i in range(0, len(topics), 2)]
    return InlineKeyboardMarkup(rows)


@renders(SettingsShown)
async def show_settings(update: Update, context: QuizbotContext, outcome: SettingsShown) -> None:
    """The panel; an admin's press edits it in place."""
    current = outcome.settings
    text = texts.GAME_SETTINGS.format(
        timer=fa_number(current.timer_seconds),
        questions=fa_number(current.questions),
        topic=current.topic.title if current.topic else texts.GAME_ALL_TOPICS,
    )
    if outcome.saved:
        text = texts.GAME_SETTINGS_SAVED + text
    if not outcome.admin:
        await reply(update, text + texts.GAME_SETTINGS_READ_ONLY)
        return
    keyboard = settings_keyboard(outcome)
    await edit_or_send(update, text + texts.GAME_SETTINGS_ADMIN, reply_markup=keyboard)


@renders(NotGroupAdmin)
async def show_not_admin(update: Update, context: QuizbotContext, outcome: NotGroupAdmin) -> str:
    """The refusal: an alert on the button, or a reply to the command."""
    return texts.NOT_GROUP_ADMIN


@renders(BadSetting)
async def show_bad_setting(update: Update, context: QuizbotContext, outcome: BadSetting) -> str:
    """Why the setting was not taken."""
    return texts.GAME_SETTING_PROBLEMS[outcome.problem.value].format(
        timer_low=fa_number(group_settings.TIMER_LOW),
        timer_high=fa_number(group_settings.TIMER_HIGH),
        size_low=fa_number(group_settings.SIZE_LOW),
        size_high=fa_number(group_settings.SIZE_HIGH),
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The panel's buttons."""
    press = admin_checked(button_decide)
    return [ButtonHandler(b, press) for b in (GameTimerButton, GameSizeButton, GameTopicButton)]
