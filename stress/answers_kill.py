"""kill -9 in the middle of an answer stream: no answer Telegram was told we have is lost.

    .venv/bin/python stress/answers_kill.py [--answers 480] [--kills 3] [--runs 3]
        [--backend sqlite|postgresql|both] [--seed 1]

Each run: a fresh database holding the bank and `answers` open private quiz polls (inserted
directly, as if sent earlier: sending them through Telegram's 30-a-second limit would only
measure the limit); every answer queued on the fake Bot API; `quizbot run` started. Then,
`kills` times, the script waits until a random number of answers has been confirmed to
Telegram (a getUpdates offset past them), kills the bot with SIGKILL, checks that every
confirmed answer is in the database, and starts it again. At the end every answer must be
stored exactly once. The last line printed is JSON; the exit status is 1 on any loss.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bot.bank.loader import load_bank
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Audience, ItemKind, LearnerAnswer, Publication, Purpose, Quiz
from bot.services.content.sync import sync_bank
from bot.services.privacy import learner_hash
from stress.botprocess import BACKENDS, HASH_KEY, TOKEN, BotProcess, fresh_database
from tests.fakebot import FakeBotApi, FakeUser

LEARNERS = 40
PATIENCE = 120.0  # seconds without progress before a run counts as stalled


async def prepare(url: str, answers: int) -> None:
    """Migrate, sync the bank, and open one private quiz poll per answer to come."""
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    try:
        async with create_session_factory(engine).begin() as session:
            await sync_bank(session, load_bank(DEFAULT_CONTENT_DIR))
            # Answers pick option n % 4: only quizzes with four options or more take every one
            # (the bank also has two- and three-option quizzes).
            quiz_ids = [
                quiz.id
                for quiz in (await session.scalars(select(Quiz))).all()
                if len(quiz.options) >= 4
            ]
            rows = [
                {
                    "audience": Audience.PRIVATE,
                    "purpose": Purpose.SINGLE,
                    "learner_hash": learner_hash(HASH_KEY, learner_id(n)),
                    "kind": ItemKind.QUIZ,
                    "quiz_id": quiz_ids[n % len(quiz_ids)],
                    "poll_id": f"stress-{n}",
                    "message_id": n + 1,
                }
                for n in range(answers)
            ]
            if rows:
                await session.execute(insert(Publication), rows)
    finally:
        await engine.dispose()


def learner_id(n: int) -> int:
    """The Telegram user who answers poll `n` (each learner answers several)."""
    return 60_000_000 + n % LEARNERS


async def stored_polls(url: str) -> tuple[set[str], int]:
    """The polls whose answer is in the database, and the number of answer rows."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            polls = set(
                (
                    await session.scalars(
                        select(Publication.poll_id).join(
                            LearnerAnswer, LearnerAnswer.publication_id == Publication.id
                        )
                    )
                ).all()
            )
            rows = await session.scalar(select(func.count()).select_from(LearnerAnswer))
    finally:
        await engine.dispose()
    return {poll for poll in polls if poll is not None}, int(rows or 0)


# How long after the chosen confirmation the kill comes, at most.
KILL_WITHIN_SECONDS = 0.04


async def wait_confirmed(api: FakeBotApi, below: int, bot: BotProcess) -> None:
    """Wait until Telegram has been told of every update before `below`."""
    await bot.wait_until(
        lambda: api.confirmed_below >= below,
        lambda: f"at update {api.confirmed_below} of {below}",
        PATIENCE,
    )


async def start(bot: BotProcess, api: FakeBotApi) -> None:
    """Start the bot and wait until it serves (it names its commands just before polling)."""
    since = api.mark()
    await bot.start()
    await api.wait_for("setMyCommands", since=since, patience=PATIENCE)


async def one_run(backend: str, answers: int, kills: int, rng: random.Random) -> dict[str, Any]:
    """One database, one answer stream, `kills` kill -9s and a clean finish."""
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        async with fresh_database(backend, folder) as url:
            await prepare(url, answers)
            api = FakeBotApi(TOKEN)
            api_url = await api.start()
            try:
                poll_of: dict[int, str] = {}
                for n in range(answers):
                    await api.answer_poll(FakeUser(learner_id(n)), f"stress-{n}", [n % 4])
                    poll_of[api.unconfirmed()[-1]] = f"stress-{n}"
                first, last = min(poll_of), max(poll_of)
                bot = BotProcess(api_url, url, folder)
                lost = 0
                at_kill: list[tuple[int, int]] = []  # (confirmed, stored) at each kill
                span = (last - first + 1) / kills
                for k in range(kills):
                    await start(bot, api)
                    # A random moment within the k-th share of the stream (before the end).
                    low = min(max(first + int(k * span), api.confirmed_below), last)
                    target = rng.randint(low, max(low, first + int((k + 1) * span) - 1))
                    await wait_confirmed(api, target, bot)
                    # Confirmations come a batch at a time (100 updates, 15-40 ms here): a
                    # random pause puts the kill anywhere in the handling of the next one or
                    # two. (Half a second, as before, let the bot finish the whole stream.)
                    await asyncio.sleep(rng.uniform(0, KILL_WITHIN_SECONDS))
                    await bot.kill()
                    confirmed = {poll for uid, poll in poll_of.items() if uid < api.confirmed_below}
                    stored, _ = await stored_polls(url)
                    lost += len(confirmed - stored)
                    at_kill.append((len(confirmed), len(stored)))
                await start(bot, api)
                await wait_confirmed(api, last + 1, bot)
                exit_code = await bot.interrupt()
                if exit_code != 0:
                    print(f"the bot exited with {exit_code}:\n{bot.output()[-3000:]}")
                stored, rows = await stored_polls(url)
            finally:
                await api.stop()
    return {
        "backend": backend,
        "answers": answers,
        "kills": kills,
        "confirmed_at_kills": at_kill,
        "lost": lost,
        "missing_at_end": answers - len(stored),
        "doubled": rows - len(stored),
        "exit_code": exit_code,
        "seconds": round(time.perf_counter() - began, 1),
    }


async def main(arguments: argparse.Namespace) -> dict[str, Any]:
    """Every run on every backend asked for; the totals."""
    rng = random.Random(arguments.seed)
    backends = BACKENDS if arguments.backend == "both" else (arguments.backend,)
    runs = []
    for backend in backends:
        for _ in range(arguments.runs):
            run = await one_run(backend, arguments.answers, arguments.kills, rng)
            print(
                f"{backend}: {run['answers']} answers, kill -9 at (confirmed, stored) "
                f"{run['confirmed_at_kills']}; lost {run['lost']}, missing at the "
                f"end {run['missing_at_end']}, doubled {run['doubled']} ({run['seconds']} s)"
            )
            runs.append(run)
    return {
        "runs": len(runs),
        "answers": sum(run["answers"] for run in runs),
        "kills": sum(run["kills"] for run in runs),
        "lost": sum(run["lost"] for run in runs),
        "missing_at_end": sum(run["missing_at_end"] for run in runs),
        "doubled": sum(run["doubled"] for run in runs),
        "unclean_exits": sum(run["exit_code"] != 0 for run in runs),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=480)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    totals = asyncio.run(main(parser.parse_args()))
    print(json.dumps(totals))
    failed = totals["lost"] + totals["missing_at_end"] + totals["doubled"] + totals["unclean_exits"]
    sys.exit(1 if failed else 0)
