"""What the crash scripts share: a fresh database, and `quizbot run` as a process to kill.

The bot runs exactly as an operator starts it (`quizbot run`, four variables) against the fake
Bot API served on 127.0.0.1 by the script itself, so a kill -9 hits the real process with its
real polling, transactions and files.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness import HASH_KEY, TOKEN  # noqa: E402

QUIZBOT = Path(sys.executable).parent / "quizbot"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")

__all__ = ["BACKENDS", "HASH_KEY", "TOKEN", "BotProcess", "fresh_database"]


@asynccontextmanager
async def fresh_database(backend: str, folder: Path) -> AsyncIterator[str]:
    """An empty database of `backend` for one run: its SQLAlchemy URL; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'stress-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"quizbot_stress_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


class BotProcess:
    """One `quizbot run` process at a time, started again after each kill."""

    def __init__(self, api_url: str, database_url: str, folder: Path) -> None:
        self.folder = folder
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(folder),
            # This checkout's code, whichever checkout the environment was installed from.
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": database_url,
            "ANSWER_HASH_KEY": HASH_KEY.decode(),
            # Each restart would start a demo worker with torch and run every demo once.
            "DEMO_WARMUP": "false",
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.log = folder / "bot.log"

    async def start(self, *arguments: str) -> None:
        """Start `quizbot run` (or the given subcommand), appending its output to the log."""
        self.starts += 1
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                str(QUIZBOT),
                *(arguments or ("run",)),
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group, as systemd gives it
            )

    async def kill(self) -> None:
        """kill -9: no handler runs, nothing is flushed."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()
        self.process = None

    async def interrupt(self, patience: float = 60) -> int:
        """Ask the bot to stop (SIGINT, like Ctrl-C) and wait for it; its exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(self.process.wait(), patience)
        self.process = None
        return code

    async def wait_until(
        self, done: Callable[[], bool], progress: Callable[[], str], patience: float = 120.0
    ) -> None:
        """Wait until `done()`; an error if the bot exits first or `patience` s pass idle."""
        deadline = time.monotonic() + patience
        while not done():
            if self.process is not None and self.process.returncode is not None:
                raise RuntimeError(f"the bot exited:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"stalled: {progress()}")
            await asyncio.sleep(0.002)

    def output(self) -> str:
        """Everything the bot printed so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""
