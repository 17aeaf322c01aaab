"""The queue, posting now, recurring slots, results and exports of a channel."""

from __future__ import annotations

import logging
import re
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import ItemKind
from bot.handlers.admin_rights import (
    current_channel,
    reply,
)
from bot.handlers.callback_data import encode
from bot.handlers.publisher import kind_title, publish_due
from bot.handlers.sending import with_retry
from bot.persian import fa_number, fa_percent, jalali_datetime
from bot.services import channel_results, export, publishing, scheduling

log = logging.getLogger(__name__)

_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")

# --- queue, post now, slots, results ------------------------------------------------------


async def queue_command(update: Update, context: QuizbotContext) -> None:
    """/queue: upcoming posts with Jalali dates, each with cancel and later buttons."""
    channel = await current_channel(update, context)
    if channel is None:
        return
    async with context.services.sessions() as session:
        posts = await scheduling.queue(session, channel.id)
    if not posts:
        await reply(update, texts.QUEUE_EMPTY)
        return
    tz = context.services.settings.tz
    lines = [texts.QUEUE_HEADER.format(title=channel.title)]
    rows = []
    for post in posts[:20]:
        lines.append(
            texts.QUEUE_LINE.format(
                id=fa_number(post.id),
                when=jalali_datetime(post.due_at, tz),
                kind=kind_title(post.kind),
                item=post.item_id,
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    texts.QUEUE_CANCEL.format(id=fa_number(post.id)),
                    callback_data=encode("admin", f"cancel:{post.id}"),
                ),
                InlineKeyboardButton(
                    texts.QUEUE_LATER.format(id=fa_number(post.id)),
                    callback_data=encode("admin", f"later:{post.id}"),
                ),
            ]
        )
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def postnow_command(update: Update, context: QuizbotContext) -> None:
    """/postnow quiz|interview|lesson, or /postnow POST_ID: publish now."""
    channel = await current_channel(update, context)
    if channel is None:
        return
    args = list(context.args or [])
    services = context.services
    now = services.now()
    async with services.sessions.begin() as session:
        if args and args[0] in texts.KIND_TITLES:
            try:
                post = await scheduling.schedule_post(
                    session,
                    channel,
                    ItemKind(args[0]),
                    args[1] if len(args) > 1 else None,
                    now,
                    now,
                )
            except scheduling.ScheduleError as error:
                await reply(update, str(error))
                return
            post_id = post.id
        elif args and args[0].isdigit() and await publishing.post_now(session, int(args[0]), now):
            post_id = int(args[0])
        else:
            await reply(update, texts.POSTNOW_USAGE)
            return
    await reply(update, texts.POSTNOW_DONE.format(id=fa_number(post_id)))
    await publish_due(context.bot, services)


def clock_text(moment: time) -> str:
    """A time of day such as «۱۸:۰۰»."""
    return fa_number(moment.hour) + ":" + fa_number(moment.minute).rjust(2, "۰")


def days_text(mask: int) -> str:
    """Weekdays of a slot in Persian ("هر روز" for all seven)."""
    if mask == 127:
        return texts.EVERY_DAY
    return "، ".join(texts.WEEKDAY_NAMES[d] for d in range(1, 8) if mask & (1 << (d - 1)))


async def slot_command(update: Update, context: QuizbotContext) -> None:
    """/slot quiz daily 18:00 — a standing post, filled from the bank without repeats."""
    channel = await current_channel(update, context)
    if channel is None:
        return
    args = [arg.lower() for arg in context.args or []]
    match = _HHMM.match(args[2]) if len(args) == 3 else None
    if match is None or args[0] not in texts.KIND_TITLES:
        await reply(update, texts.SLOT_USAGE)
        return
    days = (
        list(range(1, 8))
        if args[1] == "daily"
        else [_DAYS[day] for day in args[1].split(",") if day in _DAYS]
    )
    hour, minute = int(match.group(1)), int(match.group(2))
    if not days or hour > 23 or minute > 59:
        await reply(update, texts.SLOT_USAGE)
        return
    services = context.services
    async with services.sessions.begin() as session:
        slot = await scheduling.add_slot(
            session,
            channel,
            ItemKind(args[0]),
            days,
            time(hour, minute),
            services.settings.timezone,
            services.now(),
        )
        slot_id, mask = slot.id, slot.weekdays
    await publish_due(context.bot, services)  # fills the coming week right away
    await reply(
        update,
        texts.SLOT_ADDED.format(
            id=fa_number(slot_id),
            kind=kind_title(args[0]),
            days=days_text(mask),
            time=clock_text(time(hour, minute)),
        ),
    )


