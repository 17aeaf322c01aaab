"""Webhook mode in process: the real bot's aiohttp server, the fake Bot API POSTing to it.

The fake delivers as Telegram does (bot/webhook.py's module doc): the secret token in its
header, a chat's updates one after another, anything but a 2xx sent again. The bot answers
an update only once it has settled, so what the fake saw acknowledged is what is stored.
Three real processes behind a proxy are in tests/test_webhook_processes.py.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text

from bot.app import build_application, serve
from bot.config import Settings, Webhook
from bot.db.engine import create_engine
from bot.db.models import LearnerAnswer
from bot.runtime import Runtime
from bot.shared import shared_runtime
from bot.webhook import MAX_FAILURES
from tests.fakebot import FakeBotApi, FakeUser
from tests.harness import HASH_KEY, TOKEN, paced_for_tests

SECRET = "s3cret-token_for-the-webhook-tests"
MINA = FakeUser(44_444_444, "Mina")
REDIS_URL = "redis://127.0.0.1:6379/6"

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class WebhookBot:
    api: FakeBotApi
    runtime: Runtime
    base: str  # the bot's own server
    webhook: Webhook
    stop: asyncio.Event
    serving: asyncio.Task[None]

    async def count_answers(self) -> int:
        async with self.runtime.sessions() as session:
            return await session.scalar(select(func.count()).select_from(LearnerAnswer)) or 0

    async def post(self, body: bytes, secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.base + self.webhook.path, data=body, headers=headers) as response,
        ):
            return response.status


@pytest.fixture
async def webhook_bot(tmp_path: Path, sample_bank_url: str) -> AsyncIterator[WebhookBot]:
    api = FakeBotApi(TOKEN)
    await api.start()
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_url=api.url,
        database_url=sample_bank_url,
        answer_hash_key=HASH_KEY.decode(),
        content_dir=tmp_path,
        redis_url=REDIS_URL,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        webhook_port=port,
        scheduler_interval_seconds=3600.0,
        demo_warmup=False,
    )
    webhook = settings.require_webhook()
    engine = create_engine(sample_bank_url)
    runtime = shared_runtime(settings, engine, HASH_KEY, TOKEN)
    app = build_application(runtime, TOKEN, pacing=paced_for_tests(api))
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(app, stop, webhook))
    try:
        waiting = asyncio.ensure_future(api.wait_for("setWebhook", patience=30))
        await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            waiting.cancel()
            serving.result()  # the bot failed to start: its error
        await waiting
        yield WebhookBot(api, runtime, f"http://127.0.0.1:{port}", webhook, stop, serving)
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)
        await api.stop()
        await engine.dispose()
        if runtime.redis is not None:
            await runtime.redis.aclose()


async def test_updates_arrive_as_posts_and_are_acknowledged_once_stored(
    webhook_bot: WebhookBot,
) -> None:
    api = webhook_bot.api
    hook = api.calls_of("setWebhook")[-1].params
    assert hook["url"] == webhook_bot.webhook.url
    assert hook["secret_token"] == SECRET
    assert set(hook["allowed_updates"]) >= {"poll_answer", "poll", "message", "chat_member"}
    # Telegram refuses long polling while a webhook is set.
    status, body = await api.dispatch("getUpdates", {}, {})
    assert status == 409
    assert "webhook is active" in body["description"]

    since = api.mark()
    await api.send_text(MINA, "/quiz cnn")
    poll = await api.wait_for("sendPoll", since=since)
    poll_id = str(poll.result["poll"]["id"]) if poll.result else ""
    await api.answer_poll(MINA, poll_id, [0])
    await api.wait_delivered()  # the answer was acknowledged: it is stored by then
    assert await webhook_bot.count_answers() == 1
    assert {status for _, status in api.webhook_attempts} == {200}

    # Telegram sends the answer again (its 200 was lost on the way): stored once still.
    answer = api.poll_answer_update(MINA, poll_id, [0])
    assert await webhook_bot.post(json.dumps(answer).encode()) == 200
    assert await webhook_bot.count_answers() == 1


async def database_refuses_answers(url: str, refuse: bool) -> None:
    """A fault of the database itself (a trigger refusing new answers, as a full disk would)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if refuse:
                await connection.execute(
                    text(
                        "CREATE TRIGGER refuse_answers BEFORE INSERT ON learner_answers "
                        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                    )
                )
            else:
                await connection.execute(text("DROP TRIGGER refuse_answers"))
    finally:
        await engine.dispose()


async def quiz_poll_of(api: FakeBotApi, user: FakeUser) -> str:
    since = api.mark()
    await api.send_text(user, "/quiz cnn")
    poll = await api.wait_for("sendPoll", since=since)
    await api.wait_delivered()
    return str(poll.result["poll"]["id"]) if poll.result else ""


async def answer(api: FakeBotApi, user: FakeUser, poll_id: str) -> int:
    """`user` answers the poll; the update's id."""
    await api.answer_poll(user, poll_id, [0])
    return int(api.pending()[-1]["update_id"])


