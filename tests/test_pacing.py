"""Sending inside Telegram's limits (bot/pacing.py), proven on a virtual clock.

Many senders run at once on an event loop whose clock only moves when every task waits: each
send is stamped with the moment it really went out, and every sliding window is checked over
those stamps. Each limiter test runs twice: with the windows in memory, and in the real
Redis (bot/pacing_redis.py) as several bot processes share them; the clock then also waits
for Redis' answers before it moves.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from redis.asyncio import Redis
from telegram.error import RetryAfter

from bot.handlers.pacing import Pacer
from bot.pacing import Limit, MemoryWindows, PacingLimiter, Slot
from bot.pacing_redis import RedisWindows

REDIS_URL = "redis://127.0.0.1:6379/6"
T = TypeVar("T")


class VirtualClock:
    """Time that advances to the next sleeper's wake-up once every task is waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.busy = 0  # round trips to Redis under way: real time the clock must not skip

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        await future

    async def run(self, work: Awaitable[Any]) -> Any:
        task = asyncio.ensure_future(work)
        while not task.done():
            for _ in range(20):  # let every ready task run until it waits
                await asyncio.sleep(0)
            if self.busy:
                await asyncio.sleep(0.0005)
                continue
            if self._sleepers and not task.done():
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                future.set_result(None)
        return task.result()


def most_in_any_window(stamps: list[float], seconds: float) -> int:
    """The largest number of stamps inside any interval [t, t + seconds)."""
    ordered = sorted(stamps)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, sum(1 for t in ordered[i:] if t < start + seconds - 1e-9))
    return best


