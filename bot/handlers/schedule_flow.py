"""`/schedule`: kind, item, time, a preview exactly as it will appear, confirmation."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Poll, Update

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Channel, ItemKind
from bot.handlers.admin_rights import (
    current_channel,
    reply,
)
from bot.handlers.callback_data import encode
from bot.handlers.publisher import kind_title
from bot.persian import fa_number, jalali_datetime, parse_jalali_datetime
from bot.services import catalog, scheduling
from bot.services.rendering import RenderedQuiz

log = logging.getLogger(__name__)

SCHEDULE_DRAFT = "schedule"


# --- scheduling ---------------------------------------------------------------------------


def schedule_draft(context: QuizbotContext) -> dict[str, Any]:
    """The admin's schedule being put together (kept per user between updates)."""
    user_data = context.user_data if context.user_data is not None else {}
    draft: dict[str, Any] = user_data.setdefault(SCHEDULE_DRAFT, {})
    return draft


async def schedule_command(update: Update, context: QuizbotContext) -> None:
    """/schedule [quiz|interview|lesson] [item-id]: choose kind, item, time; preview; confirm."""
    channel = await current_channel(update, context)
    if channel is None:
        return
    draft = schedule_draft(context)
    draft.clear()
    draft["channel_id"] = channel.id
    args = list(context.args or [])
    if args and args[0] in texts.KIND_TITLES:
        draft["kind"] = args[0]
        draft["item_id"] = None
        if len(args) > 1:
            # The second word is an item id, or a topic whose next unposted item is wanted.
            async with context.services.sessions() as session:
                topic = await catalog.find_topic(session, args[1])
                item_id = (
                    args[1]
                    if topic is None
                    else await scheduling.next_unposted(
                        session, channel, ItemKind(args[0]), topic.id
                    )
                )
            if item_id is None:
                await reply(update, texts.SCHEDULE_TOPIC_EMPTY)
                return
            draft["item_id"] = item_id
        await ask_when(update, context)
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.SCHEDULE_NEXT_BUTTON.format(kind=title),
                    callback_data=encode("admin", f"kind:{kind}"),
                )
            ]
            for kind, title in texts.KIND_TITLES.items()
        ]
    )
    await reply(update, texts.SCHEDULE_KIND, reply_markup=keyboard)


async def ask_when(update: Update, context: QuizbotContext) -> None:
    """Offer quick times (today or tomorrow, Tehran) and wait for one or a typed date."""
    tz = context.services.settings.tz
    now = context.services.now().astimezone(tz)
    picks = []
    for days, hour in ((0, 18), (0, 21), (1, 9), (1, 18)):
        local = datetime.combine(now.date() + timedelta(days=days), time(hour), tzinfo=tz)
        if local <= now:
            continue
        label = (texts.SCHEDULE_TODAY if days == 0 else texts.SCHEDULE_TOMORROW).format(
            time=fa_number(hour) + ":۰۰"
        )
        stamp = local.astimezone(UTC).strftime("%Y%m%d%H%M")
        picks.append(InlineKeyboardButton(label, callback_data=encode("admin", f"when:{stamp}")))
    schedule_draft(context)["awaiting_time"] = True
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id, texts.SCHEDULE_WHEN, reply_markup=InlineKeyboardMarkup([picks])
        )


async def schedule_time_text(update: Update, context: QuizbotContext) -> bool:
    """A typed date while /schedule waits for one; False when no schedule is waiting."""
    draft = schedule_draft(context)
    message = update.effective_message
    if not draft.get("awaiting_time") or message is None or message.text is None:
        return False
    due = parse_jalali_datetime(message.text, context.services.settings.tz)
    if due is None:
        await reply(update, texts.SCHEDULE_BAD_TIME)
        return True
    await show_preview(update, context, due.astimezone(UTC))
    return True


async def show_preview(update: Update, context: QuizbotContext, due: datetime) -> None:
    """Send the post exactly as it will appear, then ask to confirm."""
    draft = schedule_draft(context)
    draft["awaiting_time"] = False
    chat = update.effective_chat
    if chat is None or "kind" not in draft:
        await reply(update, texts.SCHEDULE_EXPIRED)
        return
    services = context.services
    kind = ItemKind(draft["kind"])
    async with services.sessions() as session:
        channel = await session.get(Channel, draft["channel_id"])
        if channel is None:
            return
        try:
            item_id = draft.get("item_id") or await scheduling.next_unposted(session, channel, kind)
            if item_id is None:
                raise scheduling.ScheduleError(
                    "همهٔ موارد این نوع قبلاً در این کانال منتشر یا زمان‌بندی شدن."
                )
            await scheduling.check_fits(session, channel, kind, item_id)
            preview = await scheduling.preview(session, channel, kind, item_id)
        except scheduling.ScheduleError as error:
            await context.bot.send_message(chat.id, str(error))
            return
    draft.update(item_id=item_id, due=due.strftime("%Y%m%d%H%M"))
    if isinstance(preview, RenderedQuiz):
        await context.bot.send_poll(
            chat.id,
            preview.question,
            preview.options,
            type=Poll.QUIZ,
            is_anonymous=True,
            correct_option_ids=preview.correct_indexes,  # type: ignore[arg-type]
            explanation=preview.explanation,
        )
    else:
        await context.bot.send_message(chat.id, preview.text)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.SCHEDULE_CONFIRM, callback_data=encode("admin", "ok:0")),
                InlineKeyboardButton(texts.SCHEDULE_ABORT, callback_data=encode("admin", "no:0")),
            ]
        ]
    )
    await context.bot.send_message(
        chat.id,
        texts.SCHEDULE_PREVIEW.format(
            title=channel.title, when=jalali_datetime(due, services.settings.tz)
        ),
        reply_markup=keyboard,
    )


async def confirm_schedule(update: Update, context: QuizbotContext) -> str | None:
    """Queue the previewed post; return an alert text when it cannot be."""
    draft = schedule_draft(context)
    chat = update.effective_chat
    if not draft.get("due") or chat is None:
        return texts.SCHEDULE_EXPIRED
    services = context.services
    due = datetime.strptime(draft["due"], "%Y%m%d%H%M").replace(tzinfo=UTC)
    async with services.sessions.begin() as session:
        channel = await session.get(Channel, draft["channel_id"])
        if channel is None:
            return texts.SCHEDULE_EXPIRED
        try:
            post = await scheduling.schedule_post(
                session, channel, ItemKind(draft["kind"]), draft["item_id"], due, services.now()
            )
        except scheduling.ScheduleError as error:
            return str(error)
        post_id = post.id
    await context.bot.send_message(
        chat.id,
        texts.SCHEDULED.format(
            kind=kind_title(draft["kind"]),
            item=draft["item_id"],
            when=jalali_datetime(due, services.settings.tz),
            id=fa_number(post_id),
        ),
    )
    draft.clear()
    return None
