"""Building and running the PTB application: each feature registers its own handlers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import logging
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CommandHandler,
    Defaults,
    filters,
)
from telegram.request import BaseRequest

from bot import shared
from bot.config import Settings, SettingsError, Webhook
from bot.context import CONTEXT_TYPES, BotData, QuizbotContext
from bot.db.engine import create_engine
from bot.demos_runner.base import DemoRunner
from bot.demos_runner.local import LocalRunner
from bot.demos_runner.redis_queue import QueueRunner
from bot.demos_runner.warmup import start_warm_up
from bot.dispatch import Dispatcher, Settled
from bot.handlers import demos
from bot.handlers.channel import (
    admin,
    authoring,
    bank,
    events,
    jobs,
    menus,
    notices,
    posts,
    queue,
    results,
    schedule,
    settings,
)
from bot.handlers.conversations import StoredConversation, state_loader
from bot.handlers.errors import on_error
from bot.handlers.groups import engine as group_engine
from bot.handlers.groups import play as group_play
from bot.handlers.groups import settings as group_settings
from bot.handlers.learning import account, exam, interview, polls, quiz, remind, start, topics
from bot.handlers.learning import jobs as learning_jobs
from bot.handlers.unreadable import unreadable_guard
from bot.handlers.work import Decide, unit_of_work
from bot.pacing import PacingLimiter
from bot.polling import DRAIN_SECONDS, Poller
from bot.redaction import redact_logs
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Opt in to PTB's coming timedelta durations now; otherwise PTB itself warns on every
# RetryAfter it builds (and the test suite turns warnings into errors).
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Telegram remembers the last list it was given, so poll and poll_answer are named explicitly;
# chat_member reports admins promoted or demoted in the bot's channels.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.POLL,
    Update.POLL_ANSWER,
    Update.MY_CHAT_MEMBER,
    Update.CHAT_MEMBER,
    Update.CHANNEL_POST,
]

QuizbotApplication = Application[Any, QuizbotContext, Any, Any, BotData, Any]
Handlers = list[BaseHandler[Any, QuizbotContext, Any]]


async def _post_init(application: QuizbotApplication) -> None:
    await application.bot.set_my_commands(menus.learner_menu())
    await menus.give_group_menus(application.bot)
    runtime = application.bot_data.runtime
    if runtime is not None:
        await menus.give_admin_menu(application.bot, sorted(runtime.settings.admin_ids))


def conversations() -> list[StoredConversation]:
    """The multi-step flows, whose states live in the database."""
    return [
        account.forget_conversation(),
        schedule.schedule_conversation(),
        bank.edit_conversation(),  # /bank: a field's new text
        authoring.author_conversation(),  # an admin's poll or interview text into the bank
    ]


def admin_commands() -> dict[str, Decide]:
    """Every channel-admin command by name (each checks the person's rights itself)."""
    return {
        **admin.COMMANDS,
        **settings.COMMANDS,
        **queue.COMMANDS,
        **posts.COMMANDS,
        **results.COMMANDS,
        **bank.COMMANDS,  # /needsreview, /bank
    }


def feature_handlers() -> Handlers:
    """The buttons and updates each feature module registers, by pattern."""
    handlers: Handlers = []
    for module in (
        quiz,
        exam,
        interview,
        topics,
        account,
        remind,
        demos,
        admin,
        settings,
        queue,
        schedule,
        notices,
        bank,
        authoring,
        group_play,
        group_settings,
    ):
        handlers += module.handlers()
    return handlers + events.handlers()


def register_handlers(application: QuizbotApplication) -> None:
    """Every handler, in the order PTB must try them."""
    private = filters.ChatType.PRIVATE
    flows = conversations()
    # Group -2 runs first: text no database can store goes no further.
    application.add_handler(unreadable_guard(), group=-2)
    # Group -1 next: the person's stored conversation states, before dispatch.
    application.add_handler(state_loader(flows), group=-1)
    # Then answers and poll totals, the busiest updates, which no other handler takes: PTB
    # tries a group's handlers in order, so they do not wait behind some forty others.
    application.add_handlers(polls.handlers() + events.poll_handlers())
    # A person's vote is taken from Telegram's JSON before PTB parses it, where it can be.
    application.bot_data.json_routes.append(polls.json_route(application))
    for flow in flows:
        application.add_handler(flow)
    application.add_handlers(start.command_handlers())
    for name, decide in admin_commands().items():
        application.add_handler(CommandHandler(name, unit_of_work(decide), filters=private))
    for name, decide in results.READ_ONLY_COMMANDS.items():
        handler = unit_of_work(decide, read_only=True)
        application.add_handler(CommandHandler(name, handler, filters=private))
    application.add_handlers(feature_handlers())
    application.add_handlers(start.fallback_handlers())
    application.add_error_handler(on_error)


def build_application(
    runtime: Runtime,
    token: str,
    request: BaseRequest | None = None,
    pacing: PacingLimiter | None = None,
) -> QuizbotApplication:
    """The bot application, talking to the Bot API server named in the settings.

    `request` replaces the HTTP transport (the tests' in-process fake Bot API); `pacing` the
    sending limiter (the tests' runs it on a clock that skips the waits).
    """
    settings = runtime.settings
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(tzinfo=settings.tz))
        .rate_limiter(pacing or PacingLimiter(3, store=shared.pacing_store(runtime, token)))
        .post_init(_post_init)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: QuizbotApplication = builder.build()
    application.bot_data.runtime = runtime
    register_handlers(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            jobs.scheduler_job,
            interval=settings.scheduler_interval_seconds,
            first=1.0,
            name=jobs.SCHEDULER_JOB,
        )
        application.job_queue.run_repeating(
            jobs.admins_job, interval=60.0, first=2.0, name=jobs.ADMINS_JOB
        )
        application.job_queue.run_repeating(
            learning_jobs.timed_tests_job,
            interval=settings.timed_test_interval_seconds,
            first=3.0,
            name=learning_jobs.TIMED_TESTS_JOB,
        )
        application.job_queue.run_repeating(
            learning_jobs.reminders_job,
            interval=settings.reminder_interval_seconds,
            first=4.0,
            name=learning_jobs.REMINDERS_JOB,
        )
        application.job_queue.run_repeating(
            group_engine.games_job,
            interval=group_engine.TICK_SECONDS,
            first=1.0,
            name=group_engine.GAMES_JOB,
        )
    return application


