"""Channel admins: the button router and the command table; the work lives in the
admin_rights, channel_settings, schedule_flow, channel_posts and channel_events modules."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from telegram import Update

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Channel
from bot.handlers.admin_rights import (
    CURRENT_CHANNEL,
    admin_channels,
)
from bot.handlers.callback_data import Button
from bot.handlers.channel_events import bot_membership, poll_results
from bot.handlers.channel_posts import (
    export_command,
    postnow_command,
    queue_command,
    results_command,
    slot_command,
    slots_command,
    unslot_command,
)
from bot.handlers.channel_settings import (
    channels_command,
    grace_command,
    hashtags_command,
    quiznumber_command,
    settings_command,
    settings_view,
    signature_command,
)
from bot.handlers.schedule_flow import (
    ask_when,
    confirm_schedule,
    schedule_command,
    schedule_draft,
    schedule_time_text,
    show_preview,
)
from bot.persian import fa_number, jalali_datetime
from bot.services import scheduling

log = logging.getLogger(__name__)

__all__ = [
    "ADMIN_COMMANDS",
    "admin_button",
    "admin_channels",
    "bot_membership",
    "poll_results",
    "schedule_time_text",
]


# --- buttons ------------------------------------------------------------------------------


async def admin_button(update: Update, context: QuizbotContext, button: Button) -> str | None:
    """Every admin button re-checks the presser's rights before acting."""
    mine = await admin_channels(update, context)
    if not mine:
        return texts.NOT_ADMIN
    verb, _, argument = button.value.partition(":")
    services = context.services
    now = services.now()
    mine_ids = {channel.id for channel in mine}
    if verb == "use" and argument.isdigit() and int(argument) in mine_ids:
        user_data = context.user_data if context.user_data is not None else {}
        user_data[CURRENT_CHANNEL] = int(argument)
        channel = next(c for c in mine if c.id == int(argument))
        return texts.CHANNEL_CHOSEN.format(title=channel.title)
    if verb in ("silent", "pin") and argument.isdigit() and int(argument) in mine_ids:
        async with services.sessions.begin() as session:
            row = await session.get(Channel, int(argument))
            if row is None:
                return texts.QUEUE_GONE
            if verb == "silent":
                row.silent = not row.silent
            else:
                row.pin_quizzes = not row.pin_quizzes
            text, keyboard = settings_view(row)
        message = update.effective_message
        if message is not None:
            await message.edit_text(text, reply_markup=keyboard)
        return None
    if verb in ("cancel", "later") and argument.isdigit():
        async with services.sessions.begin() as session:
            post = await scheduling.post_of(session, int(argument))
            if post is None or post.channel_id not in mine_ids:
                return texts.QUEUE_GONE
            if verb == "cancel":
                done = await scheduling.cancel(session, post.id, now)
                answer = texts.QUEUE_CANCELLED.format(id=fa_number(post.id))
            else:
                later = max(post.due_at, now) + timedelta(hours=1)
                done = await scheduling.reschedule(session, post.id, later, now)
                answer = texts.QUEUE_MOVED.format(
                    id=fa_number(post.id), when=jalali_datetime(later, services.settings.tz)
                )
        return answer if done else texts.QUEUE_GONE
    if verb == "kind" and argument in texts.KIND_TITLES:
        draft = schedule_draft(context)
        if draft.get("channel_id") not in mine_ids:
            return texts.SCHEDULE_EXPIRED
        draft.update(kind=argument, item_id=None)
        await ask_when(update, context)
        return None
    if verb == "when" and re.fullmatch(r"\d{12}", argument):
        if schedule_draft(context).get("channel_id") not in mine_ids:
            return texts.SCHEDULE_EXPIRED
        await show_preview(
            update, context, datetime.strptime(argument, "%Y%m%d%H%M").replace(tzinfo=UTC)
        )
        return None
    if verb == "ok":
        if schedule_draft(context).get("channel_id") not in mine_ids:
            return texts.SCHEDULE_EXPIRED
        return await confirm_schedule(update, context)
    if verb == "no":
        schedule_draft(context).clear()
        return texts.SCHEDULE_ABORTED
    return texts.BAD_BUTTON


ADMIN_COMMANDS = {
    "channels": channels_command,
    "settings": settings_command,
    "signature": signature_command,
    "hashtags": hashtags_command,
    "quiznumber": quiznumber_command,
    "grace": grace_command,
    "schedule": schedule_command,
    "queue": queue_command,
    "postnow": postnow_command,
    "slot": slot_command,
    "slots": slots_command,
    "unslot": unslot_command,
    "results": results_command,
    "export": export_command,
}
