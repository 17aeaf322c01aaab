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


async def test_run_needs_only_four_variables_and_serves_learners(tmp_path: Path) -> None:
    api = FakeBotApi(TOKEN)
    url = await api.start()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "ANSWER_HASH_KEY": HASH_KEY.decode(),
    }
    process = await asyncio.create_subprocess_exec(
        str(QUIZBOT),
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
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
        stdout, _ = await asyncio.wait_for(process.communicate(), 60)
        await api.stop()
    assert process.returncode == 0
    assert re.search(r"quizzes: [1-9][0-9]* added", stdout.decode())  # the bank was synced first
