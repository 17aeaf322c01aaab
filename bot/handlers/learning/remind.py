"""/remind: one daily review reminder at an hour the learner picks (Tehran time), or none."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.buttons import ButtonHandler
from bot.handlers.learning.buttons import RemindButton, StartReviewButton
from bot.handlers.replies import chat_id_of, edit_or_send, quoted, reply, user_id_of
from bot.handlers.work import renders, unit_of_work
from bot.persian import fa_number
from bot.services.learning import reminders, reviews
from bot.services.learning.outcomes import (
    BadReminderHour,
    ReminderOff,
    ReminderPanel,
    ReminderSet,
)

HOURS_PER_ROW = 6


def hour_text(hour: int) -> str:
    """«۲۱:۰۰»."""
    return f"{fa_number(hour)}:۰۰"


def hours_keyboard(current: int | None) -> InlineKeyboardMarkup:
    """A button per hour of the day (the current one marked), and "off" when it is on."""
    buttons = [
        InlineKeyboardButton(
            texts.REMIND_HOUR_BUTTON.format(
                mark=texts.REMIND_CURRENT_MARK if hour == current else "", hour=fa_number(hour)
            ),
            callback_data=RemindButton(hour).encode(),
        )
        for hour in reminders.HOURS
    ]
    rows = [buttons[i : i + HOURS_PER_ROW] for i in range(0, len(buttons), HOURS_PER_ROW)]
    if current is not None:
        off = RemindButton(None).encode()
        rows.append([InlineKeyboardButton(texts.REMIND_OFF_BUTTON, callback_data=off)])
    return InlineKeyboardMarkup(rows)


def reminder_keyboard() -> InlineKeyboardMarkup:
    """Under a reminder: start the reviews, or turn reminders off."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.REMIND_START_BUTTON, callback_data=StartReviewButton().encode()
                ),
                InlineKeyboardButton(
                    texts.REMIND_OFF_BUTTON, callback_data=RemindButton(None).encode()
                ),
            ]
        ]
    )


async def remind_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/remind [hour | off]: set it at once, or show the hour buttons."""
    runtime = context.runtime
    words = list(context.args or [])
    return await reminders.by_words(
        session,
        runtime.person(user_id_of(update)),
        words,
        runtime.sealer.seal(chat_id_of(update)),
        runtime.now(),
        runtime.settings.tz,
    )


async def remind_words(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """«یادآور» typed (or the menu button): the hour buttons."""
    return await reminders.panel(session, context.runtime.person(user_id_of(update)))


async def hour_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """An hour button (or "off")."""
    button = RemindButton.pressed(update)
    if button is None:
        return None
    runtime = context.runtime
    learner = runtime.person(user_id_of(update))
    if button.hour is None:
        return await reminders.turn_off(session, learner)
    sealed = runtime.sealer.seal(chat_id_of(update))
    return await reminders.set_hour(
        session, learner, button.hour, sealed, runtime.now(), runtime.settings.tz
    )


async def review_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A reminder's "start reviewing" button: as /review."""
    runtime = context.runtime
    learner = runtime.person(user_id_of(update))
    return await reviews.next_review(session, learner, runtime.now(), announce=True)


@renders(ReminderPanel)
async def show_panel(update: Update, context: QuizbotContext, outcome: ReminderPanel) -> None:
    """The reminder's state and the hour buttons."""
    if outcome.hour is None:
        text = texts.REMIND_PANEL_OFF
    else:
        on = texts.REMIND_PANEL_ON.format(hour=hour_text(outcome.hour))
        text = f"{on}\n{texts.REMIND_CHANGE}"
    await reply(update, text, reply_markup=hours_keyboard(outcome.hour))


@renders(ReminderSet)
async def show_set(update: Update, context: QuizbotContext, outcome: ReminderSet) -> None:
    """On at that hour (in place of the buttons, when one was pressed)."""
    await edit_or_send(update, texts.REMIND_SET.format(hour=hour_text(outcome.hour)))


@renders(ReminderOff)
async def show_off(update: Update, context: QuizbotContext, outcome: ReminderOff) -> None:
    """Off (or was not on)."""
    # Sent anew, also for a button: under a reminder the message stays as it was.
    await reply(update, texts.REMIND_OFF if outcome.was_on else texts.REMIND_WAS_OFF)


@renders(BadReminderHour)
async def show_bad_hour(update: Update, context: QuizbotContext, outcome: BadReminderHour) -> None:
    """An hour that could not be read, and how to write one."""
    await reply(update, texts.REMIND_BAD_HOUR.format(text=quoted(outcome.text)))


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The hour buttons, a reminder's review button, and the Persian words for /remind."""
    private = filters.ChatType.PRIVATE
    return [
        ButtonHandler(RemindButton, unit_of_work(hour_button)),
        ButtonHandler(StartReviewButton, unit_of_work(review_button)),
        MessageHandler(
            private & filters.Text(list(texts.REMIND_WORDS)), unit_of_work(remind_words)
        ),
    ]


COMMANDS = {"remind": remind_command}
