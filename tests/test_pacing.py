"""The bulk-send pacer: a sliding window never lets more than its count through per window."""

from bot.handlers.pacing import Pacer


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
