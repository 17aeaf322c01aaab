"""/postnow and recurring slots (/slot, /slots, /unslot); why a post cannot be scheduled."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot import texts
from bot.context import QuizbotContext
from bot.handlers.channel.admin import admin_of
from bot.handlers.channel.jobs import wake_scheduler
from bot.handlers.channel.queue import LABEL_LENGTH
from bot.handlers.replies import quoted, reply
from bot.handlers.work import renders
from bot.limits import first_words
from bot.persian import fa_number, jalali_datetime
from bot.services.channel import planning
from bot.services.channel.outcomes import (
    PostNowUsage,
    PostQueued,
    Refused,
    SlotAdded,
    SlotRemoved,
    SlotsShown,
    SlotUsage,
)
from bot.services.channel.views import SlotView


async def postnow_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/postnow quiz|interview|lesson [id], or /postnow POST_ID."""
    words = list(context.args or [])
    return await planning.post_now(session, admin_of(update, context), words, context.runtime.now())


async def slot_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/slot quiz daily 18:00."""
    runtime = context.runtime
    return await planning.add_slot(
        session,
        admin_of(update, context),
        list(context.args or []),
        runtime.settings.timezone,
        runtime.now(),
    )


async def slots_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/slots."""
    return await planning.show_slots(session, admin_of(update, context))


async def unslot_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/unslot ID."""
    return await planning.remove_slot(session, admin_of(update, context), list(context.args or []))


def clock_text(moment: time) -> str:
    """A time of day such as «۰۹:۰۰», written as the queue's dates write it."""
    return fa_number(moment.hour).rjust(2, "۰") + ":" + fa_number(moment.minute).rjust(2, "۰")


def days_text(mask: int) -> str:
    """Weekdays of a slot in Persian ("هر روز" for all seven)."""
    if mask == 127:
        return texts.EVERY_DAY
    return "، ".join(texts.WEEKDAY_NAMES[d] for d in range(1, 8) if mask & (1 << (d - 1)))


@renders(PostQueued)
async def show_post_queued(update: Update, context: QuizbotContext, outcome: PostQueued) -> None:
    """It goes out now: a scheduler pass is asked for instead of waiting for the next tick."""
    await reply(update, texts.POSTNOW_DONE.format(id=fa_number(outcome.post_id)))
    wake_scheduler(context)


@renders(PostNowUsage)
async def show_postnow_usage(
    update: Update, context: QuizbotContext, outcome: PostNowUsage
) -> None:
    """How to write /postnow."""
    await reply(update, texts.POSTNOW_USAGE)


@renders(Refused)
async def show_refused(update: Update, context: QuizbotContext, outcome: Refused) -> None:
    """Why the post cannot be scheduled, in Persian (a message: it may be long to read)."""
    limit = fa_number(outcome.limit) if outcome.limit is not None else ""
    text = texts.SCHEDULE_PROBLEMS[outcome.problem.value]
    # A bank item by its words; only an id the admin typed, and that is no item, as typed.
    item = quoted(outcome.item_id or "") if outcome.label is None else _words(outcome.label)
    await reply(update, text.format(item=item, limit=limit))


def _words(label: str) -> str:
    """An item's first words, for a message that quotes them in «»."""
    return first_words(label, LABEL_LENGTH)


def slot_text(template: str, slot: SlotView, tz: ZoneInfo) -> str:
    """A slot in Persian: number, kind, days, time; its topic and next post when it has them."""
    text = template.format(
        id=fa_number(slot.id),
        kind=texts.KIND_TITLES[slot.kind.value],
        days=days_text(slot.weekdays),
        time=clock_text(slot.local_time),
    )
    if slot.topic_title is not None:
        text += texts.SLOT_TOPIC.format(topic=first_words(slot.topic_title, LABEL_LENGTH))
    if slot.next_post is not None:
        when = jalali_datetime(slot.next_post.due_at, tz)
        text += texts.SLOT_NEXT.format(when=when, item=_words(slot.next_post.label))
    return text


@renders(SlotAdded)
async def show_slot_added(update: Update, context: QuizbotContext, outcome: SlotAdded) -> None:
    """The slot, in Persian (its coming week is already in the queue)."""
    await reply(update, slot_text(texts.SLOT_ADDED, outcome.slot, context.runtime.settings.tz))


@renders(SlotUsage)
async def show_slot_usage(update: Update, context: QuizbotContext, outcome: SlotUsage) -> None:
    """How to write /slot."""
    await reply(update, texts.SLOT_USAGE)


@renders(SlotsShown)
async def show_slots(update: Update, context: QuizbotContext, outcome: SlotsShown) -> None:
    """The standing posts."""
    if not outcome.slots:
        await reply(update, texts.SLOTS_EMPTY)
        return
    tz = context.runtime.settings.tz
    lines = [texts.SLOTS_HEADER.format(title=outcome.channel.title)] + [
        slot_text(texts.SLOT_LINE, slot, tz) for slot in outcome.slots
    ]
    await reply(update, "\n".join(lines))


@renders(SlotRemoved)
async def show_slot_removed(update: Update, context: QuizbotContext, outcome: SlotRemoved) -> None:
    """The slot stopped."""
    await reply(update, texts.SLOT_REMOVED.format(id=fa_number(outcome.slot_id)))


COMMANDS = {
    "postnow": postnow_command,
    "slot": slot_command,
    "slots": slots_command,
    "unslot": unslot_command,
}
