"""A fake Telegram Bot API: one transport-free core, reached over HTTP or in process."""

from tests.fakebot.core import Call, FakeTelegram, FakeUser
from tests.fakebot.server import FakeBotApi
from tests.fakebot.transport import InProcessRequest

__all__ = ["Call", "FakeBotApi", "FakeTelegram", "FakeUser", "InProcessRequest"]
