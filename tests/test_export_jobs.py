"""/export as a background job: a progress message at once, the bot answering others while the
file is built, one export per admin at a time, a clear message on failure and at shutdown."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot import texts
from bot.config import DEFAULT_CONTENT_DIR
from bot.db.engine import create_engine
from bot.db.models import LearnerAnswer
from bot.handlers.channel import results
from tests.fakebot import Call, FakeUser
from tests.inprocess import InProcessBot, in_process_bot, methods, of, one

CHANNEL = {"id": -100_123_457, "type": "channel", "title": "کانال آمار", "username": "stats_fa"}
ADMIN = FakeUser(77_777_701, "Admin")
LEARNER = FakeUser(66_666_601, "Learner")

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
# A table lock only PostgreSQL lets a test hold against a reader: the export waits on it.
postgres_only = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


@pytest.fixture
async def bot(real_bank_url: str) -> AsyncIterator[InProcessBot]:
    """The real bank, a channel where the bot and ADMIN are admins."""
    async with in_process_bot(
        real_bank_url, DEFAULT_CONTENT_DIR, admin_ids=frozenset({ADMIN.id})
    ) as running:
        running.api.chats[CHANNEL["id"]] = CHANNEL
        running.api.set_admins(CHANNEL["id"], [ADMIN])
        await running.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        yield running


def progress_message(calls: list[Call]) -> Call:
    """The one message an /export answers with at once."""
    call = one(calls, "sendMessage", ADMIN.id)
    assert "در حال آماده‌سازی آمار «کانال آمار» در قالب JSON" in call.params["text"]
    return call


def edits_of(bot: InProcessBot, message: Call) -> list[str]:
    """The texts the progress message was edited to, in order."""
    assert message.result is not None
    message_id = message.result["message_id"]
    return [
        str(call.params["text"])
        for call in of(bot.api.calls, "editMessageText", ADMIN.id)
        if call.params["message_id"] == message_id
    ]


@postgres_only
async def test_an_answer_sent_while_an_export_runs_is_recorded_before_the_export_ends(
    bot: InProcessBot,
) -> None:
    poll = one(await bot.send_text(LEARNER, "/quiz"), "sendPoll")
    poll_id = bot.poll_id_of(poll)
    # Another connection holds the table the export reads first: the export waits on it.
    engine = create_engine(bot.config.database_url)
    lock = await engine.connect()
    transaction = await lock.begin()
    await lock.execute(text("LOCK TABLE vote_snapshots IN ACCESS EXCLUSIVE MODE"))
    try:
        status = progress_message(await bot.send_text(ADMIN, "/export json"))
        # A second /export while the first runs is told so; no second job starts.
        again = await bot.send_text(ADMIN, "/export csv")
        assert [call.params["text"] for call in again] == [texts.EXPORT_RUNNING]

        await bot.answer_poll(LEARNER, poll_id, bot.correct_of(poll_id))
        assert await bot.count(LearnerAnswer) == 1  # handled and committed meanwhile
        answered = bot.api.mark()
        assert of(bot.api.calls, "sendDocument") == []  # the export has not finished
    finally:
        await transaction.rollback()
        await lock.close()
        await engine.dispose()
    await bot.runtime.background.wait()
    document = one(bot.api.calls, "sendDocument")
    assert document.index >= answered  # the file came after the answer was handled
    assert "کانال آمار" in document.params["caption"]
    assert edits_of(bot, status)[-1] == texts.EXPORT_DONE.format(scope="کانال آمار", format="JSON")


@postgres_only
async def test_an_export_running_at_shutdown_is_stopped_and_the_admin_told(
    bot: InProcessBot,
) -> None:
    engine = create_engine(bot.config.database_url)
    lock = await engine.connect()
    transaction = await lock.begin()
    await lock.execute(text("LOCK TABLE vote_snapshots IN ACCESS EXCLUSIVE MODE"))
    try:
        status = progress_message(await bot.send_text(ADMIN, "/export json"))
        await bot.runtime.background.cancel_all()  # what `serve` does when the bot stops
    finally:
        await transaction.rollback()
        await lock.close()
        await engine.dispose()
    assert of(bot.api.calls, "sendDocument") == []
    assert edits_of(bot, status) == [texts.EXPORT_INTERRUPTED.format(scope="کانال آمار")]
    # Nothing is left running: the admin may ask again at once.
    calls = await bot.send_and_finish(ADMIN, "/export json")
    assert methods(calls) == ["sendMessage", "sendDocument", "editMessageText"]


@sqlite_only
async def test_the_progress_message_counts_the_steps_in_persian_then_says_done(
    bot: InProcessBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "EXPORT_EDIT_INTERVAL", 0.0)  # every step may edit
    calls = await bot.send_and_finish(ADMIN, "/export json")
    status = progress_message(calls)
    edits = edits_of(bot, status)
    steps, done = edits[:-1], edits[-1]
    assert steps, "no progress edit"
    assert all("مرحله" in step and "از ۷ مرحله" in step and "٪" in step for step in steps)
    assert done == texts.EXPORT_DONE.format(scope="کانال آمار", format="JSON")
    # The file went out before the message said so.
    document = one(calls, "sendDocument")
    last_edit = of(calls, "editMessageText")[-1]
    assert document.index < last_edit.index


@sqlite_only
async def test_a_failed_export_says_so_in_persian_and_lets_the_admin_ask_again(
    bot: InProcessBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.api.fail_next("sendDocument", 400, description="Bad Request: file is too big")
    status = progress_message(await bot.send_and_finish(ADMIN, "/export json"))
    assert edits_of(bot, status) == [texts.EXPORT_FAILED.format(scope="کانال آمار")]
    assert "export of -100123457 (json) failed" in caplog.text  # logged with its traceback
    calls = await bot.send_and_finish(ADMIN, "/export json")
    assert methods(calls) == ["sendMessage", "sendDocument", "editMessageText"]
