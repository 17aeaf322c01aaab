"""The fake Bot API answers the real PTB Bot with objects PTB 22.8 accepts, over either transport.

Every test runs twice: PTB's own HTTP client against the aiohttp server, and PTB's Bot with the
in-process request calling the same core. Both must answer alike. The last test checks that the
whole bot in process really stays off the network.
"""

import datetime as dt
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Poll,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TimedOut

from tests.fakebot import FakeBotApi, FakeTelegram, FakeUser, InProcessRequest
from tests.harness import TOKEN, eventually
from tests.inprocess import InProcessBot, one

CHANNEL = {"id": -100_777, "type": "channel", "title": "کانال دیتا", "username": "data_fa"}
ADMIN = FakeUser(55_555, "Admin")


@pytest.fixture(params=["http", "in-process"])
async def api_and_bot(request: pytest.FixtureRequest) -> AsyncIterator[tuple[FakeTelegram, Bot]]:
    if request.param == "http":
        server = FakeBotApi(TOKEN)
        url = await server.start()
        api: FakeTelegram = server
        bot = Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")
    else:
        api = FakeTelegram(TOKEN)
        bot = Bot(TOKEN, request=InProcessRequest(api), get_updates_request=InProcessRequest(api))
    api.chats[CHANNEL["id"]] = CHANNEL
    async with bot:
        yield api, bot
    if isinstance(api, FakeBotApi):
        await api.stop()


async def test_identity_chats_and_admins(api_and_bot: tuple[FakeTelegram, Bot]) -> None:
    api, bot = api_and_bot
    me = await bot.get_me()
    assert me.username == "quizbot_test_bot"
    chat = await bot.get_chat(CHANNEL["id"])
    assert chat.title == "کانال دیتا"
    api.set_admins(CHANNEL["id"], [ADMIN])
    admins = await bot.get_chat_administrators(CHANNEL["id"])
    assert [member.user.id for member in admins] == [ADMIN.id]
    member = await bot.get_chat_member(CHANNEL["id"], ADMIN.id)
    assert member.status == "administrator"
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(-1)


async def test_polls_in_a_channel(api_and_bot: tuple[FakeTelegram, Bot]) -> None:
    _api, bot = api_and_bot
    message = await bot.send_poll(
        CHANNEL["id"],
        "کدوم؟",
        ["الف", "ب", "پ"],
        type=Poll.QUIZ,
        correct_option_ids=[2],
        explanation="چون پ",
    )
    assert message.poll is not None
    assert message.poll.correct_option_ids == (2,)
    assert message.sender_chat is not None
    assert await bot.pin_chat_message(CHANNEL["id"], message.message_id)
    closed = await bot.stop_poll(CHANNEL["id"], message.message_id)
    assert closed.is_closed
    assert await bot.delete_message(CHANNEL["id"], message.message_id)
    with pytest.raises(BadRequest):
        await bot.delete_message(CHANNEL["id"], message.message_id)


async def test_uploads_are_multipart(api_and_bot: tuple[FakeTelegram, Bot]) -> None:
    api, bot = api_and_bot
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    photo = await bot.send_photo(ADMIN.id, png, caption="نمودار")
    assert photo.caption == "نمودار"
    assert photo.photo[-1].file_size == len(png)
    # Another chat: Telegram takes one message a second in a private chat.
    document = await bot.send_document(ADMIN.id + 1, b"a,b\n1,2\n", filename="stats.csv")
    assert document.document is not None
    assert api.calls_of("sendPhoto")[0].files["photo"] == png