async def test_an_answer_the_database_refused_is_sent_again_and_stored_once_it_can_be(
    webhook_bot: WebhookBot, sample_bank_url: str
) -> None:
    api = webhook_bot.api
    api.webhook_retry_seconds = (0.3,)
    poll_id = await quiz_poll_of(api, MINA)
    await database_refuses_answers(sample_bank_url, True)
    update_id = await answer(api, MINA, poll_id)
    assert await api.attempts_of(update_id, 1) == [500]  # send it again
    await database_refuses_answers(sample_bank_url, False)
    await api.wait_delivered()
    assert (await api.attempts_of(update_id, 2))[-1] == 200
    assert await webhook_bot.count_answers() == 1


async def test_an_update_that_keeps_failing_is_given_up_rather_than_blocking_its_chat(
    webhook_bot: WebhookBot, sample_bank_url: str
) -> None:
    api = webhook_bot.api
    poll_id = await quiz_poll_of(api, MINA)
    await database_refuses_answers(sample_bank_url, True)
    update_id = await answer(api, MINA, poll_id)
    await api.wait_delivered()
    # The database answers (it is up): a fault in handling this one update, not an outage.
    assert await api.attempts_of(update_id, MAX_FAILURES) == [500] * (MAX_FAILURES - 1) + [200]
    since = api.mark()
    await api.send_text(MINA, "/help")  # the learner's next message is not held up
    await api.wait_for("sendMessage", since=since)
    assert await webhook_bot.count_answers() == 0


async def test_a_post_without_the_secret_is_refused_and_an_unreadable_one_skipped(
    webhook_bot: WebhookBot,
) -> None:
    api = webhook_bot.api
    since = api.mark()
    update = json.dumps(api.text_update(MINA, "/quiz cnn")).encode()
    assert await webhook_bot.post(update, secret=None) == 403
    assert await webhook_bot.post(update, secret="not-" + SECRET) == 403
    assert api.calls[since:] == []  # nothing was handled
    # Telegram would send an update we cannot read forever: it is logged and answered 200.
    assert await webhook_bot.post(b"{not json") == 200
    assert await webhook_bot.post(json.dumps({"update_id": "x", "message": 5}).encode()) == 200
    assert api.calls[since:] == []


async def test_healthz_and_metrics_are_served_beside_the_webhook(
    webhook_bot: WebhookBot,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(webhook_bot.base + "/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
        async with session.get(webhook_bot.base + "/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain")
            assert "quizbot_answers_total" in await response.text()
        # Only POSTs carry updates.
        async with session.get(webhook_bot.base + webhook_bot.webhook.path) as response:
            assert response.status == 405


async def test_a_stop_finishes_the_update_in_hand_and_takes_no_new_one(
    webhook_bot: WebhookBot,
) -> None:
    api = webhook_bot.api
    api.fail_next("sendPoll", 200, delay=1.0)  # Telegram is slow with this one
    await api.send_text(MINA, "/quiz cnn")
    poll = await api.wait_for("sendPoll")  # the update is in hand (its 200 may have gone)
    webhook_bot.stop.set()  # SIGTERM
    await api.send_text(MINA, "/help")  # comes during the stop
    await asyncio.wait_for(webhook_bot.serving, 30)
    assert poll.result is not None  # the slow poll went out before the bot stopped
    quiz = api.webhook_attempts[0][0]
    assert [status for uid, status in api.webhook_attempts if uid == quiz] == [200]
    # What came during the stop was not taken: Telegram keeps it for the next process.
    assert [update["message"]["text"] for update in api.pending()] == ["/help"]


async def test_polling_serves_healthz_on_the_ops_port_and_says_when_redis_is_down(
    tmp_path: Path, sample_bank_url: str
) -> None:
    api = FakeBotApi(TOKEN)
    await api.start()
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_url=api.url,
        database_url=sample_bank_url,
        answer_hash_key=HASH_KEY.decode(),
        content_dir=tmp_path,
        redis_url="redis://127.0.0.1:1/0",  # nothing listens there
        ops_port=port,
        scheduler_interval_seconds=3600.0,
    )
    engine = create_engine(sample_bank_url)
    runtime = shared_runtime(settings, engine, HASH_KEY, TOKEN)
    app = build_application(runtime, TOKEN, pacing=paced_for_tests(api))
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(app, stop))
    try:
        await api.wait_for("setMyCommands", patience=30)
        since = api.mark()
        await api.send_text(MINA, "/quiz cnn")  # learners are served all the same
        await api.wait_for("sendPoll", since=since)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 503
                assert await response.json() == {
                    "status": "down",
                    "database": "ok",
                    "redis": "down",
                }
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
    finally:
        stop.set()
        await api.release_polls()
        await asyncio.wait_for(serving, 30)
        await api.stop()
        await engine.dispose()
        assert runtime.redis is not None
        await runtime.redis.aclose()
