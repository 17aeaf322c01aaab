"""What the update stress scripts share: the bot on a fresh database, its channels, the traps.

`stage()` builds the real application in process (`tests.inprocess.in_process_bot`) against
the fake Bot API, on a new SQLite file with the test bank synced, and two channels, each with
its own admin. `ErrorTrap` counts what would be a traceback in production: every log record
at ERROR (the error handler logs each exception that reaches it; PTB logs its own failures
at ERROR too) and every exception `process_update` lets out, keyed by type and top frame.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import traceback
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import MetaData, select
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from bot.bank.loader import load_bank
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.handlers.buttons import Button, ButtonHandler
from bot.services.content.sync import sync_bank
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import Call, FakeUser
from tests.fakebot.core import JSON
from tests.inprocess import InProcessBot, in_process_bot

ROOT = Path(__file__).resolve().parent.parent
CHANNEL_A: JSON = {"id": -100_111_111_111, "type": "channel", "title": "کانال الف"}
CHANNEL_B: JSON = {"id": -100_222_222_222, "type": "channel", "title": "کانال ب", "username": "b"}
ADMIN_A = FakeUser(501_000_001, "AdminA")
ADMIN_B = FakeUser(502_000_002, "AdminB")
STRANGER = FakeUser(503_000_003, "Stranger")
# Admin of both channels (the update fuzzer's: the strangers script keeps A and B apart).
ADMIN_AB = FakeUser(504_000_004, "AdminAB")

# Telegram's ids fit 52 bits (Bot API docs); larger ones never come from Telegram itself.
MAX_TELEGRAM_ID = 2**52 - 1


@contextmanager
def prepared_database(folder: Path, postgres: str | None = None) -> Iterator[tuple[str, Path]]:
    """A migrated database with the learner test bank synced: its URL and the bank folder.

    An SQLite file in `folder`, or with `postgres` (a server's admin URL, e.g.
    postgresql://postgres@127.0.0.1:5432/test) a new database there, dropped afterwards.
    Called outside the event loop: Alembic runs its own.
    """
    name = f"quizbot_stress_{uuid.uuid4().hex[:12]}"
    if postgres is None:
        url = f"sqlite+aiosqlite:///{folder / 'stress.db'}"
    else:
        asyncio.run(_on_server(postgres, f'CREATE DATABASE "{name}"'))
        address = make_url(postgres).set(drivername="postgresql+asyncpg", database=name)
        url = address.render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        content = write_bank(folder / "content", learner_bank_data())
        asyncio.run(_sync(url, content))
        yield url, content
    finally:
        if postgres is not None:
            asyncio.run(_on_server(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _on_server(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _sync(url: str, content: Path) -> None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine).begin() as session:
            await sync_bank(session, load_bank(content))
    finally:
        await engine.dispose()


@dataclass
class Stage:
    """The bot in process with two channels (A administered by ADMIN_A, B by ADMIN_B)."""

    bot: InProcessBot
    both: FakeUser | None = None

    def updates(self) -> list[JSON]:
        """The updates that (re)register both channels: the bot made admin of each."""
        api, found = self.bot.api, []
        for chat, admin in ((CHANNEL_A, ADMIN_A), (CHANNEL_B, ADMIN_B)):
            api.chats[chat["id"]] = chat
            api.set_admins(chat["id"], [admin] + ([self.both] if self.both else []))
            found.append(api.my_chat_member_update(chat, admin, "left", "administrator"))
        return found

    async def register(self) -> None:
        """Register both channels and read their admins, as Telegram's updates would."""
        for update in self.updates():
            await self.bot.process(update)


@asynccontextmanager
async def stage(url: str, content: Path, both: FakeUser | None = None) -> AsyncIterator[Stage]:
    """The application on `url` with both channels registered and their admins read.

    `both`, when given, administers both channels beside each channel's own admin.
    """
    async with in_process_bot(url, content) as bot:
        # The bot's own pacing stays on: its waits pass at once on the tests' skipping clock,
        # which the fake Bot API's limits read too.
        scene = Stage(bot, both)
        await scene.register()
        yield scene


def _walk(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> Iterator[BaseHandler[Any, Any, Any]]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from _walk(handler.entry_points)
            for state in handler.states.values():
                yield from _walk(state)
            yield from _walk(handler.fallbacks)
        else:
            yield handler


def registered_handlers(bot: InProcessBot) -> list[BaseHandler[Any, Any, Any]]:
    """Every handler the application registered, conversations opened up."""
    return [h for group in bot.app.handlers.values() for h in _walk(group)]


def registered_commands(bot: InProcessBot) -> set[str]:
    """The name of every command the application registered."""
    found: set[str] = set()
    for handler in registered_handlers(bot):
        if isinstance(handler, CommandHandler):
            found |= set(handler.commands)
    return found


def registered_buttons(bot: InProcessBot) -> set[type[Button]]:
    """Every button class the application registered a handler for."""
    return {h.button for h in registered_handlers(bot) if isinstance(h, ButtonHandler)}


# The channel admins' feature modules: what they register is an admin path.
ADMIN_MODULES = "bot.handlers.channel."


def admin_command_names(bot: InProcessBot) -> set[str]:
    """The commands registered by the channel-admin modules (their callbacks' module)."""
    found: set[str] = set()
    for handler in registered_handlers(bot):
        if isinstance(handler, CommandHandler) and _module(handler).startswith(ADMIN_MODULES):
            found |= set(handler.commands)
    return found


def admin_buttons(bot: InProcessBot) -> set[type[Button]]:
    """The button classes the channel-admin modules declare and register."""
    return {b for b in registered_buttons(bot) if b.__module__.startswith(ADMIN_MODULES)}


def _module(handler: BaseHandler[Any, Any, Any]) -> str:
    # unit_of_work keeps the decide function's module (functools.wraps).
    return str(getattr(handler.callback, "__module__", ""))


# Helpers many different failures pass through: a failure is placed by its caller too.
PLUMBING = ("bot/handlers/replies.py", "bot/handlers/work.py")


def _top_frame(error: BaseException) -> str:
    """Where the exception was raised: the innermost frame in the project (else the last),
    and the innermost one outside the shared helpers when that is another.
    """
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        (f"{Path(f.filename).relative_to(ROOT)}", f.lineno)
        for f in frames
        if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename
    ]
    if not ours:
        return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    shown = [ours[-1]]
    callers = [frame for frame in ours if frame[0] not in PLUMBING]
    if callers and callers[-1] != ours[-1]:
        shown.append(callers[-1])
    return " < ".join(f"{name}:{line}" for name, line in shown)


@dataclass
class Traceback:
    """One distinct failure: how often it happened and the first update that caused it."""

    kind: str
    where: str
    message: str
    count: int = 0
    example: JSON | None = None
    stack: str = ""


class ErrorTrap(logging.Handler):
    """Counts ERROR records and escaped exceptions, by (type, top frame)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: dict[tuple[str, str], Traceback] = {}
        self.total = 0
        self.current: JSON | None = None  # the update being handled

    def emit(self, record: logging.LogRecord) -> None:
        """Count one ERROR record against the update being handled."""
        if record.exc_info and record.exc_info[1] is not None:
            self.failed(record.exc_info[1])
        else:
            self._count(f"log:{record.name}", record.getMessage()[:200], "", "")

    def failed(self, error: BaseException) -> None:
        """Count one exception against the update being handled."""
        stack = "".join(traceback.format_exception(error))
        self._count(type(error).__name__, _top_frame(error), str(error)[:300], stack)

    def _count(self, kind: str, where: str, message: str, stack: str) -> None:
        self.total += 1
        entry = self.found.setdefault((kind, where), Traceback(kind, where, message))
        entry.count += 1
        if entry.example is None:
            entry.example, entry.stack = self.current, stack[-4000:]

    def report(self) -> list[JSON]:
        """Each distinct failure as JSON, most frequent first."""
        entries = sorted(self.found.values(), key=lambda e: -e.count)
        return [e.__dict__ for e in entries]


@asynccontextmanager
async def trapped() -> AsyncIterator[ErrorTrap]:
    """An ErrorTrap on the root logger for the duration; other output stays quiet."""
    trap = ErrorTrap()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(trap)
    root.setLevel(logging.WARNING)
    try:
        yield trap
    finally:
        root.removeHandler(trap)
        root.setLevel(previous)


async def feed(bot: InProcessBot, trap: ErrorTrap, update: JSON) -> list[Call]:
    """Hand one update to the application; the calls it made (an escaped error is counted)."""
    trap.current = update
    since = bot.api.mark()
    try:
        parsed = Update.de_json(update, bot.app.bot)
    except Exception as error:  # the generator's fault: Telegram sends complete objects
        raise AssertionError(f"not an update PTB can read: {update}") from error
    try:
        await bot.app.process_update(parsed)
    except Exception as error:  # process_update hands handler errors to on_error; not this
        trap.failed(error)
    finally:
        trap.current = None
    return bot.api.calls[since:]


async def snapshot(bot: InProcessBot) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, to compare before and after."""
    metadata = MetaData()
    async with bot.runtime.engine.connect() as connection:
        await connection.run_sync(metadata.reflect)
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for table in metadata.sorted_tables:
            rows = (await connection.execute(select(table))).all()
            found = [tuple(_frozen(value) for value in row) for row in rows]
            tables[table.name] = sorted(found, key=repr)
    return tables


def _frozen(value: Any) -> Any:
    # JSON columns come back as lists and dicts; rows are compared as hashable tuples.
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def print_figures(figures: JSON, lines: list[str]) -> None:
    """The human-readable lines, then the figures as the last line (JSON)."""
    for line in lines:  # generated texts may hold lone surrogates: shown escaped
        print(line.encode("utf-8", "backslashreplace").decode())
    print(json.dumps(figures, ensure_ascii=False))


def arm_watchdog(seconds: float) -> None:
    """If the process still runs after `seconds`, print every thread's stack to stderr and end
    it (status 1): works even when the event loop itself is blocked, or the hang is in a
    thread or in the loop's shutdown, so a stuck run says where and fails instead of hanging."""
    import faulthandler

    faulthandler.dump_traceback_later(seconds, exit=True)


async def watchdog(seconds: float) -> None:
    """After `seconds`, print every asyncio task's stack to stderr (a run that hangs says where)."""
    import io

    await asyncio.sleep(seconds)
    out = io.StringIO()
    for task in asyncio.all_tasks():
        print(f"{task!r}", file=out)
        awaited: Any = task.get_coro()
        while awaited is not None:  # a task's stack shows its outer frame only: walk the awaits
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is None:
                print(f"    awaiting {awaited!r}", file=out)
                break
            print(
                f"    {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}", file=out
            )
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    print(f"still running after {seconds} s; the tasks:\n{out.getvalue()}", file=sys.stderr)
    sys.stderr.flush()