class Recorder:
    """A fake Bot API call: stamps each send with the clock, may answer 429 first."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, int, float]] = []  # chat, sequence number, moment
        self.flood: dict[str, int] = {}  # chat → seconds of the one 429 it gets

    def call(self, chat: str, number: int, travel: float = 0.0) -> Callable[[], Awaitable[bool]]:
        """The send; it arrives (is stamped) `travel` seconds after it left, then is answered."""

        async def send() -> bool:
            if travel:
                await self.clock.sleep(travel)
            if chat in self.flood:
                raise RetryAfter(timedelta(seconds=self.flood.pop(chat)))
            self.sent.append((chat, number, self.clock()))
            return True

        return send


async def send_all(limiter: PacingLimiter, recorder: Recorder, plan: list[str]) -> None:
    """Send one message per entry of `plan` (a chat id), all at once, each chat in order."""
    numbers: dict[str, itertools.count[int]] = defaultdict(itertools.count)

    async def one(chat: str, number: int) -> None:
        await limiter.process_request(
            recorder.call(chat, number), (), {}, "sendMessage", {"chat_id": chat}, None
        )

    await asyncio.gather(*(one(chat, next(numbers[chat])) for chat in plan))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


class Tracked:
    """The Redis windows, telling the virtual clock while a round trip is under way."""

    def __init__(self, inner: RedisWindows, clock: VirtualClock) -> None:
        self.inner = inner
        self.clock = clock

    async def _busy(self, work: Awaitable[T]) -> T:
        self.clock.busy += 1
        try:
            return await work
        finally:
            self.clock.busy -= 1

    async def reserve(self, limits: dict[str, Limit], after: float) -> Slot:
        return await self._busy(self.inner.reserve(limits, after))

    async def earliest(self, limits: dict[str, Limit], after: float) -> Slot:
        return await self._busy(self.inner.earliest(limits, after))

    async def reslot(self, limits: dict[str, Limit], slot: Slot) -> Slot:
        return await self._busy(self.inner.reslot(limits, slot))

    async def sent(self, limits: dict[str, Limit], slot: Slot) -> None:
        await self._busy(self.inner.sent(limits, slot))

    async def hold(self, key: str, seconds: float) -> None:
        await self._busy(self.inner.hold(key, seconds))


class TrackedLimiter(PacingLimiter):
    """A limiter whose sends count as busy from asking for a slot until they have it.

    Waiting for the reservation lock counts too: a send whose turn came just as the clock
    looked must not find the clock moved on.
    """

    def __init__(self, clock: VirtualClock, store: Tracked) -> None:
        super().__init__(clock=clock, sleep=clock.sleep, store=store)
        self.virtual = clock

    async def slot(self, chat: str | None) -> Slot:
        self.virtual.busy += 1
        try:
            return await super().slot(chat)
        finally:
            self.virtual.busy -= 1


Limiters = Callable[[], PacingLimiter]


@pytest.fixture(params=["memory", "redis"])
async def limiters(request: pytest.FixtureRequest, clock: VirtualClock) -> AsyncIterator[Limiters]:
    """Makes limiters on the clock; with Redis, all of one test share the windows (processes)."""
    if request.param == "memory":
        yield lambda: PacingLimiter(clock=clock, sleep=clock.sleep)
        return
    redis = Redis.from_url(REDIS_URL)
    prefix = f"quizbot:pace:{{test-{uuid.uuid4().hex[:8]}}}"

    def make() -> PacingLimiter:
        return TrackedLimiter(clock, Tracked(RedisWindows(redis, prefix, clock=clock), clock))

    try:
        yield make
    finally:
        keys = [key async for key in redis.scan_iter(match=prefix.replace("{", "[{]") + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_every_window_holds_overall_per_group_and_per_private_chat(
    clock: VirtualClock, limiters: Limiters
) -> None:
    limiter = limiters()
    recorder = Recorder(clock)
    channels = [f"-100{n}" for n in range(5)]
    privates = [str(1_000 + n) for n in range(40)]
    # 5 channels × 30 posts and 40 learners × 5 messages, all asked for at the same moment.
    plan = [chat for chat in channels for _ in range(30)] + [c for c in privates for _ in range(5)]
    await clock.run(send_all(limiter, recorder, plan))

    assert len(recorder.sent) == len(plan)
    everything = [moment for _, _, moment in recorder.sent]
    assert most_in_any_window(everything, 1.0) <= 30
    by_chat: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for chat, number, moment in recorder.sent:
        by_chat[chat].append((number, moment))
    for chat in channels:
        assert most_in_any_window([m for _, m in by_chat[chat]], 60.0) <= 20
    for chat in privates:
        assert most_in_any_window([m for _, m in by_chat[chat]], 1.0) <= 1
    for sends in by_chat.values():  # each chat's messages went out in the order asked
        assert [number for number, _ in sends] == sorted(number for number, _ in sends)
    # Nothing waited longer than the limits make it: a channel's 21st post goes out the moment
    # its first leaves the minute's window; the learners' fifth message within seconds.
    for chat in channels:
        moments = [moment for _, moment in sorted(by_chat[chat])]
        for early, late in zip(moments, moments[20:], strict=False):
            assert late == pytest.approx(early + 60.0)
    assert max(m for chat in privates for _, m in by_chat[chat]) <= 12.0


async def test_a_chat_held_by_its_limit_never_holds_up_another(
    clock: VirtualClock, limiters: Limiters
) -> None:
    limiter = limiters()
    recorder = Recorder(clock)
    # A channel's 21st post must wait a minute; a learner's message asked for after it must not.
    await clock.run(send_all(limiter, recorder, ["-1001"] * 21 + ["42"]))
    moments = {(chat, number): moment for chat, number, moment in recorder.sent}
    assert moments[("-1001", 20)] >= 60.0
    assert moments[("42", 0)] <= 1.0


async def test_a_429_holds_back_only_its_chat_then_the_send_is_retried(
    clock: VirtualClock, limiters: Limiters
) -> None:
    limiter = limiters()
    recorder = Recorder(clock)
    recorder.flood["7"] = 5
    await clock.run(send_all(limiter, recorder, ["7", "8", "8"]))
    moments = {(chat, number): moment for chat, number, moment in recorder.sent}
    assert moments[("7", 0)] >= 5.0  # waited as Telegram said, then delivered
    assert moments[("8", 0)] == 0.0
    assert moments[("8", 1)] == pytest.approx(1.0)


class LateClock(VirtualClock):
    """A virtual clock whose sleepers wake `late` seconds after their time (a busy loop)."""

    def __init__(self, late: float) -> None:
        super().__init__()
        self.late = late

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + self.late)


async def test_a_chat_keeps_its_order_and_limit_when_the_loop_wakes_late() -> None:
    clock = LateClock(0.3)
    limiter = PacingLimiter(clock=clock, sleep=clock.sleep)
    recorder = Recorder(clock)
    # Two learners' messages asked for at once, their chats' slots side by side.
    await clock.run(send_all(limiter, recorder, ["5", "6"] * 6))
    assert len(recorder.sent) == 12
    for chat in ("5", "6"):
        sends = [(number, moment) for sent_to, number, moment in recorder.sent if sent_to == chat]
        assert [number for number, _ in sends] == list(range(6))
        assert most_in_any_window([moment for _, moment in sends], 1.0) <= 1


async def test_a_send_still_under_way_is_never_crowded_when_it_arrives(
    clock: VirtualClock, limiters: Limiters
) -> None:
    first = limiters()
    # In memory: one process sends both; in Redis: a second process sharing the windows.
    second = first if isinstance(first.store, MemoryWindows) else limiters()
    recorder = Recorder(clock)

    async def send(limiter: PacingLimiter, chat: str, number: int, travel: float) -> None:
        await limiter.process_request(
            recorder.call(chat, number, travel), (), {}, "sendMessage", {"chat_id": chat}, None
        )

    async def later(seconds: float, work: Awaitable[None]) -> None:
        await clock.sleep(seconds)
        await work

    # 30 learners' messages leave at once and take 1.5 s to arrive (a stalled process, a slow
    # link); a 31st asked for just after, and another message to the first learner from the
    # other sender, travel at once. Counted at their moments, they would arrive among the 30.
    slow = [send(first, str(3_000 + n), 0, 1.5) for n in range(30)]
    await clock.run(
        asyncio.gather(
            *slow,
            later(0.1, send(second, "3999", 0, 0.0)),
            later(0.1, send(second, "3000", 1, 0.0)),
        )
    )

    assert len(recorder.sent) == 32
    assert most_in_any_window([moment for _, _, moment in recorder.sent], 1.0) <= 30
    to_first = [moment for chat, _, moment in recorder.sent if chat == "3000"]
    assert most_in_any_window(to_first, 1.0) <= 1


async def test_sends_that_take_time_to_arrive_still_go_at_the_full_rate(
    clock: VirtualClock, limiters: Limiters
) -> None:
    limiter = limiters()
    recorder = Recorder(clock)

    async def send(chat: str) -> None:
        await limiter.process_request(
            recorder.call(chat, 0, 0.05), (), {}, "sendMessage", {"chat_id": chat}, None
        )

    # 90 learners' quizzes asked for at once, each taking 50 ms to arrive and be answered: a
    # second's 30 are counted when answered, so the next 30 may leave 1.05 s after the first.
    await clock.run(asyncio.gather(*(send(str(4_000 + n)) for n in range(90))))

    moments = sorted(moment for _, _, moment in recorder.sent)
    assert len(moments) == 90
    assert most_in_any_window(moments, 1.0) <= 30
    # Three waves, each as soon as the one before it was answered. (Slots reserved for the
    # later waves were taken by moments those answers then moved; every send that found its
    # slot gone went to the back of the line: the third wave left at 3.05 s.)
    assert moments[-1] == pytest.approx(2 * 1.05 + 0.05, abs=0.01)


async def test_reads_and_button_answers_are_not_paced(clock: VirtualClock) -> None:
    limiter = PacingLimiter(clock=clock, sleep=clock.sleep)
    recorder = Recorder(clock)

    async def burst() -> None:
        for number in range(50):
            await limiter.process_request(
                recorder.call("7", number), (), {}, "answerCallbackQuery", {"chat_id": "7"}, None
            )

    await clock.run(burst())
    assert {moment for _, _, moment in recorder.sent} == {0.0}


@pytest.mark.parametrize("limiters", ["redis"], indirect=True)
async def test_three_processes_sharing_redis_keep_every_limit_together(
    clock: VirtualClock, limiters: Limiters
) -> None:
    processes = [limiters() for _ in range(3)]
    recorder = Recorder(clock)
    channels = [f"-100{n}" for n in range(3)]
    privates = [str(2_000 + n) for n in range(20)]
    # Each process alone would stay within the limits; together they would triple them.
    plan = [chat for chat in channels for _ in range(10)] + [c for c in privates for _ in range(3)]
    await clock.run(asyncio.gather(*(send_all(process, recorder, plan) for process in processes)))

    assert len(recorder.sent) == 3 * len(plan)
    assert most_in_any_window([moment for _, _, moment in recorder.sent], 1.0) <= 30
    by_chat: dict[str, list[float]] = defaultdict(list)
    for chat, _, moment in recorder.sent:
        by_chat[chat].append(moment)
    assert all(most_in_any_window(by_chat[chat], 60.0) <= 20 for chat in channels)
    assert all(most_in_any_window(by_chat[chat], 1.0) <= 1 for chat in privates)
    # And no longer than they must: a channel's 21st post the moment its first leaves the
    # minute's window, whichever process sent which.
    for chat in channels:
        moments = sorted(by_chat[chat])
        for early, late in zip(moments, moments[20:], strict=False):
            assert late == pytest.approx(early + 60.0)


@pytest.mark.parametrize("limiters", ["redis"], indirect=True)
async def test_a_429_one_process_got_holds_the_chat_for_the_others(
    clock: VirtualClock, limiters: Limiters
) -> None:
    first, second = limiters(), limiters()
    recorder = Recorder(clock)
    recorder.flood["7"] = 5
    await clock.run(send_all(first, recorder, ["7"]))
    await clock.run(send_all(second, recorder, ["7"]))
    moments = sorted(moment for _, _, moment in recorder.sent)
    assert len(moments) == 2
    assert moments[0] >= 5.0  # the first process waited as Telegram said
    assert moments[1] >= moments[0] + 1.0  # the second one knew of the hold and the window


# --- the bulk pacer: reminders leave room under the limits for answers to updates ----


class FakeTime:
    """A monotonic clock that moves only when the pacer sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_no_window_holds_more_sends_than_the_limit() -> None:
    time = FakeTime()
    pacer = Pacer(count=20, window=1.0, clock=time, sleep=time.sleep)
    sent = []
    for _ in range(65):
        await pacer.wait()
        sent.append(time.now)
        time.now += 0.001  # a send takes a moment
    assert time.slept  # it did hold back: no burst as a token bucket allows
    for start in sent:
        assert len([t for t in sent if start <= t < start + 1.0]) <= 20
    assert sent[-1] < 3.2  # and it kept to the rate rather than crawling


async def test_sends_slower_than_the_limit_never_wait() -> None:
    time = FakeTime()
    pacer = Pacer(count=20, window=1.0, clock=time, sleep=time.sleep)
    for _ in range(50):
        await pacer.wait()
        time.now += 0.06
    assert time.slept == []
