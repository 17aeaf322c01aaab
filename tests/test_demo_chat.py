"""/demo in chat: menu, parameter panel, progress edits, the photo with a repeat command."""

from collections.abc import AsyncIterator

import pytest

from bot.db.models import DemoResult
from bot.demos_runner.local import LocalRunner
from bot.services.learning.demos import cache_key
from nn_demos.catalogue import CODE_VERSION, resolve
from tests.fakebot import FakeUser
from tests.harness import Harness, button_data

LEILA = FakeUser(66_666_666, "Leila")
SMALL = "samples=40 steps=20 seeds=1"


@pytest.fixture
async def demo_harness(harness: Harness) -> AsyncIterator[Harness]:
    runner = LocalRunner(concurrency=1, timeout=120)
    harness.demo_runner = runner
    await harness.restart()
    try:
        yield harness
    finally:
        await harness.stop()
        await runner.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_demo_menu_panel_and_run(demo_harness: Harness) -> None:
    harness = demo_harness
    menu = await harness.say(LEILA, "/demo")
    assert menu.params["text"].startswith("🔬 دموهای شبکهٔ عصبی")
    since = harness.api.mark()
    await harness.api.press(LEILA, harness.message_of(menu), button_data(menu, "ب، ک، ص"))
    panel = await harness.api.wait_for("sendMessage", since=since)
    assert "/demo letters" in panel.params["text"]
    since = harness.api.mark()
    await harness.api.press(LEILA, harness.message_of(panel), "dv:letters:hidden:8")
    edited = await harness.api.wait_for("editMessageText", since=since)
    assert "hidden=8" in edited.params["text"]
    assert button_data(edited, "✓ 8") == "dv:letters:hidden:8"
    # The choice is kept: the panel opened again (after a restart, too) still has it.
    await harness.restart()
    again = await harness.say(LEILA, "/demo letters")
    assert "hidden=8" in again.params["text"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_demo_command_runs_with_progress_and_sends_the_plot(demo_harness: Harness) -> None:
    harness = demo_harness
    since = harness.api.mark()
    await harness.api.send_text(LEILA, f"/demo letters {SMALL}")
    queued = await harness.api.wait_for("sendMessage", since=since)
    assert queued.params["text"].startswith("⏳")
    photo = await harness.api.wait_for("sendPhoto", since=since, patience=120)
    caption = photo.params["caption"]
    assert "تکرار: /demo letters" in caption
    assert "samples=40" in caption
    assert photo.files["photo"].startswith(b"\x89PNG")
    await harness.api.wait_for("deleteMessage", since=since)  # the progress message goes
    # The same request again comes from the cache, even inside the cooldown.
    since = harness.api.mark()
    await harness.api.send_text(LEILA, f"/demo letters {SMALL}")
    again = await harness.api.wait_for("sendPhoto", since=since)
    assert again.files["photo"] == photo.files["photo"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_long_caption_is_cut_to_telegrams_limit_in_utf16_units(
    demo_harness: Harness,
) -> None:
    harness = demo_harness
    assert harness.runtime is not None
    params = resolve("letters", dict(arg.split("=") for arg in SMALL.split()))
    # 600 characters but 1200 UTF-16 units: each emoji counts twice towards Telegram's 1024.
    async with harness.runtime.sessions.begin() as session:
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
    since = harness.api.mark()
    await harness.api.send_text(LEILA, f"/demo letters {SMALL}")
    photo = await harness.api.wait_for("sendPhoto", since=since)
    caption = photo.params["caption"]
    assert len(caption.encode("utf-16-le")) // 2 <= 1024
    assert caption.startswith("🏁🏁")
    assert "…\n\nتکرار: /demo letters" in caption  # cut short; the repeat line whole


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_bad_demo_requests_get_persian_answers(demo_harness: Harness) -> None:
    harness = demo_harness
    unknown = await harness.say(LEILA, "/demo astrology")
    assert unknown.params["text"].startswith("دمویی به اسم «astrology» نداریم")
    malformed = await harness.say(LEILA, "/demo letters hidden")
    assert "key=value" in malformed.params["text"]
    error = await harness.say(LEILA, "/demo letters hidden=1000")
    assert error.params["text"] == "«تعداد نورون لایهٔ پنهان» باید یکی از این‌ها باشه: 8، 16، 32، 64"
    error = await harness.say(LEILA, "/demo optimizers lr=5")
    assert error.params["text"] == "«نرخ یادگیری یکسان» باید بین ۰٫۰۰۰۱ و ۱ باشه."


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_deep_link_and_quiz_button_open_the_demo_panel(demo_harness: Harness) -> None:
    harness = demo_harness
    panel = await harness.say(LEILA, "/start demo_letters", where=lambda p: "🔬" in p["text"])
    assert "/demo letters" in panel.params["text"]
    since = harness.api.mark()
    await harness.api.send_text(LEILA, "/start quiz_act-relu-grad")
    poll = await harness.api.wait_for("sendPoll", since=since)
    assert button_data(poll, "خودت ببین") == "dm:activations"
    since = harness.api.mark()
    await harness.api.press(LEILA, harness.poll_message(harness.poll_id_of(poll)), "dm:activations")
    opened = await harness.api.wait_for("sendMessage", since=since)
    assert "/demo activations functions=" in opened.params["text"]
