"""One scheduler pass: fill slots, close interrupted claims, send due posts, tell admins.

Sending runs in lanes, one per channel with posts due, all channels at once (the Broadcaster,
one per process). A lane claims its channel's next post only when the send may go out at once,
sends it, records what became of it, and goes on until nothing of its channel is due: a
channel's posts go out in schedule order (their numbers in that order), and a channel waiting
on its own limit or a 429 waits alone, holding neither a claim nor a place. A pass that finds
a lane running has it look once more before it ends, so a post that fell due meanwhile is
never left for the next tick, and never sent twice (the claims see to that, here and in other
processes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channel_engine import claims, notices
from bot.channel_engine.render import RenderedQuiz
from bot.channel_engine.sender import AdminNotifier, ChannelSender, DeliveryError, Sent
from bot.db.models import NoticeKind
from bot.services.channel import planning

log = logging.getLogger(__name__)

# Posts of one process between their claim and Telegram's answer, at most: what a crash can
# leave in doubt. Ten keep 30 sends a second going when a send takes up to a third of a second.
IN_FLIGHT = 10

T = TypeVar("T")
Sessions = async_sessionmaker[AsyncSession]
Write = Callable[[AsyncSession], Awaitable[T]]


async def _send(sender: ChannelSender, claim: claims.Claimed) -> Sent:
    if isinstance(claim.content, RenderedQuiz):
        sent = await sender.send_quiz(claim.chat_id, claim.content, claim.silent)
        if claim.pin:
            try:
                await sender.pin(claim.chat_id, sent.message_id)
            except DeliveryError as error:  # pinning is a nicety, posting is not
                log.warning("could not pin post %s: %s", claim.post_id, error)
        return sent
    return await sender.send_text(claim.chat_id, claim.content, claim.silent)


@dataclass(frozen=True)
class _Work:
    """What a lane sends with: the pass that started it."""

    sessions: async_sessionmaker[AsyncSession]
    sender: ChannelSender
    clock: Callable[[], datetime]
    worker: str


@dataclass
class _Lane:
    task: asyncio.Task[int] | None = None
    # A pass found the channel due while this lane ran: look once more before ending.
    again: bool = False
    # Between its claim and its record: not to be interrupted (a stop waits for it).
    holding: bool = False


class _Writer:
    """The lanes' transactions, taken together: what lanes ask for meanwhile goes into one.

    Each claim still commits before its send and each record after it; one transaction for
    many saves their begins and commits (and on SQLite, writers waiting on each other's lock).
    Should the shared one fail, each piece is done alone, so one bad piece fails only itself.
    """

    def __init__(self) -> None:
        self._queue: list[tuple[Sessions, Write[Any], asyncio.Future[Any]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def run(self, sessions: Sessions, write: Write[T]) -> T:
        """Do `write` in a transaction (perhaps shared); its result once committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((sessions, write, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name="channel lane writes")
        return await future

    async def _drain(self) -> None:
        while self._queue:
            sessions = self._queue[0][0]
            batch = [entry for entry in self._queue if entry[0] is sessions]
            self._queue = [entry for entry in self._queue if entry[0] is not sessions]
            try:
                async with sessions.begin() as session:
                    results = [await write(session) for _, write, _ in batch]
            except Exception:
                for _, write, future in batch:
                    await self._alone(sessions, write, future)
                continue
            for (_, _, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    @staticmethod
    async def _alone(sessions: Sessions, write: Write[Any], future: asyncio.Future[Any]) -> None:
        try:
            async with sessions.begin() as session:
                result = await write(session)
        except Exception as error:
            if not future.done():
                future.set_exception(error)
        else:
            if not future.done():
                future.set_result(result)


class Broadcaster:
    """This process's channel lanes (see the module doc); one per process, in its Runtime."""

    def __init__(self, in_flight: int = IN_FLIGHT) -> None:
        self._lanes: dict[int, _Lane] = {}
        self._places = asyncio.Semaphore(in_flight)
        self._closing = False
        # One pass at a time prepares (slots, stale claims, lanes) and tells admins: a notice
        # is read, told and marked in steps, and two passes at once would tell it twice.
        self.lock = asyncio.Lock()
        self._writer = _Writer()
        # Posts claimed by this process whose result is not recorded yet: not interrupted.
        self.sending: set[int] = set()

    def open(self, work: _Work, channels: Iterable[tuple[int, int]]) -> list[asyncio.Task[int]]:
        """A lane for each channel (id, chat id) that has none; the new lanes' tasks."""
        started = []
        for channel_id, chat_id in channels:
            if self._closing:
                break
            running = self._lanes.get(channel_id)
            if running is not None:
                running.again = True
                continue
            lane = self._lanes[channel_id] = _Lane()
            lane.task = asyncio.create_task(
                self._run(work, channel_id, chat_id, lane), name=f"channel lane {channel_id}"
            )
            started.append(lane.task)
        return started

    async def idle(self) -> None:
        """Wait until no lane runs (those started meanwhile too)."""
        while tasks := [lane.task for lane in self._lanes.values() if lane.task is not None]:
            await asyncio.wait(tasks)

    async def close(self) -> None:
        """Stop sending: no new claim; a post being sent is finished and recorded."""
        self._closing = True
        for lane in self._lanes.values():
            if lane.task is not None and not lane.holding:
                lane.task.cancel()  # waiting for its turn, it holds nothing
        await self.idle()

    async def _run(self, work: _Work, channel_id: int, chat_id: int, lane: _Lane) -> int:
        sent = 0
        try:
            while True:
                outcome = await self._next(work, channel_id, chat_id, lane)
                if outcome is None:
                    if lane.again and not self._closing:
                        lane.again = False
                        continue
                    return sent  # nothing awaits between this look and the lane's end
                sent += outcome
        except asyncio.CancelledError:
            return sent
        except Exception:
            log.exception("channel %s: sending stopped; the next pass goes on", channel_id)
            return sent
        finally:
            if self._lanes.get(channel_id) is lane:
                del self._lanes[channel_id]

    async def _next(self, work: _Work, channel_id: int, chat_id: int, lane: _Lane) -> int | None:
        """Send the channel's next due post: 1 sent, 0 not (failed), None when none is due."""
        sender = work.sender
        # The channel's own limit (20 a minute) or a 429's hold: wait holding nothing.
        while (wait := await sender.free_in(chat_id, own_only=True)) > 0:
            async with work.sessions.begin() as session:
                if not await claims.has_due(session, channel_id, work.clock()):
                    return None
            await sender.pause(wait)
        claim: claims.Claimed | None = None
        await self._places.acquire()
        placed = True
        try:
            # The overall limit: at most IN_FLIGHT lanes wait here, so no claim waits long.
            while (wait := await sender.free_in(chat_id)) > 0:
                await sender.pause(wait)
            if self._closing:
                return None
            lane.holding = True
            claim = await self._writer.run(
                work.sessions,
                lambda session: claims.claim_next(session, work.clock(), work.worker, channel_id),
            )
            if claim is None:
                return None
            self.sending.add(claim.post_id)
            try:
                result: Sent | DeliveryError = await _send(sender, claim)
            except DeliveryError as error:
                result = error
            self._places.release()  # Telegram answered: the place is another lane's
            placed = False
            await self._writer.run(work.sessions, partial(_record, claim.post_id, result, work))
            return 0 if isinstance(result, DeliveryError) else 1
        finally:
            if placed:
                self._places.release()
            lane.holding = False
            if claim is not None:
                self.sending.discard(claim.post_id)


async def _record(
    post_id: int, result: Sent | DeliveryError, work: _Work, session: AsyncSession
) -> None:
    if isinstance(result, DeliveryError):
        await claims.mark_failed(session, post_id, result, work.clock())
    else:
        await claims.mark_sent(session, post_id, result, work.clock())


async def publish_due(
    sessions: async_sessionmaker[AsyncSession],
    sender: ChannelSender,
    notifier: AdminNotifier,
    clock: Callable[[], datetime],
    worker: str,
    broadcaster: Broadcaster | None = None,
    *,
    wait: bool = True,
) -> int:
    """Run one pass; return how many posts the lanes it started sent.

    Each post is claimed and rendered in one transaction, sent, and its result recorded in
    a second: the only work between the two is the call to Telegram. With `wait` the pass
    returns once no lane of the process runs (every post due at its start is done with) and
    the admins were told; without, it returns at once (the scheduler job: a tick must never
    wait for sends) and what the lanes record is told by the next pass.
    """
    broadcaster = broadcaster or Broadcaster()
    async with broadcaster.lock:
        now = clock()
        async with sessions.begin() as session:
            for shortage in await planning.fill_slots(session, now):
                await notices.add(
                    session,
                    NoticeKind.SHORTAGE,
                    shortage.channel_id,
                    shortage.due_at,
                    f"shortage:{shortage.slot_id}:{shortage.due_at.isoformat()}",
                    now,
                    item_kind=shortage.kind,
                )
            await claims.mark_interrupted(session, now, broadcaster.sending)
            due = await claims.due_channels(session, now)
        started = broadcaster.open(_Work(sessions, sender, clock, worker), due)
    sent = 0
    if wait:
        sent = sum(await asyncio.gather(*started))
        await broadcaster.idle()
    async with broadcaster.lock:
        await deliver_notices(sessions, notifier, clock)
    return sent


async def deliver_notices(
    sessions: async_sessionmaker[AsyncSession],
    notifier: AdminNotifier,
    clock: Callable[[], datetime],
) -> None:
    """Tell admins every pending notice; what could not be told stays for the next pass."""
    async with sessions.begin() as session:
        pending = await notices.pending(session)
    for notice in pending:
        told = await notifier.notify(notice)
        if told is None:
            continue  # no one to tell yet: nothing was tried
        async with sessions.begin() as session:
            await notices.settle(session, notice.id, told, clock())
