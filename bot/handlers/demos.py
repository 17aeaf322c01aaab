"""`/demo`: pick a demo and its parameters, watch its progress, get the plot."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot import metrics, texts
from bot.bank.normalize import to_persian_digits
from bot.context import QuizbotContext
from bot.demos_runner.base import DemoInterruptedError, DemoTimeoutError
from bot.handlers.buttons import Button, ButtonHandler
from bot.handlers.conversations import conversation_key
from bot.handlers.replies import chat_id_of, quoted, reply, user_id_of, with_retry
from bot.handlers.work import renders, unit_of_work
from bot.limits import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH, fit, telegram_length
from bot.persian import fa_number
from bot.services import conversations
from bot.services.learning import demos
from bot.services.learning.demos import (
    DemoCooling,
    DemoInvalid,
    DemoMalformed,
    DemoMenu,
    DemoPanel,
    DemoReady,
    DemoToRun,
)
from nn_demos.catalogue import DemoParamError, DemoSpec, ParamErrorCode

log = logging.getLogger(__name__)
# The panel's choices are kept per learner (not per demo), like a form being filled in.
PANEL = "demo"
PANEL_TTL = timedelta(hours=24)
# Progress edits at most this often: Telegram rate-limits edits of one message.
EDIT_INTERVAL = 1.0
# Panels show buttons for parameters with at most this many choices.
MAX_BUTTON_CHOICES = 6


@dataclass(frozen=True)
class DemoPanelButton(Button):
    """Open a demo's parameter panel."""

    prefix: ClassVar[str] = "dm"
    demo: str


@dataclass(frozen=True)
class DemoValueButton(Button):
    """Set one parameter of the panel's demo to one of its choices."""

    prefix: ClassVar[str] = "dv"
    demo: str
    param: str
    value: str


@dataclass(frozen=True)
class DemoRunButton(Button):
    """Run the panel's demo with the chosen parameters."""

    prefix: ClassVar[str] = "dr"
    demo: str


async def _chosen(
    update: Update, context: QuizbotContext, session: AsyncSession, name: str
) -> dict[str, str]:
    """The values last chosen on `name`'s panel, read in the update's own transaction."""
    key = conversation_key(update, context)
    if key is None:
        return {}
    draft = await conversations.draft(session, PANEL, key, context.runtime.now())
    values = draft.get("values", {}) if draft.get("demo") == name else {}
    return {str(key): str(value) for key, value in values.items()}


async def _keep_choices(
    update: Update, context: QuizbotContext, session: AsyncSession, panel: object
) -> None:
    """Store the panel's choices in the update's own transaction."""
    key = conversation_key(update, context)
    if key is None or not isinstance(panel, DemoPanel):
        return
    runtime = context.runtime
    draft = {"demo": panel.demo.name, "values": dict(panel.values)}
    expires = runtime.now() + PANEL_TTL
    await conversations.save(session, PANEL, key, "panel", draft, expires)


