"""Polling survives Telegram refusing getUpdates itself: a flood wait, a refusal, a 5xx."""

from __future__ import annotations

from tests.fakebot import FakeUser
from tests.harness import Harness

NEDA = FakeUser(66_666_666, "Neda", "neda_ml")


async def test_the_bot_keeps_polling_through_refused_getupdates(harness: Harness) -> None:
    await harness.caught_up(NEDA)
    harness.api.fail_next("getUpdates", 429, retry_after=1)
    harness.api.fail_next("getUpdates", 400, description="Bad Request: something odd")
    harness.api.fail_next("getUpdates", 502)
    reply = await harness.say(NEDA, "/help")
    assert reply.result is not None
    assert harness._polling is not None
    assert not harness._polling.done()  # still polling, not stopped on an error
