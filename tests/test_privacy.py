"""After a full learner session no table holds the learner's Telegram id, username or name."""

from sqlalchemy import select

from bot.db.models import Base
from tests.fakebot import FakeUser
from tests.harness import Harness, answer, answer_then, button_data, wrong_option

NEDA = FakeUser(987_654_321, "Nedaxyz", "neda_private_handle")


async def test_no_table_holds_the_raw_user_id_or_name(harness: Harness) -> None:
    await harness.say(NEDA, "/start")
    poll_id, _ = await harness.poll_for(NEDA, "/quiz")
    await answer(harness, NEDA, poll_id, [wrong_option(harness, poll_id)])
    since = harness.api.mark()
    await harness.api.send_text(NEDA, "/test activations 2")
    first = await harness.api.wait_for("sendPoll", since=since)
    second = await answer_then(
        harness,
        NEDA,
        harness.poll_id_of(first),
        harness.correct_of(harness.poll_id_of(first)),
        expect="sendPoll",
    )
    await answer_then(harness, NEDA, harness.poll_id_of(second), [0])
    question = await harness.say(NEDA, "/interview")
    since = harness.api.mark()
    await harness.api.press(NEDA, harness.message_of(question), button_data(question, "پاسخ"))
    await harness.api.wait_for("editMessageText", since=since)
    harness.clock.advance(minutes=5)
    review = await harness.say(NEDA, "/review", expect="sendPoll")
    await harness.api.answer_poll(NEDA, harness.poll_id_of(review), [1])
    await harness.api.wait_idle()
    await harness.say(NEDA, "/me", where=lambda p: "پیشرفت" in p["text"])
    await harness.api.wait_idle()

    secrets = [str(NEDA.id), NEDA.username, NEDA.first_name]
    assert harness.runtime is not None
    found = []
    scanned = 0
    async with harness.runtime.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                scanned += 1
                for column, value in zip(table.columns, row, strict=True):
                    text = str(value)
                    found += [(table.name, column.name) for s in secrets if s and s in text]
    assert scanned > 20  # the session really wrote answers, cards, publications, tests
    assert found == []
