"""`/demo`: pick a demo and its parameters, watch its progress, get the plot."""

from __future__ import annotations

import asyncio
import logging
import re
from functools import partial
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest

from bot import limits, texts
from bot.bank.normalize import to_persian_digits
from bot.context import QuizbotContext
from bot.handlers.callback_data import Button, encode
from bot.handlers.sending import with_retry
from bot.persian import fa_number
from bot.services.demos import DemoOutcome, repeat_command
from nn_demos.catalogue import DemoParamError, DemoSpec, ParamErrorCode

log = logging.getLogger(__name__)
_ASSIGNMENT = re.compile(r"^([a-z_]+)=(\S+)$")
DRAFTS = "demo_drafts"
# Progress edits at most this often: Telegram rate-limits edits of one message.
EDIT_INTERVAL = 1.0


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "، ".join(map(str, value))
    return str(value)


def _bound(value: float | None) -> str:
    # Ranges such as 0.0001–1: as many decimals as the number has, in Persian digits.
    return to_persian_digits(f"{value or 0:g}").replace(".", "٫")


def _param_error_text(demo: DemoSpec, error: DemoParamError) -> str:
    """The Persian reason for a refused demo request, from the error's code."""
    if error.code is ParamErrorCode.UNKNOWN_DEMO:
        return texts.DEMO_UNKNOWN.format(name=error.demo)
    allowed = "، ".join(error.allowed)
    param = demo.param(error.param or "")
    if error.code is ParamErrorCode.UNKNOWN_PARAM or param is None:
        return texts.DEMO_UNKNOWN_PARAM.format(param=error.param, allowed=allowed)
    if error.code is ParamErrorCode.NOT_A_NUMBER:
        return texts.DEMO_NOT_A_NUMBER.format(label=param.label)
    if error.code is ParamErrorCode.OUT_OF_RANGE:
        return texts.DEMO_OUT_OF_RANGE.format(
            label=param.label, minimum=_bound(error.minimum), maximum=_bound(error.maximum)
        )
    template = texts.DEMO_NOT_CHOICES if param.many else texts.DEMO_NOT_A_CHOICE
    return template.format(label=param.label, allowed=allowed)


def _panel(demo: DemoSpec, draft: dict[str, str]) -> tuple[str, InlineKeyboardMarkup]:
    values = {
        param.name: draft.get(param.name, _shown(param.default_value())) for param in demo.params
    }
    lines = "\n".join(
        texts.DEMO_PARAM_LINE.format(label=param.label, value=values[param.name])
        for param in demo.params
    )
    command = repeat_command(demo.name, {k: v.replace("، ", ",") for k, v in values.items()})
    text = texts.DEMO_PANEL.format(
        title=demo.title, summary=demo.summary, params=lines, command=command
    )
    rows = []
    for param in demo.params:
        if param.many or not param.choices or len(param.choices) > 6:
            continue  # lists and long ranges are set with the command line
        rows.append(
            [
                InlineKeyboardButton(
                    ("✓ " if values[param.name] == choice else "") + choice,
                    callback_data=encode("demo_value", f"{demo.name}|{param.name}={choice}"),
                )
                for choice in param.choice_texts
            ]
        )
    rows.append(
        [InlineKeyboardButton(texts.DEMO_RUN_BUTTON, callback_data=encode("demo_run", demo.name))]
    )
    return text[: MessageLimit.MAX_TEXT_LENGTH], InlineKeyboardMarkup(rows)


async def demo_command(update: Update, context: QuizbotContext) -> None:
    """/demo, /demo NAME or /demo NAME key=value …"""
    message = update.effective_message
    demos = context.services.demos
    if message is None or update.effective_user is None:
        return
    if demos is None:
        await with_retry(lambda: message.reply_text(texts.DEMO_UNAVAILABLE))
        return
    args = list(context.args or [])
    if not args:
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(demo.title, callback_data=encode("demo_panel", demo.name))]
                for demo in demos.menu()
            ]
        )
        await with_retry(lambda: message.reply_text(texts.DEMO_MENU, reply_markup=keyboard))
        return
    name, *assignments = args
    demo = demos.find(name.lower())
    if demo is None:
        await with_retry(lambda: message.reply_text(texts.DEMO_UNKNOWN.format(name=name)))
        return
    raw: dict[str, str] = {}
    for text in assignments:
        match = _ASSIGNMENT.match(text.lower())
        if match is None:
            reply = texts.DEMO_BAD_ARGUMENT.format(text=text, name=demo.name)
            await with_retry(partial(message.reply_text, reply))
            return
        raw[match.group(1)] = match.group(2)
    await run_and_send(update, context, demo, raw)


