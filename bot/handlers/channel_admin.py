"""Channel admins: channels, settings, scheduling, queue, slots and results, all checked."""

from __future__ import annotations

import logging
import re
import time as clock
from datetime import UTC, datetime, time, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Poll, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot import texts
from bot.context import QuizbotContext
from bot.db.models import Channel, ItemKind
from bot.handlers.callback_data import Button, encode
from bot.handlers.publisher import kind_title, publish_due
from bot.handlers.sending import with_retry
from bot.persian import fa_number, fa_percent, jalali_datetime, parse_jalali_datetime
from bot.services import catalog, channel_results, channels, export, publishing, scheduling
from bot.services.rendering import RenderedQuiz

log = logging.getLogger(__name__)
ADMIN_CACHE_KEY = "admin_cache"
ADMIN_CACHE_SECONDS = 300  # getChatAdministrators is cached briefly: admins rarely change
CURRENT_CHANNEL = "channel_id"
SCHEDULE_DRAFT = "schedule"
_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


# --- who may administer --------------------------------------------------------------------


async def _can_post(
    bot: Bot, cache: dict[int, tuple[float, set[int]]], chat_id: int, user_id: int
) -> bool:
    cached = cache.get(chat_id)
    if cached is None or cached[0] < clock.monotonic():
        try:
            members = await bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            log.warning("cannot read the admins of %s: %s", chat_id, error)
            return False
        posters = {
            member.user.id
            for member in members
            if member.status == ChatMemberStatus.OWNER
            or getattr(member, "can_post_messages", False)
        }
        cached = (clock.monotonic() + ADMIN_CACHE_SECONDS, posters)
        cache[chat_id] = cached
    return user_id in cached[1]


async def admin_channels(update: Update, context: QuizbotContext) -> list[Channel]:
    """Channels the user may administer: a Telegram admin who can post, and listed if a list
    of admin ids is configured."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return []
    allowed = context.services.settings.admin_ids
    if allowed and user.id not in allowed:
        return []
    cache = context.bot_data.setdefault(ADMIN_CACHE_KEY, {})
    async with context.services.sessions() as session:
        known = await channels.active_channels(session)
    return [c for c in known if await _can_post(context.bot, cache, c.chat_id, user.id)]


async def _reply(update: Update, text: str, **kwargs: Any) -> None:
    message = update.effective_message
    if message is not None:
        await with_retry(lambda: message.reply_text(text, **kwargs))


async def _current(update: Update, context: QuizbotContext) -> Channel | None:
    """The channel the admin works on; None (after replying) when there is none to use."""
    mine = await admin_channels(update, context)
    if not mine:
        async with context.services.sessions() as session:
            any_channel = await channels.active_channels(session)
        await _reply(update, texts.NOT_ADMIN if any_channel else texts.NO_CHANNELS)
        return None
    user_data = context.user_data if context.user_data is not None else {}
    chosen = user_data.get(CURRENT_CHANNEL)
    for channel in mine:
        if channel.id == chosen:
            return channel
    if len(mine) == 1:
        return mine[0]
    await _channel_menu(update, mine)
    return None


async def _channel_menu(update: Update, mine: list[Channel]) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(c.title, callback_data=encode("admin", f"use:{c.id}"))]
            for c in mine
        ]
    )
    await _reply(update, texts.CHANNEL_LIST, reply_markup=keyboard)


# --- Telegram tells us about channels and polls -------------------------------------------


async def bot_membership(update: Update, context: QuizbotContext) -> None:
    """The bot was made admin of a channel (remember it) or lost its rights (stop posting)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.CHANNEL:
        return
    status = change.new_chat_member.status
    async with context.services.sessions.begin() as session:
        if status == ChatMemberStatus.ADMINISTRATOR:
            channel = await channels.bot_added(
                session,
                change.chat.id,
                change.chat.title or "",
                change.chat.username,
                context.services.now(),
            )
            title = channel.title
        else:
            await channels.bot_removed(session, change.chat.id)
            return
    try:
        await context.bot.send_message(change.from_user.id, texts.CHANNEL_ADDED.format(title=title))
    except TelegramError as error:  # the admin may never have started the bot
        log.info("could not greet the admin who added the bot: %s", error)


async def poll_results(update: Update, context: QuizbotContext) -> None:
    """New totals of a channel poll become a vote snapshot."""
    poll = update.poll
    if poll is None:
        return
    async with context.services.sessions.begin() as session:
        await channel_results.record_snapshot(
            session,
            poll.id,
            [option.voter_count for option in poll.options],
            poll.total_voter_count,
            poll.is_closed,
            context.services.now(),
        )


# --- channels and settings ----------------------------------------------------------------


def _settings_view(channel: Channel) -> tuple[str, InlineKeyboardMarkup]:
    def state(value: bool) -> str:
        return texts.YES if value else texts.NO

    text = texts.CHANNEL_SETTINGS.format(
        title=channel.title,
        signature=channel.signature or texts.NONE_SET,
        hashtags=" ".join(channel.default_hashtags) or texts.NONE_SET,
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
                    callback_data=encode("admin", f"silent:{channel.id}"),
                ),
                InlineKeyboardButton(
                    texts.TOGGLE_PIN.format(state=state(channel.pin_quizzes)),
                    callback_data=encode("admin", f"pin:{channel.id}"),
                ),
            ]
        ]
    )
    return text, keyboard


