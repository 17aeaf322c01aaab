"""The dispatcher: updates handled concurrently, each source's in order, settled at the commit.

The real application handles real updates from the fake Telegram; a chat whose link is held
(`api.hold`) stands for a slow send, so what runs past it, and what waits for it, shows.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

from bot.db.models import LearnerAnswer
from bot.dispatch import Dispatcher, Settled, order_key
from bot.settling import fail, settle
from tests.fakebot import FakeTelegram, FakeUser, InProcessRequest
from tests.fakebot.transport import BASE_URL
from tests.harness import TOKEN
from tests.inprocess import InProcessBot, one

ALI = FakeUser(11_111_111, "Ali", "ali_learns")
SARA = FakeUser(22_222_222, "Sara", "sara_ml")


def update_of(inproc: InProcessBot, raw: dict[str, object]) -> Update:
    return Update.de_json(raw, inproc.app.bot)


async def test_a_slow_reply_holds_up_only_its_own_learner(inproc: InProcessBot) -> None:
    dispatcher = Dispatcher(inproc.app)
    gate = inproc.api.hold(ALI.id)
    since = inproc.api.mark()

    # Ali's /quiz settles (picking a quiz commits nothing); its poll is on its way (held).
    first = update_of(inproc, inproc.api.text_update(ALI, "/quiz"))
    assert await dispatcher.submit(first) is Settled.COMMITTED
    held = await inproc.api.wait_for("sendPoll", lambda p: p["chat_id"] == ALI.id, since=since)
    assert held.result is None

    # Ali's next message waits for his poll; Sara is answered meanwhile.
    later = asyncio.ensure_future(
        dispatcher.submit(update_of(inproc, inproc.api.text_update(ALI, "/help")))
    )
    await dispatcher.submit(update_of(inproc, inproc.api.text_update(SARA, "/quiz")))
    await inproc.api.wait_for("sendPoll", lambda p: p["chat_id"] == SARA.id, since=since)
    to_ali = [c for c in inproc.api.calls[since:] if c.params.get("chat_id") == ALI.id]
    assert [c.method for c in to_ali] == ["sendPoll"]  # /help not handled yet
    assert not later.done()

    gate.set()
    await later
    assert await dispatcher.drain(10)
    to_ali = [c for c in inproc.api.calls[since:] if c.params.get("chat_id") == ALI.id]
    assert [c.method for c in to_ali] == ["sendPoll", "sendMessage"]
    assert to_ali[0].result is not None


async def test_an_answer_is_recorded_while_forty_quizzes_ahead_of_it_are_still_sending(
    inproc: InProcessBot,
) -> None:
    dispatcher = Dispatcher(inproc.app)
    poll = one(await inproc.send_text(ALI, "/quiz"), "sendPoll")
    poll_id = inproc.poll_id_of(poll)
    answers_before = await inproc.count(LearnerAnswer)

    # Forty learners' /quiz come first; each poll is stuck on its way (a slow link).
    others = [FakeUser(40_000_000 + n, f"L{n}", None) for n in range(40)]
    gates = [inproc.api.hold(user.id) for user in others]
    since = inproc.api.mark()
    quizzes = [
        await dispatcher.begin(update_of(inproc, inproc.api.text_update(user, "/quiz")))
        for user in others
    ]
    answer = update_of(inproc, inproc.api.poll_answer_update(ALI, poll_id, [0]))
    assert await (await dispatcher.begin(answer)) is Settled.COMMITTED
    assert await inproc.count(LearnerAnswer) == answers_before + 1
    assert all(call.result is None for call in inproc.api.calls_of("sendPoll", since))

    for gate in gates:
        gate.set()
    assert set(await asyncio.gather(*quizzes)) == {Settled.COMMITTED}
    assert await dispatcher.drain(30)
    delivered = [c for c in inproc.api.calls_of("sendPoll", since) if c.result is not None]
    assert sorted(c.params["chat_id"] for c in delivered) == sorted(u.id for u in others)


async def test_a_quiz_settles_without_reading_flow_states_while_typed_text_waits_for_them(
    inproc: InProcessBot,
) -> None:
    # Every read slot is taken (a crowd of readers ahead): no flow takes /quiz, so it settles
    # (may be confirmed to Telegram) at once; typed text may be a flow's step, so its
    # learner's stored state must be read first, and it waits.
    runtime = inproc.app.bot_data.runtime
    assert runtime is not None
    slots = runtime.read_slots
    taken = 0
    while not slots.locked():
        await slots.acquire()
        taken += 1
    dispatcher = Dispatcher(inproc.app)
    quiz = await dispatcher.begin(update_of(inproc, inproc.api.text_update(ALI, "/quiz")))
    typed = await dispatcher.begin(update_of(inproc, inproc.api.text_update(SARA, "سلام")))
    # Without it the update would wait for the slots this test holds: fail, do not hang.
    assert await asyncio.wait_for(quiz, 10) is Settled.COMMITTED
    for _ in range(20):
        await asyncio.sleep(0)
    assert not typed.done()

    for _ in range(taken):
        slots.release()
    assert await typed is Settled.COMMITTED
    assert await dispatcher.drain(10)
    assert [c.method for c in inproc.api.calls if c.params.get("chat_id") == ALI.id][-1:] == [
        "sendPoll"
    ]


async def test_order_is_kept_per_person_per_group_and_per_poll() -> None:
    api = FakeTelegram(TOKEN)
    api.text_update(ALI, "/start")  # Ali's chat exists: the poll goes there
    options = json.dumps([{"text": "الف"}, {"text": "ب"}])
    _, sent = await api.dispatch(
        "sendPoll", {"chat_id": ALI.id, "question": "؟", "options": options}, {}
    )
    assert sent["ok"], sent
    poll_id = sent["result"]["poll"]["id"]
    group = {"id": -100_555, "type": "supergroup", "title": "گروه"}
    in_private = Update.de_json(api.text_update(ALI, "/quiz"), None)
    answer = Update.de_json(api.poll_answer_update(ALI, poll_id, [1]), None)
    in_group = Update.de_json(api.group_text_update(group, ALI, "/game"), None)
    sara_in_group = Update.de_json(api.group_text_update(group, SARA, "/game"), None)
    totals = Update.de_json(api.poll_update(poll_id, [1, 0]), None)
    assert order_key(in_private) == order_key(answer)  # a learner's chat and votes: one line
    assert order_key(in_group) == order_key(sara_in_group)  # one group: one line
    assert order_key(in_group) != order_key(in_private)
    assert order_key(totals) != order_key(answer)


@asynccontextmanager
async def bare_dispatcher(
    handle: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]],
) -> AsyncIterator[tuple[Dispatcher, FakeTelegram]]:
    """A dispatcher over a bare PTB application with one handler (the test's own)."""
    api = FakeTelegram(TOKEN)
    request = InProcessRequest(api)
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{BASE_URL}/bot")
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .build()
    )
    app.add_handler(TypeHandler(Update, handle))

    async def reported(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        fail()  # what the bot's own error handler does first

    app.add_error_handler(reported)
    async with app:
        yield Dispatcher(app, limit=2), api


async def test_a_handler_that_fails_before_its_commit_is_reported_as_failed() -> None:
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text == "/boom":
            raise RuntimeError("before any commit")
        settle()
        if update.message is not None and update.message.text == "/late":
            raise RuntimeError("after the commit")

    async with bare_dispatcher(handle) as (dispatcher, api):
        outcomes = [
            await dispatcher.submit(Update.de_json(api.text_update(ALI, text), None))
            for text in ("/boom", "/late", "/fine")
        ]
    assert outcomes == [Settled.FAILED, Settled.COMMITTED, Settled.COMMITTED]


async def test_past_its_limit_the_dispatcher_holds_new_updates_back() -> None:
    release = asyncio.Event()

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        settle()
        await release.wait()  # a reply that takes its time

    async with bare_dispatcher(handle) as (dispatcher, api):
        users = [FakeUser(50_000_000 + n, f"U{n}", None) for n in range(3)]
        updates = [Update.de_json(api.text_update(user, "/x"), None) for user in users]
        assert await dispatcher.submit(updates[0]) is Settled.COMMITTED
        assert await dispatcher.submit(updates[1]) is Settled.COMMITTED
        third = asyncio.ensure_future(dispatcher.submit(updates[2]))
        await asyncio.sleep(0)  # with room it would have begun by now
        assert not third.done()
        assert dispatcher.in_hand == 2  # no room: not even begun
        release.set()
        assert await third is Settled.COMMITTED
        assert await dispatcher.drain(5)
        assert dispatcher.in_hand == 0


def _vote(**changes: object) -> dict[str, object]:
    """A person's vote as Telegram sends it, with `changes` to its poll_answer."""
    answer: dict[str, object] = {
        "poll_id": "5000",
        "user": ALI.as_json(),
        "option_ids": [1],
        "option_persistent_ids": ["b"],
    }
    answer.update(changes)
    return {"update_id": 7, "poll_answer": answer}


async def test_a_person_s_vote_is_taken_from_the_json_in_the_order_ptb_would_give_it(
    inproc: InProcessBot,
) -> None:
    (route,) = inproc.app.bot_data.json_routes
    raw = _vote()
    taken = route(raw)
    assert taken is not None
    assert taken[0] == order_key(update_of(inproc, raw))  # after Ali's earlier updates


@pytest.mark.parametrize(
    "raw",
    [
        _vote(user=None, voter_chat={"id": -100_5, "type": "channel", "title": "کانال"}),
        _vote(option_ids=[True]),
        _vote(option_ids="1"),
        _vote(user={"id": "11111111", "is_bot": False, "first_name": "Ali"}),
        _vote(poll_id=5000),
        _vote(user={"id": 11_111_111, "is_bot": False, "first_name": "A\x00li"}),
        {**_vote(), "message": {"message_id": 1}},
    ],
    ids=["a chat's vote", "a bool", "not a list", "an id as text", "a numeric poll", "NUL", "two"],
)
async def test_a_vote_of_another_shape_is_left_to_ptb(
    inproc: InProcessBot, raw: dict[str, object]
) -> None:
    (route,) = inproc.app.bot_data.json_routes
    assert route(raw) is None
