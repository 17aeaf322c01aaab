"""/schedule as a conversation: kind → time (a quick pick or a typed Jalali date) → a preview
exactly as it will appear → confirm. Every step has a cancel button; /cancel works too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Poll, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.channel_engine.render import RenderedQuiz
from bot.context import QuizbotContext
from bot.db.models import ItemKind
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.channel.admin import admin_of
from bot.handlers.channel.queue import LABEL_LENGTH
from bot.handlers.conversations import END, Flow, StoredConversation, expired_buttons
from bot.handlers.replies import reply, with_retry
from bot.handlers.work import Step, renders, unit_of_work
from bot.limits import first_words
from bot.persian import fa_number, jalali_datetime
from bot.services.channel import drafting
from bot.services.channel.drafting import (
    Aborted,
    AskKind,
    AskWhen,
    BadTime,
    Expired,
    Preview,
    Scheduled,
    ScheduleDraft,
)

SCHEDULE = Flow("schedule")
KIND, WHEN, CONFIRM = "kind", "when", "confirm"
# Quick picks are minutes since 1970 (UTC); none lies past the year 9999.
MAX_MINUTE = int(datetime(9999, 1, 1, tzinfo=UTC).timestamp()) // 60


@dataclass(frozen=True)
class KindButton(Button):
    """Schedule the next unposted item of this kind."""

    prefix: ClassVar[str] = "sk"
    kind: str


@dataclass(frozen=True)
class WhenButton(Button):
    """A quick pick: minutes since the epoch, UTC."""

    prefix: ClassVar[str] = "sw"
    minute: int


@dataclass(frozen=True)
class ConfirmButton(Button):
    """Queue the previewed post."""

    prefix: ClassVar[str] = "sc"


@dataclass(frozen=True)
class CancelButton(Button):
    """Leave /schedule."""

    prefix: ClassVar[str] = "sx"


def _draft(context: QuizbotContext) -> ScheduleDraft | None:
    return ScheduleDraft.of(context.drafts.get(SCHEDULE.name, {}))


def _step(outcome: object) -> Step:
    """Where each outcome leaves the conversation."""
    if isinstance(outcome, AskKind):
        return Step(SCHEDULE, outcome, KIND, outcome.draft.data())
    if isinstance(outcome, AskWhen | BadTime):
        return Step(SCHEDULE, outcome, WHEN, outcome.draft.data())
    if isinstance(outcome, Preview):
        return Step(SCHEDULE, outcome, CONFIRM, outcome.draft.data())
    if isinstance(outcome, Scheduled | Expired | Aborted):
        return Step(SCHEDULE, outcome, END)
    # A refusal (not an admin, no such item, a time in the past): shown, the step stays.
    return Step(SCHEDULE, outcome, None)


async def schedule_command(
    update: Update, context: QuizbotContext, session: AsyncSession
) -> object:
    """/schedule [quiz|interview|lesson] [item id or topic]."""
    runtime = context.runtime
    outcome = await drafting.begin(
        session,
        admin_of(update, context),
        list(context.args or []),
        runtime.now(),
        runtime.settings.tz,
    )
    if not isinstance(outcome, AskKind | AskWhen):
        return Step(SCHEDULE, outcome, END)  # nothing to continue
    return _step(outcome)


async def kind_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The kind of post."""
    button = KindButton.pressed(update)
    if button is None or button.kind not in {kind.value for kind in ItemKind}:
        return None
    runtime = context.runtime
    return _step(
        await drafting.choose_kind(
            session,
            admin_of(update, context),
            _draft(context),
            ItemKind(button.kind),
            runtime.now(),
            runtime.settings.tz,
        )
    )


async def when_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A quick pick of the time."""
    button = WhenButton.pressed(update)
    if button is None or not 0 < button.minute < MAX_MINUTE:
        return None  # not a time this bot offered
    due = datetime.fromtimestamp(button.minute * 60, UTC)
    return await _choose_time(update, context, session, due)


async def when_typed(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A typed Jalali date and time, e.g. «۱۴۰۵/۰۹/۱۰ ۱۸:۰۰» (Tehran time)."""
    text = update.effective_message.text if update.effective_message else None
    return await _choose_time(update, context, session, text or "")


async def _choose_time(
    update: Update, context: QuizbotContext, session: AsyncSession, due: datetime | str
) -> object:
    runtime = context.runtime
    return _step(
        await drafting.choose_time(
            session,
            admin_of(update, context),
            _draft(context),
            due,
            runtime.now(),
            runtime.settings.tz,
        )
    )


async def confirm_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """Confirm the preview."""
    runtime = context.runtime
    return _step(
        await drafting.confirm(session, admin_of(update, context), _draft(context), runtime.now())
    )