async def slots_command(update: Update, context: QuizbotContext) -> None:
    """/slots: the standing posts of the current channel."""
    channel = await current_channel(update, context)
    if channel is None:
        return
    async with context.services.sessions() as session:
        slots = await scheduling.channel_slots(session, channel.id)
    if not slots:
        await reply(update, texts.SLOTS_EMPTY)
        return
    lines = [texts.SLOTS_HEADER.format(title=channel.title)] + [
        texts.SLOT_LINE.format(
            id=fa_number(slot.id),
            kind=kind_title(slot.kind),
            days=days_text(slot.weekdays),
            time=clock_text(slot.local_time),
        )
        for slot in slots
    ]
    await reply(update, "\n".join(lines))


async def unslot_command(update: Update, context: QuizbotContext) -> None:
    """/unslot ID: stop a standing post (its already-queued posts stay in the queue)."""
    channel = await current_channel(update, context)
    if channel is None:
        return
    args = list(context.args or [])
    if len(args) != 1 or not args[0].isdigit():
        await reply(update, texts.SLOT_USAGE)
        return
    async with context.services.sessions.begin() as session:
        removed = await scheduling.remove_slot(session, channel.id, int(args[0]))
    await reply(
        update,
        texts.SLOT_REMOVED.format(id=fa_number(int(args[0]))) if removed else texts.QUEUE_GONE,
    )


async def results_command(update: Update, context: QuizbotContext) -> None:
    """/results: recent channel quizzes with each option's share and the share correct."""
    channel = await current_channel(update, context)
    if channel is None:
        return
    async with context.services.sessions() as session:
        results = await channel_results.recent_results(session, channel.id)
    if not results:
        await reply(update, texts.RESULTS_EMPTY)
        return
    blocks = [texts.RESULTS_HEADER.format(title=channel.title)]
    for result in results:
        shares = " · ".join(
            fa_percent(round(share * 1000), 1000) + (" ✅" if right else "")
            for share, right in zip(result.shares, result.correct, strict=True)
        )
        blocks.append(
            texts.RESULTS_QUIZ.format(
                number=fa_number(result.number or 0),
                question=result.question
                if len(result.question) <= 80
                else result.question[:79] + "…",
                shares=shares,
                correct=fa_percent(round(result.share_correct * 1000), 1000),
                voters=fa_number(result.voters),
            )
        )
    await reply(update, "\n\n".join(blocks))


async def export_command(update: Update, context: QuizbotContext) -> None:
    """/export csv|xlsx|json: the current channel's statistics as a document."""
    channel = await current_channel(update, context)
    chat = update.effective_chat
    if channel is None or chat is None:
        return
    args = [arg.lower() for arg in context.args or []]
    fmt = args[0] if args else "xlsx"
    if fmt not in export.FORMATS:
        await reply(update, texts.EXPORT_USAGE)
        return
    services = context.services
    async with services.sessions() as session:
        views = await export.build_views(session, services.settings.tz, channel.chat_id)
    data, extension = export.render(views, fmt, services.now())
    await with_retry(
        lambda: context.bot.send_document(
            chat.id,
            data,
            filename=f"quizbot-stats.{extension}",
            caption=texts.EXPORT_CAPTION.format(scope=channel.title, format=fmt.upper()),
        )
    )
