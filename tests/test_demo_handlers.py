"""/demo in chat, handled in process: the menu, the parameter panel, cached plots, refusals.

No demo runs here (the bot has no worker: a run would be refused); running one in a worker
with progress edits is a journey over HTTP. The panel's choices and cached results are plain
rows, so these tests run on SQLite only.
"""

import pytest

from bot.db.models import DemoResult
from bot.services.learning.demos import cache_key
from nn_demos.catalogue import CODE_VERSION, resolve
from tests.fakebot import FakeUser
from tests.inprocess import InProcessBot, button_data, methods, one

LEILA = FakeUser(66_666_666, "Leila")
SMALL = "samples=40 steps=20 seeds=1"

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def reply(bot: InProcessBot, text: str) -> str:
    """The text of the one message, and nothing else, the bot answers `text` with."""
    calls = await bot.send_text(LEILA, text)
    assert methods(calls) == ["sendMessage"], methods(calls)
    return str(calls[0].params["text"])


async def test_the_demo_menu_opens_a_demos_panel(inproc: InProcessBot) -> None:
    menu = one(await inproc.send_text(LEILA, "/demo"), "sendMessage")
    assert menu.params["text"].startswith("🔬 دموهای شبکهٔ عصبی")
    pressed = await inproc.press(LEILA, inproc.message_of(menu), button_data(menu, "ب، ک، ص"))
    assert methods(pressed) == ["sendMessage", "answerCallbackQuery"]
    assert "/demo letters" in pressed[0].params["text"]


async def test_a_value_button_edits_the_panel_in_place(inproc: InProcessBot) -> None:
    panel = one(await inproc.send_text(LEILA, "/demo letters"), "sendMessage")
    pressed = await inproc.press(LEILA, inproc.message_of(panel), "dv:letters:hidden:8")
    assert methods(pressed) == ["editMessageText", "answerCallbackQuery"]
    edited = pressed[0]
    assert edited.params["message_id"] == inproc.message_of(panel)["message_id"]
    assert "hidden=8" in edited.params["text"]
    assert button_data(edited, "✓ 8") == "dv:letters:hidden:8"


async def test_pressing_the_chosen_value_again_only_stops_the_spinner(inproc: InProcessBot) -> None:
    panel = one(await inproc.send_text(LEILA, "/demo letters"), "sendMessage")
    await inproc.press(LEILA, inproc.message_of(panel), "dv:letters:hidden:8")
    again = await inproc.press(LEILA, inproc.message_of(panel), "dv:letters:hidden:8")
    # Telegram refuses the edit (nothing changed); the press is still answered, with no alert.
    assert methods(again) == ["editMessageText", "answerCallbackQuery"]
    assert again[0].result is None
    assert "text" not in again[1].params
    assert "hidden=8" in inproc.message_of(panel)["text"]


async def test_the_panels_choices_are_kept_across_a_restart(inproc: InProcessBot) -> None:
    panel = one(await inproc.send_text(LEILA, "/demo letters"), "sendMessage")
    await inproc.press(LEILA, inproc.message_of(panel), "dv:letters:hidden:8")
    await inproc.restart()
    assert "hidden=8" in await reply(inproc, "/demo letters")


async def test_a_long_caption_is_cut_to_telegrams_limit_in_utf16_units(
    inproc: InProcessBot,
) -> None:
    params = resolve("letters", dict(arg.split("=") for arg in SMALL.split()))
    # 600 characters but 1200 UTF-16 units: each emoji counts twice towards Telegram's 1024.
    async with inproc.runtime.sessions.begin() as session:
        session.add(
            DemoResult(
                cache_key=cache_key("letters", params, CODE_VERSION),
                demo="letters",
                params=params,
                code_version=CODE_VERSION,
                png=b"\x89PNG cached",
                caption="🏁" * 600,
                metrics={},
                device="cpu",
                duration_ms=1,
            )
        )
    calls = await inproc.send_text(LEILA, f"/demo letters {SMALL}")
    assert methods(calls) == ["sendPhoto"]  # from the cache: no progress message
    assert calls[0].files["photo"] == b"\x89PNG cached"
    caption = calls[0].params["caption"]
    assert len(caption.encode("utf-16-le")) // 2 <= 1024
    assert caption.startswith("🏁🏁")
    assert "…\n\nتکرار: /demo letters" in caption  # cut short; the repeat line whole


async def test_an_unknown_demo_is_named_in_the_answer(inproc: InProcessBot) -> None:
    assert (await reply(inproc, "/demo astrology")).startswith("دمویی به اسم «astrology» نداریم")


async def test_a_parameter_without_a_value_shows_how_to_write_one(inproc: InProcessBot) -> None:
    assert "key=value" in await reply(inproc, "/demo letters hidden")


async def test_a_value_outside_the_choices_lists_them(inproc: InProcessBot) -> None:
    assert (
        await reply(inproc, "/demo letters hidden=1000")
        == "«تعداد نورون لایهٔ پنهان» باید یکی از این‌ها باشه: 8، 16، 32، 64"
    )


async def test_a_number_out_of_range_gives_the_range_in_persian(inproc: InProcessBot) -> None:
    assert (
        await reply(inproc, "/demo optimizers lr=5")
        == "«نرخ یادگیری یکسان» باید بین ۰٫۰۰۰۱ و ۱ باشه."
    )


# A message can be 4096 characters long: quoted back whole, a word that long would not fit.
@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("/demo " + "ب" * 4090, "دمویی به اسم «ببب"),
        ("/demo " + "ب" * 2040 + " " + "ب" * 2040, "«ببب"),
        ("/demo letters " + "x" * 4080 + "=1", "پارامتر «xxx"),
    ],
)
async def test_an_overlong_word_is_quoted_back_shortened(
    inproc: InProcessBot, text: str, start: str
) -> None:
    answer = await reply(inproc, text)
    assert answer.startswith(start)
    assert "…»" in answer
    assert len(answer) < 400


async def test_a_deep_link_opens_the_demo_panel(inproc: InProcessBot) -> None:
    calls = await inproc.send_text(LEILA, "/start demo_letters")
    assert methods(calls) == ["sendMessage", "sendMessage"]  # the welcome, then the panel
    assert calls[1].params["text"].startswith("🔬")
    assert "/demo letters" in calls[1].params["text"]


async def test_a_quizs_demo_button_opens_the_panel_of_its_demo(inproc: InProcessBot) -> None:
    poll = one(await inproc.send_text(LEILA, "/start quiz_act-relu-grad"), "sendPoll")
    assert button_data(poll, "خودت ببین") == "dm:activations"
    message = inproc.poll_message(inproc.poll_id_of(poll))
    pressed = await inproc.press(LEILA, message, "dm:activations")
    assert methods(pressed) == ["sendMessage", "answerCallbackQuery"]
    assert "/demo activations functions=" in pressed[0].params["text"]


async def test_a_bot_without_a_demo_worker_says_demos_are_not_available(
    inproc: InProcessBot,
) -> None:
    # A host installed without the [demos] extra and without REDIS_URL has no runner.
    assert inproc.runtime.demo_runner is None
    assert await reply(inproc, f"/demo letters {SMALL}") == "دموها الان در دسترس نیستن."