async def demo_command(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """/demo, /demo NAME or /demo NAME key=value …"""
    words = list(context.args or [])
    if not words:
        return demos.menu()
    parsed = demos.parse_command(words)
    if isinstance(parsed, DemoMalformed):
        return parsed
    name, raw = parsed
    if not raw:
        panel = demos.panel(name, await _chosen(update, context, session, name))
        await _keep_choices(update, context, session, panel)
        return panel
    return await _request(update, context, session, name, raw)


async def _request(
    update: Update, context: QuizbotContext, session: AsyncSession, name: str, raw: dict[str, str]
) -> object:
    runtime = context.runtime
    cooldown = timedelta(seconds=runtime.settings.demo_cooldown_seconds)
    learner = runtime.person(user_id_of(update))
    return await demos.request(session, learner, name, raw, runtime.now(), cooldown)


async def panel_for_link(
    update: Update, context: QuizbotContext, session: AsyncSession, name: str
) -> object:
    """The deep link `demo_<name>` opens the demo's panel."""
    panel = demos.panel(name, await _chosen(update, context, session, name))
    await _keep_choices(update, context, session, panel)
    return panel


async def panel_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A demo's button (in the menu or under a quiz)."""
    button = DemoPanelButton.pressed(update)
    return None if button is None else await panel_for_link(update, context, session, button.demo)


async def value_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """A parameter's value button on the panel."""
    button = DemoValueButton.pressed(update)
    if button is None:
        return None
    panel = demos.choose(
        button.demo,
        await _chosen(update, context, session, button.demo),
        button.param,
        button.value,
    )
    await _keep_choices(update, context, session, panel)
    return panel


async def run_button(update: Update, context: QuizbotContext, session: AsyncSession) -> object:
    """The panel's run button."""
    button = DemoRunButton.pressed(update)
    if button is None:
        return None
    return await _request(
        update, context, session, button.demo, await _chosen(update, context, session, button.demo)
    )


# --- showing ------------------------------------------------------------------------------


def _bound(value: float | None) -> str:
    # Ranges such as 0.0001–1: as many decimals as the number has, in Persian digits.
    return to_persian_digits(f"{value or 0:g}").replace(".", "٫")


def param_error_text(demo: DemoSpec | None, error: DemoParamError) -> str:
    """The Persian reason for a refused demo request, from the error's code."""
    if error.code is ParamErrorCode.UNKNOWN_DEMO or demo is None:
        return texts.DEMO_UNKNOWN.format(name=quoted(error.demo))
    allowed = "، ".join(error.allowed)
    param = demo.param(error.param or "")
    if error.code is ParamErrorCode.UNKNOWN_PARAM or param is None:
        return texts.DEMO_UNKNOWN_PARAM.format(param=quoted(error.param or ""), allowed=allowed)
    if error.code is ParamErrorCode.NOT_A_NUMBER:
        return texts.DEMO_NOT_A_NUMBER.format(label=param.label)
    if error.code is ParamErrorCode.OUT_OF_RANGE:
        return texts.DEMO_OUT_OF_RANGE.format(
            label=param.label, minimum=_bound(error.minimum), maximum=_bound(error.maximum)
        )
    template = texts.DEMO_NOT_CHOICES if param.many else texts.DEMO_NOT_A_CHOICE
    return template.format(label=param.label, allowed=allowed)


def panel_view(panel: DemoPanel) -> tuple[str, InlineKeyboardMarkup]:
    """The panel's text (parameters and the equivalent command) and its buttons."""
    demo, values = panel.demo, dict(panel.values)
    lines = "\n".join(
        texts.DEMO_PARAM_LINE.format(label=param.label, value=values[param.name].replace(",", "، "))
        for param in demo.params
    )
    command = demos.repeat_command(demo.name, values)
    text = texts.DEMO_PANEL.format(
        title=demo.title, summary=demo.summary, params=lines, command=command
    )
    rows = []
    for param in demo.params:
        choices = param.choice_texts
        if param.many or not choices or len(choices) > MAX_BUTTON_CHOICES:
            continue  # lists and long ranges are set with the command line
        rows.append(
            [
                InlineKeyboardButton(
                    ("✓ " if values[param.name] == choice else "") + choice,
                    callback_data=DemoValueButton(demo.name, param.name, choice).encode(),
                )
                for choice in choices
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                texts.DEMO_RUN_BUTTON, callback_data=DemoRunButton(demo.name).encode()
            )
        ]
    )
    return fit(text, MAX_MESSAGE_LENGTH), InlineKeyboardMarkup(rows)


@renders(DemoMenu)
async def show_menu(update: Update, context: QuizbotContext, outcome: DemoMenu) -> None:
    """A button per demo."""
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(demo.title, callback_data=DemoPanelButton(demo.name).encode())]
            for demo in outcome.demos
        ]
    )
    await reply(update, texts.DEMO_MENU, reply_markup=keyboard)


@renders(DemoPanel)
async def show_panel(update: Update, context: QuizbotContext, outcome: DemoPanel) -> None:
    """The panel: edited in place for a value button, a new message otherwise."""
    text, keyboard = panel_view(outcome)
    message = update.effective_message
    is_value = update.callback_query is not None and DemoValueButton.decode(
        update.callback_query.data
    )
    if is_value and message is not None:
        try:
            await message.edit_text(text, reply_markup=keyboard)
        except BadRequest as error:  # the same value pressed twice: nothing changed
            log.debug("panel not edited: %s", error)
        return
    await reply(update, text, reply_markup=keyboard)


@renders(DemoMalformed)
async def show_malformed(update: Update, context: QuizbotContext, outcome: DemoMalformed) -> None:
    """How to write parameters."""
    text = texts.DEMO_BAD_ARGUMENT.format(text=quoted(outcome.text), name=quoted(outcome.demo))
    await reply(update, text)


