"""`quizbot run` as an operator starts it: migrate, sync, then serve learners over polling."""

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from tests.fakebot import FakeBotApi, FakeUser
from tests.harness import HASH_KEY, TOKEN

QUIZBOT = Path(sys.executable).parent / "quizbot"
MINA = FakeUser(44_444_444, "Mina")


async def start_run(folder: Path, api_url: str, token: str) -> asyncio.subprocess.Process:
    """`quizbot run` with only the four variables it needs, its output captured."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        "ANSWER_HASH_KEY": HASH_KEY.decode(),
        # Optional, and off here: warming the demos up would start a worker with torch.
        "DEMO_WARMUP": "false",
    }
    return await asyncio.create_subprocess_exec(
        str(QUIZBOT),
        "run",
        cwd=folder,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_run_needs_only_four_variables_and_serves_learners(tmp_path: Path) -> None:
    api = FakeBotApi(TOKEN)
    url = await api.start()
    # Telegram is having a bad moment as the bot starts: it waits that out instead of exiting.
    api.fail_next("getMe", 502)
    api.fail_next("setMyCommands", 500)
    process = await start_run(tmp_path, url, TOKEN)
    try:
        await api.wait_for("setMyCommands", patience=60)
        since = api.mark()
        await api.send_text(MINA, "/quiz cnn")
        poll = await api.wait_for("sendPoll", since=since, patience=30)
        assert poll.params["type"] == "quiz"
        assert poll.params["is_anonymous"] is False
    finally:
        await api.release_polls()
        process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
        await api.stop()
    assert process.returncode == 0
    assert TOKEN not in stdout.decode() + stderr.decode()
    assert re.search(r"quizzes: [1-9][0-9]* added", stdout.decode())  # the bank was synced first


async def test_a_refused_token_is_said_in_one_line_and_never_printed(tmp_path: Path) -> None:
    api = FakeBotApi(TOKEN)  # knows only its own bot's token
    url = await api.start()
    revoked = "987654321:AAHrevokedTokenXXXXXXXXXXXXXXXXXXXXX"
    process = await start_run(tmp_path, url, revoked)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await api.stop()
    output = stdout.decode() + stderr.decode()
    assert process.returncode == 2
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in stderr.decode()
    assert revoked not in output
    assert revoked.split(":")[1] not in output  # not even the secret half
    assert "Traceback" not in output