async def channels_command(update: Update, context: QuizbotContext) -> None:
    """/channels: the channels you administer, to choose the one to work on."""
    mine = await admin_channels(update, context)
    if not mine:
        await _current(update, context)
        return
    await _channel_menu(update, mine)


async def settings_command(update: Update, context: QuizbotContext) -> None:
    """/settings: the current channel's settings with toggles."""
    channel = await _current(update, context)
    if channel is not None:
        text, keyboard = _settings_view(channel)
        await _reply(update, text, reply_markup=keyboard)


async def _update_channel(update: Update, context: QuizbotContext, usage: str, change: Any) -> None:
    channel = await _current(update, context)
    if channel is None:
        return
    args = list(context.args or [])
    async with context.services.sessions.begin() as session:
        row = await session.get(Channel, channel.id)
        if row is None or not change(row, args):
            await _reply(update, texts.SETTING_USAGE.format(usage=usage))
            return
    await _reply(update, texts.SETTING_SAVED)


def _set_signature(row: Channel, args: list[str]) -> bool:
    row.signature = " ".join(args).strip() or None
    return True


def _set_hashtags(row: Channel, args: list[str]) -> bool:
    if not all(re.fullmatch(r"#\w+", tag) for tag in args):
        return False
    row.default_hashtags = list(args)
    return True


def _set_number(row: Channel, args: list[str]) -> bool:
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) < 1:
        return False
    row.next_quiz_number = int(args[0])
    return True


def _set_grace(row: Channel, args: list[str]) -> bool:
    if len(args) != 1 or not args[0].isdigit() or not 0 <= int(args[0]) <= 1440:
        return False
    row.grace_minutes = int(args[0])
    return True


async def signature_command(update: Update, context: QuizbotContext) -> None:
    """/signature TEXT: the line that ends interview and lesson posts."""
    await _update_channel(update, context, "/signature @Data_ML | دیتاساینس", _set_signature)


async def hashtags_command(update: Update, context: QuizbotContext) -> None:
    """/hashtags #A #B: hashtags added to every post."""
    await _update_channel(update, context, "/hashtags #Deep_Learning", _set_hashtags)


async def quiznumber_command(update: Update, context: QuizbotContext) -> None:
    """/quiznumber N: the number of the next channel quiz (to continue an old series)."""
    await _update_channel(update, context, "/quiznumber 96", _set_number)


async def grace_command(update: Update, context: QuizbotContext) -> None:
    """/grace MINUTES: how late a post due while the bot was down may still go out."""
    await _update_channel(update, context, "/grace 60", _set_grace)


# --- scheduling ---------------------------------------------------------------------------


def _draft(context: QuizbotContext) -> dict[str, Any]:
    user_data = context.user_data if context.user_data is not None else {}
    draft: dict[str, Any] = user_data.setdefault(SCHEDULE_DRAFT, {})
    return draft


async def schedule_command(update: Update, context: QuizbotContext) -> None:
    """/schedule [quiz|interview|lesson] [item-id]: choose kind, item, time; preview; confirm."""
    channel = await _current(update, context)
    if channel is None:
        return
    draft = _draft(context)
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
                await _reply(update, texts.SCHEDULE_TOPIC_EMPTY)
                return
            draft["item_id"] = item_id
        await _ask_when(update, context)
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
    await _reply(update, texts.SCHEDULE_KIND, reply_markup=keyboard)


async def _ask_when(update: Update, context: QuizbotContext) -> None:
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
    _draft(context)["awaiting_time"] = True
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id, texts.SCHEDULE_WHEN, reply_markup=InlineKeyboardMarkup([picks])
        )


async def schedule_time_text(update: Update, context: QuizbotContext) -> bool:
    """A typed date while /schedule waits for one; False when no schedule is waiting."""
    draft = _draft(context)
    message = update.effective_message
    if not draft.get("awaiting_time") or message is None or message.text is None:
        return False
    due = parse_jalali_datetime(message.text, context.services.settings.tz)
    if due is None:
        await _reply(update, texts.SCHEDULE_BAD_TIME)
        return True
    await _preview(update, context, due.astimezone(UTC))
    return True


async def _preview(update: Update, context: QuizbotContext, due: datetime) -> None:
    draft = _draft(context)
    draft["awaiting_time"] = False
    chat = update.effective_chat
    if chat is None or "kind" not in draft:
        await _reply(update, texts.SCHEDULE_EXPIRED)
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


async def _confirm(update: Update, context: QuizbotContext) -> str | None:
    draft = _draft(context)
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


# --- queue, post now, slots, results ------------------------------------------------------


