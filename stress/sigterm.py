"""SIGTERM to the bot's process group, as systemd stops a service: the bot exits, cleanly, soon.

    .venv/bin/python stress/sigterm.py [--rounds 3] [--backlog 300] [--limit 20]

Three moments, `rounds` times each: after a demo has run (its worker idle), while a demo runs
(its worker busy), and with a backlog of answers queued on the fake Bot API. Each time the
whole process group gets SIGTERM; the bot must exit with status 0 within `limit` seconds and
print no traceback. After the backlog round, a fresh start must store every answer queued
(what was cut short was not confirmed to Telegram, so it comes again). The last line is JSON;
the exit status is 1 if any round failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import texts
from stress.answers_kill import learner_id as answerer
from stress.answers_kill import prepare, start, stored_polls, wait_confirmed
from stress.botprocess import TOKEN, BotProcess, fresh_database
from tests.fakebot import FakeBotApi, FakeUser

LEARNER = FakeUser(70_000_001, "Leila")
# Small enough to finish in a second or two once torch is loaded; big enough to be mid-run.
QUICK_DEMO = "/demo gradients seeds=1"
LONG_DEMO = "/demo letters samples=500 steps=1000 seeds=5"


async def terminate(bot: BotProcess, limit: float) -> tuple[float, int | None]:
    """SIGTERM to the bot's process group; seconds until it exited and its status (None: hung)."""
    assert bot.process is not None
    process = bot.process
    began = time.perf_counter()
    os.killpg(process.pid, signal.SIGTERM)
    try:
        code: int | None = await asyncio.wait_for(process.wait(), limit)
    except TimeoutError:
        code = None
        os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
    bot.process = None
    return time.perf_counter() - began, code


async def one_round(moment: str, backlog: int, limit: float, seed: int) -> dict[str, Any]:
    """Start a bot, bring it to `moment`, SIGTERM its group; what happened."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        async with fresh_database("sqlite", folder) as url:
            await prepare(url, backlog if moment == "backlog" else 0)
            api = FakeBotApi(TOKEN)
            api_url = await api.start()
            bot = BotProcess(api_url, url, folder)
            bot.env["DEMO_COOLDOWN_SECONDS"] = "0"
            stored_after = None
            try:
                await start(bot, api)
                if moment == "after a demo":
                    since = api.mark()
                    await api.send_text(LEARNER, QUICK_DEMO)
                    await api.wait_for("sendPhoto", since=since, patience=120)
                elif moment == "during a demo":
                    since = api.mark()
                    await api.send_text(LEARNER, LONG_DEMO)
                    await api.wait_for("editMessageText", since=since, patience=120)  # running
                else:
                    for n in range(backlog):
                        await api.answer_poll(FakeUser(answerer(n)), f"stress-{n}", [n % 4])
                    last = api.unconfirmed()[-1]
                    await wait_confirmed(api, last - backlog // 2, bot)  # mid-stream
                mark = api.mark()
                seconds, code = await terminate(bot, limit)
                output = bot.output()
                told = texts.DEMO_INTERRUPTED in api.texts_to(LEARNER.id, mark)
                if moment == "backlog":
                    await start(bot, api)
                    await wait_confirmed(api, last + 1, bot)
                    await bot.interrupt()
                    stored, _ = await stored_polls(url)
                    stored_after = len(stored)
            finally:
                if bot.process is not None:
                    await bot.kill()
                await api.stop()
    return {
        "moment": moment,
        "seconds": round(seconds, 2),
        "exit_code": code,
        "traceback": "Traceback" in output,
        "token_shown": TOKEN in output,
        # A run cut short is said so (the worker may also finish first: then nothing to say).
        "learner_told": told if moment == "during a demo" else None,
        "answers_stored": stored_after,
        "answers_queued": backlog if moment == "backlog" else None,
    }


async def main(arguments: argparse.Namespace) -> dict[str, Any]:
    """Every round; the totals."""
    results = []
    for round_number in range(arguments.rounds):
        for moment in arguments.moments:
            result = await one_round(moment, arguments.backlog, arguments.limit, round_number)
            print(
                f"{moment}: exit {result['exit_code']} after {result['seconds']} s"
                + (", traceback printed" if result["traceback"] else "")
                + (", the learner was told" if result["learner_told"] else "")
                + (
                    f", {result['answers_stored']} of {result['answers_queued']} answers stored"
                    if result["moment"] == "backlog"
                    else ""
                )
            )
            results.append(result)
    failed = [
        result
        for result in results
        if result["exit_code"] != 0
        or result["traceback"]
        or result["token_shown"]
        or result["answers_stored"] != result["answers_queued"]
        or result["learner_told"] is False
    ]
    return {
        "rounds": len(results),
        "failed": len(failed),
        "slowest_exit_s": max(result["seconds"] for result in results),
        "limit_s": arguments.limit,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=300)
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument(
        "--moments",
        nargs="+",
        default=["after a demo", "during a demo", "backlog"],
        choices=["after a demo", "during a demo", "backlog"],
    )
    totals = asyncio.run(main(parser.parse_args()))
    print(json.dumps(totals))
    sys.exit(1 if totals["failed"] else 0)
