"""Group commit for poll answers: the answers that arrive together are written together.

An answer on its own costs a transaction (the BEGIN, a handful of statements, a COMMIT and
their trips to the driver's thread) for a few microseconds of real work. Handlers that run
concurrently hand their votes to one `AnswerBatcher`; it gathers them for at most `window`
seconds (less when the event loop runs out of ready handlers first, or `size` are waiting),
writes the whole batch at once (one transaction; on PostgreSQL a batch of plain quiz answers
is one statement, atomic by itself), and only once it is committed resolves each handler's
future with its outcome. A handler therefore never
replies to, nor settles, an answer that is not durable yet.

On SQLite a batch of plain quiz answers goes to a thread of the batcher's own in one trip
(`answer_batch_alone_sync`: the SELECT, the writes and the COMMIT there, on a connection of
its own, in its turn among the process's writers). The async driver would take each
statement to its thread and back, three or four hops a statement and 15 a batch; with the
hops gone the event loop spends about 0.5 ms of a 50-vote batch instead of 5 and handles
the next updates meanwhile (the thread holds the GIL only while in Python).

One batch is written at a time: while it is, the next one gathers. When a batch fails, each
of its votes is written again on its own, so one bad answer fails only its
own update (whose handler raises, and the error handler reports it as for any update).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import metrics
from bot.db.engine import create_sqlite_thread_engine, sqlite_write_turn
from bot.metrics import AnswerKind
from bot.services.learning.answers import (
    Vote,
    answer_batch,
    answer_batch_alone,
    answer_batch_alone_sync,
    read_batch,
)

log = logging.getLogger(__name__)

WINDOW_SECONDS = 0.005
BATCH_SIZE = 200

_Waiting = tuple[Vote, "asyncio.Future[object]", float]


class AnswerBatcher:
    """Collects votes from concurrent handlers and commits them a batch at a time."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        window: float = WINDOW_SECONDS,
        size: int = BATCH_SIZE,
    ) -> None:
        self.sessions = sessions
        self.window = window
        self.size = size
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # how many batches were written (tests and benches read it)
        # On PostgreSQL a batch of plain quiz answers is one statement, atomic by itself: it
        # runs on a connection in autocommit, without a BEGIN and a COMMIT of its own.
        bind = sessions.kw.get("bind")
        self._engine = bind if isinstance(bind, AsyncEngine) else None
        self._autocommit = (
            self._engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._engine is not None and self._engine.dialect.name == "postgresql"
            else None
        )
        # On SQLite (a file): the batches' own connection, and the one thread that uses it.
        self._thread_engine: Engine | None = (
            create_sqlite_thread_engine(self._engine) if self._engine is not None else None
        )
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer-batches")
            if self._thread_engine is not None
            else None
        )

    async def submit(self, vote: Vote) -> object:
        """Record `vote` with the others of its batch; its outcome once the batch committed."""
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)
        self._waiting.append((vote, future, time.monotonic()))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="answer-batches")
        # Shielded: a handler cancelled while waiting does not take the batch's result away
        # from the others; its vote is written (or not) with them all the same.
        return await asyncio.shield(future)

    async def _write_all(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                await self._gather()
                batch, self._waiting = self._waiting[: self.size], self._waiting[self.size :]
                await self._write(batch)
                batch = []
        except BaseException as error:  # cancelled (shutdown): no vote waits for ever
            for _vote, future, _at in [*batch, *self._waiting]:
                if future.done():
                    continue
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
            self._waiting = []
            raise

    async def _gather(self) -> None:
        """Let the batch grow until it is full, its window is over, or a pass of the event
        loop brought no vote: every handler that was ready has had its turn, and waiting
        longer would only delay these. (Votes that come meanwhile form the next batch while
        this one commits.)"""
        deadline = self._waiting[0][2] + self.window
        while len(self._waiting) < self.size and time.monotonic() < deadline:
            seen = len(self._waiting)
            await asyncio.sleep(0)
            if len(self._waiting) == seen:
                return

    async def _write(self, batch: Sequence[_Waiting]) -> None:
        votes = [vote for vote, _future, _at in batch]
        try:
            outcomes = await self._commit(votes)
        except Exception as error:
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(error)
                return
            log.warning("a batch of %d answers failed; writing them one by one", len(batch))
            for waiting in batch:
                await self._write([waiting])
            return
        self.batches += 1
        for kind, count in Counter(kind for _outcome, kind in outcomes).items():
            metrics.count_answers(kind, count)
        for (_vote, future, _at), (outcome, _kind) in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)

    async def _commit(self, votes: Sequence[Vote]) -> list[tuple[object, AnswerKind]]:
        """Write the votes; their outcomes once durable."""
        read = None
        if self._thread_engine is not None and self._engine is not None:
            async with sqlite_write_turn(self._engine):
                alone = await asyncio.get_running_loop().run_in_executor(
                    self._thread, self._in_thread, self._thread_engine, votes
                )
            if alone is not None:
                return alone
        elif self._autocommit is not None:
            async with self._autocommit.connect() as connection:
                read = await read_batch(connection, votes)
                outcomes = await answer_batch_alone(connection, read, votes)
            if outcomes is not None:
                return outcomes
        async with self.sessions.begin() as session:
            return await answer_batch(session, votes, read)

    @staticmethod
    def _in_thread(engine: Engine, votes: Sequence[Vote]) -> list[tuple[object, AnswerKind]] | None:
        """A batch of plain quiz answers in one transaction; None (nothing written) if it is
        not one."""
        with engine.begin() as connection:
            return answer_batch_alone_sync(connection, votes)

    async def close(self) -> None:
        """Close the batches' own SQLite connection (in its thread) and that thread; a batch
        written after it goes the async driver's way."""
        thread, engine = self._thread, self._thread_engine
        self._thread = self._thread_engine = None
        if thread is None or engine is None:
            return
        await asyncio.get_running_loop().run_in_executor(thread, engine.dispose)
        thread.shutdown(wait=True)


def _retrieved(future: asyncio.Future[object]) -> None:
    """Mark a vote's exception as seen: its handler, if cancelled meanwhile, never will."""
    if not future.cancelled():
        future.exception()