def torch_installed() -> bool:
    """Whether this host can train demos itself (torch comes with `quizbot[demos]`)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # a broken or blocked install counts as none
        return False


def demo_runner(settings: Settings) -> DemoRunner | None:
    """Redis-queued `quizbot worker`s when REDIS_URL is set, else a local worker process;
    None (learners are told demos are not available) on a host without torch and Redis."""
    if settings.redis_url:
        return QueueRunner(settings.redis_url, settings.demo_timeout_seconds)
    if not torch_installed():
        log.warning("torch is not installed and REDIS_URL is not set: demos are off")
        return None
    return LocalRunner(
        settings.demo_concurrency, settings.demo_timeout_seconds, settings.demo_device
    )


async def serve(
    application: QuizbotApplication, stop: asyncio.Event, webhook: Webhook | None = None
) -> None:
    """Run the application (its jobs) and take updates until `stop` is set: by long polling,
    or, given `webhook`, as Telegram's POSTs."""
    try:
        if not await _until_done(lambda: _initialize(application), stop):
            return
        await application.start()
        freeze_startup_heap()
        try:
            if webhook is not None:
                await _serve_webhook(application, stop, webhook)
            else:
                async with _ops_endpoints(application):
                    await Poller(application, ALLOWED_UPDATES).run(stop)
        finally:
            await _cancel_background(application)
            await application.stop()
    finally:
        await application.shutdown()


def freeze_startup_heap() -> None:
    """Keep what start-up built (modules, the ORM's metadata, PTB's handlers) out of every
    later full garbage collection.

    Those objects live as long as the process; each full collection walked them all again,
    a pause of about 0.15 s here, several times a minute while answers pour in.
    """
    gc.collect()
    gc.freeze()


def _runtime(application: QuizbotApplication) -> Runtime:
    runtime = application.bot_data.runtime
    if runtime is None:
        raise RuntimeError("the application was built without a runtime")
    return runtime


@contextlib.asynccontextmanager
async def _ops_endpoints(application: QuizbotApplication) -> AsyncIterator[None]:
    """/healthz and /metrics on OPS_PORT while polling, when it is set."""
    settings = _runtime(application).settings
    if settings.ops_port is None:
        yield
        return
    # aiohttp (a seventh of a second to import) only where an HTTP endpoint is served.
    from bot.ops_server import ops_app, serving

    async with serving(ops_app(_runtime(application)), settings.ops_host, settings.ops_port):
        yield