async def test_sends_past_telegrams_limits_are_refused_with_429(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    api, bot = api_and_bot
    now = [100.0]
    api.send_clock = lambda: now[0]
    await bot.send_message(ADMIN.id, "یک")
    with pytest.raises(RetryAfter) as refused:  # one a second in a private chat
        await bot.send_message(ADMIN.id, "دو")
    assert refused.value.retry_after in (1, dt.timedelta(seconds=1))
    now[0] += 1.0
    await bot.send_message(ADMIN.id, "دو")
    api.chats[CHANNEL["id"]] = CHANNEL
    for number in range(20):  # twenty a minute in a group or channel
        now[0] += 0.1
        await bot.send_message(CHANNEL["id"], f"پست {number}")
    with pytest.raises(RetryAfter):
        await bot.send_message(CHANNEL["id"], "پست ۲۱")
    now[0] += 1.0
    for user in range(30):  # thirty a second overall
        await bot.send_message(10_000 + user, "سلام")
    with pytest.raises(RetryAfter):
        await bot.send_message(20_000, "سلام")
    assert await bot.answer_callback_query("1")  # not a send: never refused
    assert api.refused_for_flood == 3


async def test_edits_and_keyboards(api_and_bot: tuple[FakeTelegram, Bot]) -> None:
    _, bot = api_and_bot
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("دکمه", callback_data="x:y")]])
    sent = await bot.send_message(ADMIN.id, "متن", reply_markup=keyboard)
    edited = await bot.edit_message_text("متن تازه", ADMIN.id, sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "متن تازه"
    again = await bot.edit_message_reply_markup(ADMIN.id, sent.message_id, reply_markup=keyboard)
    assert not isinstance(again, bool)
    assert again.reply_markup == keyboard
    assert await bot.answer_callback_query("1", text="باشه")


async def test_an_edit_that_changes_nothing_is_refused_as_telegram_refuses_it(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    _, bot = api_and_bot
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("دکمه", callback_data="x:y")]])
    sent = await bot.send_message(ADMIN.id, "متن", reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("متن", ADMIN.id, sent.message_id, reply_markup=keyboard)
    other = InlineKeyboardMarkup([[InlineKeyboardButton("✓ دکمه", callback_data="x:z")]])
    edited = await bot.edit_message_text("متن", ADMIN.id, sent.message_id, reply_markup=other)
    assert not isinstance(edited, bool)
    assert edited.reply_markup == other  # the same text with another keyboard is an edit


async def test_one_shot_failures(api_and_bot: tuple[FakeTelegram, Bot]) -> None:
    api, bot = api_and_bot
    api.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(ADMIN.id, "x")
    api.fail_next("sendMessage", 403)
    with pytest.raises(Forbidden):
        await bot.send_message(ADMIN.id, "x")
    assert (await bot.send_message(ADMIN.id, "x")).text == "x"  # each failure happens once


async def test_injected_updates_arrive_with_offsets(api_and_bot: tuple[FakeTelegram, Bot]) -> None:
    api, bot = api_and_bot
    message = await bot.send_poll(CHANNEL["id"], "کدوم؟", ["الف", "ب"], is_anonymous=True)
    assert message.poll is not None
    await api.poll_results(message.poll.id, [3, 1])
    await api.channel_post(CHANNEL, "سلام کانال")
    await api.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
    updates = await bot.get_updates(timeout=1)
    assert [u.poll.total_voter_count if u.poll else None for u in updates][:1] == [4]
    assert updates[1].channel_post is not None
    assert updates[2].my_chat_member is not None
    assert updates[2].my_chat_member.new_chat_member.status == "administrator"
    rest = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert rest == ()


async def test_only_the_update_types_the_bot_asked_for_are_delivered(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    api, bot = api_and_bot
    message = await bot.send_poll(CHANNEL["id"], "کدوم؟", ["الف", "ب"], is_anonymous=True)
    assert message.poll is not None
    assert await bot.get_updates(timeout=0, allowed_updates=["message", "my_chat_member"]) == ()
    await api.poll_results(message.poll.id, [3, 1])  # a poll update: not asked for
    await api.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
    (update,) = await bot.get_updates(timeout=1)  # the list stays as last given
    assert update.my_chat_member is not None
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_parameters_arrive_decoded_and_texts_stay_texts(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    api, bot = api_and_bot
    await bot.send_poll(ADMIN.id, "448", ["1", "2"], type=Poll.QUIZ, correct_option_ids=[1])
    params = api.calls_of("sendPoll")[0].params
    assert params["question"] == "448"  # a text parameter, never read as JSON
    assert params["chat_id"] == ADMIN.id
    assert params["correct_option_ids"] == [1]
    assert params["options"] == [{"text": "1"}, {"text": "2"}]


async def test_only_inline_keyboards_stay_on_the_message(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    api, bot = api_and_bot
    menu = ReplyKeyboardMarkup([[KeyboardButton("🎯 کوییز")]])
    sent = await bot.send_message(ADMIN.id, "منو", reply_markup=menu)
    assert sent.reply_markup is None
    assert api.calls_of("sendMessage")[0].params["reply_markup"]["keyboard"][0][0]["text"] == (
        "🎯 کوییز"
    )


async def test_telegram_limits_and_refusals_are_worded_as_telegram_words_them(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    api, bot = api_and_bot
    api.enforce_limits = False  # the wording of refusals here; the limits have their own test
    assert (await bot.send_message(ADMIN.id, "😀" * 2048)).text == "😀" * 2048  # 4096 in UTF-16
    with pytest.raises(BadRequest, match=r"(?i)message text is empty or too long"):
        await bot.send_message(ADMIN.id, "😀" * 2048 + "x")
    sent = await bot.send_message(ADMIN.id, "متن")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("متن", ADMIN.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("متن", ADMIN.id, sent.message_id + 100)
    with pytest.raises(BadRequest, match="correct_option_ids"):
        await bot.send_poll(ADMIN.id, "?", ["a", "b"], type=Poll.QUIZ)


async def test_a_user_who_blocked_the_bot_is_refused_until_they_write_again(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    api, bot = api_and_bot
    api.block(ADMIN)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(ADMIN.id, "سلام")
    api.text_update(ADMIN, "/start")  # writing to the bot unblocks it
    assert (await bot.send_message(ADMIN.id, "سلام")).text == "سلام"


async def test_a_timed_poll_carries_its_period_and_closing_time(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    _, bot = api_and_bot
    sent = await bot.send_poll(
        ADMIN.id, "?", ["a", "b"], type=Poll.QUIZ, correct_option_ids=[0], open_period=30
    )
    assert sent.poll is not None
    assert sent.poll.open_period is not None
    assert sent.poll.open_period.total_seconds() == 30
    assert sent.poll.close_date is not None
    with pytest.raises(BadRequest, match=r"(?i)open period"):
        await bot.send_poll(  # another chat: one message a second in a private chat
            ADMIN.id + 1, "?", ["a", "b"], type=Poll.QUIZ, correct_option_ids=[0], open_period=3
        )


async def test_another_token_is_unauthorized(api_and_bot: tuple[FakeTelegram, Bot]) -> None:
    api, bot = api_and_bot
    in_process = isinstance(bot.request, InProcessRequest)
    stranger = Bot(
        "987654321:BBE9xkq3v1mZ0Lr8pT2wQy7uN5sB4cD6eFg",
        base_url=bot.base_url.removesuffix(TOKEN),
        request=InProcessRequest(api) if in_process else None,
    )
    since = api.mark()
    with pytest.raises(InvalidToken):
        async with stranger:  # initialising asks getMe
            pass
    assert api.calls[since:] == []


async def test_a_slow_answer_past_the_read_timeout_times_out_but_still_happens(
    api_and_bot: tuple[FakeTelegram, Bot],
) -> None:
    api, bot = api_and_bot
    api.fail_next("sendMessage", 200, delay=0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(ADMIN.id, "دیر", read_timeout=0.1)

    # Like Telegram, the server finishes what it was asked even though the client gave up.
    async def delivered() -> bool:
        return any(message.get("text") == "دیر" for message in api.messages.values())

    await eventually(delivered)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # PostgreSQL needs a socket
async def test_the_bot_in_process_opens_no_socket(
    inproc: InProcessBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    started = await inproc.send_text(FakeUser(11_111_111, "Ali"), "/start")
    assert "کوییزبات" in one(started, "sendMessage").params["text"]
    quiz = await inproc.send_text(FakeUser(11_111_111, "Ali"), "/quiz")
    assert one(quiz, "sendPoll").params["type"] == "quiz"