async def queue_command(update: Update, context: QuizbotContext) -> None:
    """/queue: upcoming posts with Jalali dates, each with cancel and later buttons."""
    channel = await _current(update, context)
    if channel is None:
        return
    async with context.services.sessions() as session:
        posts = await scheduling.queue(session, channel.id)
    if not posts:
        await _reply(update, texts.QUEUE_EMPTY)
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
    await _reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def postnow_command(update: Update, context: QuizbotContext) -> None:
    """/postnow quiz|interview|lesson, or /postnow POST_ID: publish now."""
    channel = await _current(update, context)
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
                await _reply(update, str(error))
                return
            post_id = post.id
        elif args and args[0].isdigit() and await publishing.post_now(session, int(args[0]), now):
            post_id = int(args[0])
        else:
            await _reply(update, texts.POSTNOW_USAGE)
            return
    await _reply(update, texts.POSTNOW_DONE.format(id=fa_number(post_id)))
    await publish_due(context.bot, services)


def _days_text(mask: int) -> str:
    if mask == 127:
        return texts.EVERY_DAY
    return "، ".join(texts.WEEKDAY_NAMES[d] for d in range(1, 8) if mask & (1 << (d - 1)))


async def slot_command(update: Update, context: QuizbotContext) -> None:
    """/slot quiz daily 18:00 — a standing post, filled from the bank without repeats."""
    channel = await _current(update, context)
    if channel is None:
        return
    args = [arg.lower() for arg in context.args or []]
    match = _HHMM.match(args[2]) if len(args) == 3 else None
    if match is None or args[0] not in texts.KIND_TITLES:
        await _reply(update, texts.SLOT_USAGE)
        return
    days = (
        list(range(1, 8))
        if args[1] == "daily"
        else [_DAYS[day] for day in args[1].split(",") if day in _DAYS]
    )
    hour, minute = int(match.group(1)), int(match.group(2))
    if not days or hour > 23 or minute > 59:
        await _reply(update, texts.SLOT_USAGE)
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
    await _reply(
        update,
        texts.SLOT_ADDED.format(
            id=fa_number(slot_id),
            kind=kind_title(args[0]),
            days=_days_text(mask),
            time=fa_number(hour) + ":" + fa_number(minute).rjust(2, "۰"),
        ),
    )


async def slots_command(update: Update, context: QuizbotContext) -> None:
    """/slots: the standing posts of the current channel."""
    channel = await _current(update, context)
    if channel is None:
        return
    async with context.services.sessions() as session:
        slots = await scheduling.channel_slots(session, channel.id)
    if not slots:
        await _reply(update, texts.SLOTS_EMPTY)
        return
    lines = [texts.SLOTS_HEADER.format(title=channel.title)] + [
        texts.SLOT_LINE.format(
            id=fa_number(slot.id),
            kind=kind_title(slot.kind),
            days=_days_text(slot.weekdays),
            time=fa_number(slot.local_time.hour)
            + ":"
            + fa_number(slot.local_time.minute).rjust(2, "۰"),
        )
        for slot in slots
    ]
    await _reply(update, "\n".join(lines))


async def unslot_command(update: Update, context: QuizbotContext) -> None:
    """/unslot ID: stop a standing post (its already-queued posts stay in the queue)."""
    channel = await _current(update, context)
    if channel is None:
        return
    args = list(context.args or [])
    if len(args) != 1 or not args[0].isdigit():
        await _reply(update, texts.SLOT_USAGE)
        return
    async with context.services.sessions.begin() as session:
        removed = await scheduling.remove_slot(session, channel.id, int(args[0]))
    await _reply(
        update,
        texts.SLOT_REMOVED.format(id=fa_number(int(args[0]))) if removed else texts.QUEUE_GONE,
    )


async def results_command(update: Update, context: QuizbotContext) -> None:
    """/results: recent channel quizzes with each option's share and the share correct."""
    channel = await _current(update, context)
    if channel is None:
        return
    async with context.services.sessions() as session:
        results = await channel_results.recent_results(session, channel.id)
    if not results:
        await _reply(update, texts.RESULTS_EMPTY)
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
    await _reply(update, "\n\n".join(blocks))


async def export_command(update: Update, context: QuizbotContext) -> None:
    """/export csv|xlsx|json: the current channel's statistics as a document."""
    channel = await _current(update, context)
    chat = update.effective_chat
    if channel is None or chat is None:
        return
    args = [arg.lower() for arg in context.args or []]
    fmt = args[0] if args else "xlsx"
    if fmt not in export.FORMATS:
        await _reply(update, texts.EXPORT_USAGE)
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
            text, keyboard = _settings_view(row)
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
        draft = _draft(context)
        if draft.get("channel_id") not in mine_ids:
            return texts.SCHEDULE_EXPIRED
        draft.update(kind=argument, item_id=None)
        await _ask_when(update, context)
        return None
    if verb == "when" and re.fullmatch(r"\d{12}", argument):
        if _draft(context).get("channel_id") not in mine_ids:
            return texts.SCHEDULE_EXPIRED
        await _preview(
            update, context, datetime.strptime(argument, "%Y%m%d%H%M").replace(tzinfo=UTC)
        )
        return None
    if verb == "ok":
        if _draft(context).get("channel_id") not in mine_ids:
            return texts.SCHEDULE_EXPIRED
        return await _confirm(update, context)
    if verb == "no":
        _draft(context).clear()
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