@renders(DemoInvalid)
async def show_invalid(update: Update, context: QuizbotContext, outcome: DemoInvalid) -> None:
    """Why the request was refused."""
    await reply(update, param_error_text(outcome.demo, outcome.error))


@renders(DemoCooling)
async def show_cooling(update: Update, context: QuizbotContext, outcome: DemoCooling) -> None:
    """One fresh run per cooldown."""
    await reply(
        update,
        texts.DEMO_COOLDOWN.format(
            every=fa_number(int(outcome.every.total_seconds())),
            wait=fa_number(max(1, int(outcome.wait.total_seconds()))),
        ),
    )


def _caption(caption: str, name: str, params: dict[str, Any]) -> str:
    repeat = texts.DEMO_REPEAT.format(command=demos.repeat_command(name, params))
    room = MAX_CAPTION_LENGTH - telegram_length(repeat) - 2
    return f"{fit(caption, room)}\n\n{repeat}"


@renders(DemoReady)
async def show_ready(update: Update, context: QuizbotContext, outcome: DemoReady) -> None:
    """A cached plot."""
    metrics.count_demo("cached")
    chat_id = chat_id_of(update)
    caption = _caption(outcome.caption, outcome.demo.name, outcome.params)
    await with_retry(lambda: context.bot.send_photo(chat_id, outcome.png, caption=caption))


@renders(DemoToRun)
async def run_and_send(update: Update, context: QuizbotContext, outcome: DemoToRun) -> None:
    """Run in a worker, editing a progress message meanwhile; keep the result; the plot."""
    runtime = context.runtime
    chat_id = chat_id_of(update)
    bot = context.bot
    runner = runtime.demo_runner
    if runner is None:
        metrics.count_demo("unavailable")
        await reply(update, texts.DEMO_UNAVAILABLE)
        return
    title = outcome.demo.title
    status = await reply(update, texts.DEMO_QUEUED.format(title=title))
    loop = asyncio.get_running_loop()
    last_edit = [0.0]
    shown = [status.text or ""]
    edits: set[asyncio.Task[Any]] = set()

    async def edit(text: str) -> None:
        try:
            await bot.edit_message_text(text, chat_id, status.message_id)
        except BadRequest as error:
            log.debug("progress not edited: %s", error)

    def progress(fraction: float, stage: str) -> None:
        now = loop.time()
        text = texts.DEMO_PROGRESS.format(
            title=title, stage=stage, percent=f"{fa_number(round(100 * fraction))}٪"
        )
        if text == shown[0] or now - last_edit[0] < EDIT_INTERVAL:
            return
        last_edit[0], shown[0] = now, text
        task = loop.create_task(edit(text))
        edits.add(task)
        task.add_done_callback(edits.discard)

    try:
        result = await runner.run(outcome.demo.name, outcome.params, progress)
    except DemoTimeoutError:
        result = None
    except DemoInterruptedError:
        metrics.count_demo("interrupted")
        for task in list(edits):
            await task
        await with_retry(
            lambda: bot.edit_message_text(texts.DEMO_INTERRUPTED, chat_id, status.message_id)
        )
        return
    except Exception:  # e.g. Redis unreachable: counted here, reported by the error handler
        metrics.count_demo("failed")
        raise
    metrics.count_demo("timeout" if result is None else "done" if result["ok"] else "failed")
    for task in list(edits):
        await task
    if result is None or not result["ok"]:
        text = (
            texts.DEMO_TIMEOUT
            if result is None
            else param_error_text(outcome.demo, DemoParamError.from_data(result["error"]))
        )
        await with_retry(lambda: bot.edit_message_text(text, chat_id, status.message_id))
        return
    async with runtime.sessions.begin() as session:  # what the worker returned
        await demos.store_result(session, outcome.demo.name, result, runtime.now())
    caption = _caption(result["caption"], outcome.demo.name, result["params"])
    await with_retry(lambda: bot.send_photo(chat_id, result["png"], caption=caption))
    try:
        await bot.delete_message(chat_id, status.message_id)
    except BadRequest as error:
        log.debug("progress message not deleted: %s", error)


def handlers() -> list[BaseHandler[Any, QuizbotContext, Any]]:
    """The panel's buttons."""
    return [
        ButtonHandler(DemoPanelButton, unit_of_work(panel_button)),
        ButtonHandler(DemoValueButton, unit_of_work(value_button)),
        ButtonHandler(DemoRunButton, unit_of_work(run_button)),
    ]


COMMANDS = {"demo": demo_command}