async def cancel(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The cancel button or /cancel, at any step."""
    return Step(SCHEDULE, Aborted(), END)


def _cancel_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(texts.SCHEDULE_ABORT, callback_data=CancelButton().encode())]


@renders(AskKind)
async def show_ask_kind(update: Update, context: QuizbotContext, outcome: AskKind) -> None:
    """A button per kind."""
    rows = [
        [
            InlineKeyboardButton(
                texts.SCHEDULE_NEXT_BUTTON.format(kind=title),
                callback_data=KindButton(kind).encode(),
            )
        ]
        for kind, title in texts.KIND_TITLES.items()
    ]
    await reply(
        update, texts.SCHEDULE_KIND, reply_markup=InlineKeyboardMarkup([*rows, _cancel_row()])
    )


@renders(AskWhen)
async def show_ask_when(update: Update, context: QuizbotContext, outcome: AskWhen) -> None:
    """Quick picks of today and tomorrow (Tehran time); a typed date works too."""
    tz = context.runtime.settings.tz
    picks = []
    today = context.runtime.now().astimezone(tz).date()
    for moment in outcome.picks:
        local = moment.astimezone(tz)
        template = texts.SCHEDULE_TODAY if local.date() == today else texts.SCHEDULE_TOMORROW
        label = template.format(time=fa_number(local.hour) + ":۰۰")
        minute = int(moment.timestamp()) // 60
        picks.append(InlineKeyboardButton(label, callback_data=WhenButton(minute).encode()))
    keyboard = InlineKeyboardMarkup([picks, _cancel_row()] if picks else [_cancel_row()])
    await reply(update, texts.SCHEDULE_WHEN, reply_markup=keyboard)


@renders(BadTime)
async def show_bad_time(update: Update, context: QuizbotContext, outcome: BadTime) -> None:
    """The typed time was not understood."""
    await reply(update, texts.SCHEDULE_BAD_TIME)


@renders(Preview)
async def show_preview(update: Update, context: QuizbotContext, outcome: Preview) -> None:
    """The post exactly as it will appear, then the confirm and cancel buttons."""
    post = outcome.post
    chat_id = update.effective_chat.id if update.effective_chat else 0
    if isinstance(post, RenderedQuiz):
        await with_retry(
            lambda: context.bot.send_poll(
                chat_id,
                post.question,
                list(post.options),
                type=Poll.QUIZ,
                is_anonymous=True,  # as it will be in the channel
                allows_multiple_answers=post.multiple_answers,
                correct_option_ids=cast(Any, list(post.correct_indexes)),
                explanation=post.explanation,
            )
        )
    else:
        await reply(update, post.text, parse_mode=ParseMode.HTML)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.SCHEDULE_CONFIRM, callback_data=ConfirmButton().encode()
                ),
                InlineKeyboardButton(texts.SCHEDULE_ABORT, callback_data=CancelButton().encode()),
            ]
        ]
    )
    when = jalali_datetime(outcome.due_at, context.runtime.settings.tz)
    text = texts.SCHEDULE_PREVIEW.format(title=outcome.channel.title, when=when)
    if isinstance(post, RenderedQuiz):  # the number in the preview is a forecast
        text += "\n" + texts.SCHEDULE_NUMBER_FORECAST
    await reply(update, text, reply_markup=keyboard)


@renders(Scheduled)
async def show_scheduled(update: Update, context: QuizbotContext, outcome: Scheduled) -> None:
    """Queued: what, when, and the post's number for /queue and /postnow."""
    await reply(
        update,
        texts.SCHEDULED.format(
            kind=texts.KIND_TITLES[outcome.kind.value],
            item=first_words(outcome.label, LABEL_LENGTH),
            when=jalali_datetime(outcome.due_at, context.runtime.settings.tz),
            id=fa_number(outcome.post_id),
        ),
    )


@renders(Expired)
async def show_expired(update: Update, context: QuizbotContext, outcome: Expired) -> str:
    """The draft is gone: start again."""
    return texts.SCHEDULE_EXPIRED


@renders(Aborted)
async def show_aborted(update: Update, context: QuizbotContext, outcome: Aborted) -> str:
    """Cancelled."""
    return texts.SCHEDULE_ABORTED


def schedule_conversation() -> StoredConversation:
    """The /schedule conversation."""
    private = filters.ChatType.PRIVATE
    cancel_handlers: list[BaseHandler[Update, QuizbotContext, object]] = [
        ButtonHandler(CancelButton, unit_of_work(cancel)),
        CommandHandler("cancel", unit_of_work(cancel), filters=private),
    ]
    return StoredConversation(
        SCHEDULE,
        entry_points=[CommandHandler("schedule", unit_of_work(schedule_command), filters=private)],
        states={
            KIND: [ButtonHandler(KindButton, unit_of_work(kind_button))],
            WHEN: [
                ButtonHandler(WhenButton, unit_of_work(when_button)),
                MessageHandler(private & filters.TEXT & ~filters.COMMAND, unit_of_work(when_typed)),
            ],
            CONFIRM: [ButtonHandler(ConfirmButton, unit_of_work(confirm_button))],
        },
        fallbacks=cancel_handlers,
    )


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """Buttons of a schedule that is over say so."""
    return [*expired_buttons(KindButton, WhenButton, ConfirmButton, CancelButton)]