async def open_panel(update: Update, context: QuizbotContext, name: str) -> str | None:
    """Show a demo's parameter panel; return an alert text when the demo is unknown."""
    demos = context.services.demos
    chat = update.effective_chat
    if demos is None or chat is None:
        return texts.DEMO_UNAVAILABLE
    demo = demos.find(name)
    if demo is None:
        return texts.ITEM_GONE
    draft = _drafts(context).setdefault(name, {})
    text, keyboard = _panel(demo, draft)
    await with_retry(lambda: context.bot.send_message(chat.id, text, reply_markup=keyboard))
    return None


def _drafts(context: QuizbotContext) -> dict[str, dict[str, str]]:
    user_data = context.user_data if context.user_data is not None else {}
    drafts: dict[str, dict[str, str]] = user_data.setdefault(DRAFTS, {})
    return drafts


async def demo_button(update: Update, context: QuizbotContext, button: Button) -> str | None:
    """Panel buttons: open a demo, change one parameter, or run it."""
    demos = context.services.demos
    if demos is None:
        return texts.DEMO_UNAVAILABLE
    if button.action == "demo_panel":
        return await open_panel(update, context, button.value)
    name, _, assignment = button.value.partition("|")
    demo = demos.find(name)
    if demo is None:
        return texts.ITEM_GONE
    draft = _drafts(context).setdefault(name, {})
    if button.action == "demo_value":
        key, _, value = assignment.partition("=")
        param = demo.param(key)
        if param is None or value not in param.choice_texts:
            return texts.BAD_BUTTON
        draft[key] = value
        text, keyboard = _panel(demo, draft)
        message = update.effective_message
        if message is not None:
            try:
                await message.edit_text(text, reply_markup=keyboard)
            except BadRequest as error:  # the same value pressed twice: nothing changed
                log.debug("panel not edited: %s", error)
        return None
    await run_and_send(update, context, demo, dict(draft))
    return None


async def run_and_send(
    update: Update, context: QuizbotContext, demo: DemoSpec, raw: dict[str, str]
) -> None:
    """Run (or fetch from the cache) and send the plot, editing a progress message meanwhile."""
    chat = update.effective_chat
    user = update.effective_user
    demos = context.services.demos
    if chat is None or user is None or demos is None:
        return
    bot = context.bot
    status = await with_retry(
        lambda: bot.send_message(chat.id, texts.DEMO_QUEUED.format(title=demo.title))
    )
    loop = asyncio.get_running_loop()
    last_edit = [0.0]
    shown = [status.text or ""]
    edits: set[asyncio.Task[Any]] = set()

    async def edit(text: str) -> None:
        try:
            await bot.edit_message_text(text, chat.id, status.message_id)
        except BadRequest as error:
            log.debug("progress not edited: %s", error)

    def progress(fraction: float, stage: str) -> None:
        now = loop.time()
        text = texts.DEMO_PROGRESS.format(
            title=demo.title, stage=stage, percent=f"{fa_number(round(100 * fraction))}٪"
        )
        if text == shown[0] or now - last_edit[0] < EDIT_INTERVAL:
            return
        last_edit[0], shown[0] = now, text
        task = loop.create_task(edit(text))
        edits.add(task)
        task.add_done_callback(edits.discard)

    learner = context.services.learner(user.id)
    outcome = await demos.request(learner, demo.name, raw, progress)
    for task in list(edits):
        await task
    await _deliver(update, context, demo, outcome, status.message_id)


async def _deliver(
    update: Update,
    context: QuizbotContext,
    demo: DemoSpec,
    outcome: DemoOutcome,
    status_id: int,
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    bot = context.bot
    if outcome.status != "ok":
        every = int(context.services.settings.demo_cooldown_seconds)
        text = {
            "invalid": _param_error_text(demo, outcome.error) if outcome.error else "",
            "cooldown": texts.DEMO_COOLDOWN.format(
                every=fa_number(every), wait=fa_number(max(1, int(outcome.wait.total_seconds())))
            ),
            "timeout": texts.DEMO_TIMEOUT,
        }[outcome.status]
        await with_retry(lambda: bot.edit_message_text(text, chat.id, status_id))
        return
    repeat = texts.DEMO_REPEAT.format(command=repeat_command(demo.name, outcome.params))
    # Telegram counts the caption in UTF-16 units; the repeat line always fits whole.
    room = limits.MAX_CAPTION_LENGTH - limits.utf16_length(repeat) - 2
    caption = limits.fit_utf16(outcome.caption, room)
    await with_retry(lambda: bot.send_photo(chat.id, outcome.png, caption=f"{caption}\n\n{repeat}"))
    try:
        await bot.delete_message(chat.id, status_id)
    except BadRequest as error:
        log.debug("progress message not deleted: %s", error)
