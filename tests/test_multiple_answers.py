"""A quiz with several right options, end to end: the learner's poll and its score, the
channel's poll, /results and the statistics export.

The bank is the learner sample plus one multiple-answer quiz; every test runs in process.
"""

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import texts
from bot.db.models import LearnerAnswer
from tests.banks import learner_bank_data, write_bank
from tests.fakebot import FakeUser
from tests.inprocess import InProcessBot, in_process_bot, methods, one

ALI, SARA, REZA = (FakeUser(11_100 + n, name) for n, name in enumerate(["Ali", "Sara", "Reza"]))
ADMIN = FakeUser(77_777_777, "Admin")
CHANNEL = {"id": -100_424_242, "type": "channel", "title": "کانال چندپاسخی"}
SEVERAL = {
    "id": "act-zero-centered-several",
    "topic": "activations",
    "difficulty": 2,
    "question": "خروجی کدوم توابع حول صفر متقارنه؟ (ممکنه بیش از یکی درست باشه)",
    "options": ["سیگموید", "tanh", "softsign", "ReLU"],
    "correct": [2, 3],
    "multiple": True,
    "explanation": "tanh و softsign فردن و بُردشون (−۱, ۱) هست؛ سیگموید و ReLU فقط مثبت می‌دن.",
}
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
async def several(tmp_path: Path, migrated_url: str) -> AsyncIterator[InProcessBot]:
    """The bot on a bank with one multiple-answer quiz, ADMIN an admin of CHANNEL."""
    data = learner_bank_data()
    data["quizzes"].append(SEVERAL)
    content = write_bank(tmp_path / "content", data)
    async with in_process_bot(migrated_url, content, admin_ids=frozenset({ADMIN.id})) as bot:
        await bot.sync_content()
        bot.api.chats[CHANNEL["id"]] = CHANNEL
        bot.api.set_admins(CHANNEL["id"], [ADMIN])
        await bot.chat_member_change(CHANNEL, ADMIN, "left", "administrator")
        yield bot


async def test_the_learner_ticks_several_options_and_is_right_only_on_the_exact_set(
    several: InProcessBot,
) -> None:
    answers = {ALI: [1, 2], SARA: [1], REZA: [1, 2, 3]}
    for learner, ticked in answers.items():
        calls = await several.send_text(learner, f"/start quiz_{SEVERAL['id']}")
        poll = one(calls, "sendPoll")
        assert poll.params["allows_multiple_answers"] is True
        assert poll.params["correct_option_ids"] == [1, 2]
        await several.answer_poll(learner, several.poll_id_of(poll), ticked)
    async with several.runtime.sessions() as session:
        stored = (await session.scalars(select(LearnerAnswer).order_by(LearnerAnswer.id))).all()
    assert [(a.option_mask, a.is_correct) for a in stored] == [
        (0b110, True),  # exactly the right set
        (0b010, False),  # one right option of two is not the answer
        (0b1110, False),  # the right set and a wrong option is not either
    ]


@sqlite_only
async def test_the_channel_poll_lets_voters_tick_several_and_results_mark_each_right_one(
    several: InProcessBot,
) -> None:
    queued = await several.send_text(ADMIN, f"/postnow quiz {SEVERAL['id']}")
    assert methods(queued) == ["sendMessage"]
    poll = one(await several.scheduler_pass(), "sendPoll", CHANNEL["id"])
    assert poll.params["allows_multiple_answers"] is True
    assert poll.params["correct_option_ids"] == [1, 2]
    # Fifty voters; many ticked both right options, so the counts add up to more than fifty.
    await several.poll_results(several.poll_id_of(poll), [5, 40, 30, 10], voters=50)

    text = one(await several.send_text(ADMIN, "/results"), "sendMessage").params["text"]
    options = [line.removeprefix("\u200f") for line in text.splitlines() if "▱" in line]
    assert options == [
        "▰▱▱▱▱▱▱▱▱▱ ۱۰٪ سیگموید",
        "▰▰▰▰▰▰▰▰▱▱ ۸۰٪ tanh ✅",
        "▰▰▰▰▰▰▱▱▱▱ ۶۰٪ softsign ✅",
        "▰▰▱▱▱▱▱▱▱▱ ۲۰٪ ReLU",
    ]
    # Who ticked exactly the right pair is not in Telegram's counts: no made-up share.
    assert texts.RESULTS_MULTIPLE.format(voters="۵۰") in text
    assert "درست: " not in text

    for fmt in ("json", "csv", "xlsx"):
        calls = await several.send_and_finish(ADMIN, f"/export {fmt}")
        data = one(calls, "sendDocument").files["document"]
        rows = exported_quizzes(fmt, data)
        assert rows == [{"multiple": "yes", "correct_options": "2, 3", "share_correct": ""}], fmt


def exported_quizzes(fmt: str, data: bytes) -> list[dict[str, str]]:
    """The channel quizzes' multiple, right options and share correct, as text, per format."""
    headers = texts.EXPORT_VIEWS["channel_quizzes"][1]
    keys = ("multiple", "correct_options", "share_correct")
    yes = {texts.YES_NO[True]: "yes", texts.YES_NO[False]: "no"}
    if fmt == "json":
        found = json.loads(data)["views"]["channel_quizzes"]
        return [
            {
                "multiple": "yes" if row["multiple"] else "no",
                "correct_options": ", ".join(map(str, row["correct_options"])),
                "share_correct": "" if row["share_correct"] is None else str(row["share_correct"]),
            }
            for row in found
        ]
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = archive.read("channel_quizzes.csv").decode("utf-8-sig")
        table = list(csv.DictReader(io.StringIO(text)))
        return [
            {key: yes.get(row[headers[key]], row[headers[key]]) for key in keys} for row in table
        ]
    sheet = load_workbook(io.BytesIO(data))[texts.EXPORT_VIEWS["channel_quizzes"][0]]
    header, *values = list(sheet.iter_rows(values_only=True))
    columns = {name: index for index, name in enumerate(header)}
    cells = [{key: row[columns[headers[key]]] for key in keys} for row in values]
    return [
        {
            key: "" if value is None else yes.get(str(value), str(value))
            for key, value in row.items()
        }
        for row in cells
    ]
