"""A fake Telegram Bot API served over real HTTP on 127.0.0.1, for end-to-end tests."""

from tests.fakebot.server import Call, FakeBotApi, FakeUser

__all__ = ["Call", "FakeBotApi", "FakeUser"]