async def _serve_webhook(
    application: QuizbotApplication, stop: asyncio.Event, webhook: Webhook
) -> None:
    """Serve Telegram's POSTs (and /healthz, /metrics) until `stop`; then finish those in hand."""
    from bot.ops_server import ops_app, serving
    from bot.webhook import WebhookReceiver, set_webhook

    runtime = _runtime(application)
    dispatcher = Dispatcher(application)

    async def submit(update: Update) -> bool:
        return await dispatcher.submit(update) is Settled.COMMITTED

    async def submit_json(raw: Mapping[str, Any]) -> bool | None:
        settled = await dispatcher.submit_json(raw)
        return None if settled is None else settled is Settled.COMMITTED

    receiver = WebhookReceiver(application.bot, runtime, webhook.secret, submit, submit_json)
    app = ops_app(runtime)
    app.router.add_post(webhook.path, receiver.handle)
    async with serving(app, webhook.host, webhook.port):
        # Listening first: Telegram's first POST may come the moment the webhook is set.
        if await _until_done(lambda: set_webhook(application.bot, webhook, ALLOWED_UPDATES), stop):
            await stop.wait()
        receiver.stopping = True
    # The updates were answered; replies still on their way go out before the stop.
    if not await dispatcher.drain(DRAIN_SECONDS):
        log.warning("stopped with replies still unsent after %s s", DRAIN_SECONDS)


async def _cancel_background(application: QuizbotApplication) -> None:
    """Stop the exports still running (each tells its admin), while the bot can still send;
    the channel posts being sent are finished and recorded, no new one is claimed."""
    runtime = application.bot_data.runtime
    if runtime is not None:
        await runtime.broadcaster.close()
        await runtime.background.cancel_all()


async def _initialize(application: QuizbotApplication) -> None:
    await application.initialize()  # getMe: the token checked
    if application.post_init is not None:
        await application.post_init(application)  # the command menu


async def _until_done(step: Callable[[], Awaitable[None]], stop: asyncio.Event) -> bool:
    """Run `step` until it succeeds, waiting out Telegram's 5xx and network failures.

    Telegram or the network down at start is not a reason to exit: systemd would restart the
    bot in a loop. A refused token is (InvalidToken propagates). False when `stop` came first.
    """
    backoff = 1.0
    while not stop.is_set():
        try:
            await step()
            return True
        except InvalidToken:
            raise
        except (NetworkError, TimedOut) as error:
            log.warning("Telegram not reachable at start (%s); again in %.0f s", error, backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff)
            backoff = min(30.0, backoff * 2)
    return False


def run_polling(
    settings: Settings, token: str, hash_key: bytes, webhook: Webhook | None = None
) -> None:
    """Run the bot until SIGINT or SIGTERM: long polling, or given `webhook`, webhook mode.

    Raises SettingsError when Telegram refuses the token. Anything else unexpected is logged
    (through the redacting handlers: never the token) and ends the process with status 1.
    """
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise
    redact_logs(token, hash_key.decode(errors="replace"))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        engine = create_engine(settings.database_url)
        runner = demo_runner(settings)
        runtime = shared.shared_runtime(settings, engine, hash_key, token, runner)

        async def interrupt_demos() -> None:
            # A demo may run for a minute; the update waiting on it must not hold up the stop.
            await stop.wait()
            if runner is not None:
                await runner.close()

        interrupting = asyncio.create_task(interrupt_demos())
        # In the background: start-up does not wait. No runner (no torch here): nothing to warm.
        warming = None if runner is None else start_warm_up(runner, runtime)
        try:
            await serve(build_application(runtime, token), stop, webhook)
        finally:
            interrupting.cancel()
            if runner is not None:
                await runner.close()
            if warming is not None:  # before the engine goes: it may hold a session
                warming.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await warming
            await engine.dispose()
            if runtime.redis is not None:
                await runtime.redis.aclose()

    try:
        asyncio.run(main())
    except InvalidToken:
        # PTB's message carries the token itself: say what to do instead.
        raise SettingsError(
            "Telegram refused TELEGRAM_BOT_TOKEN (revoked or mistyped): "
            "take the current token from @BotFather"
        ) from None
    except SettingsError:
        raise
    except Exception:
        log.exception("the bot stopped on an unexpected error")
        raise SystemExit(1) from None
