"""Fault storms on every Bot API method: nothing is lost, doubled or dropped without a word.

    .venv/bin/python stress/faults.py [--rate 0.25] [--learners 20] [--rounds 5]
        [--channels 6] [--max-delay 7] [--backend sqlite|postgresql|both] [--seed 1]

`quizbot run` against the fake Bot API while a `rate` share of every call (getUpdates and
getMe included) fails at random: 429 with retry_after, 500, 502, a slow answer of up to 7 s
that still goes through (past PTB's 5-second read timeout at times, as a real network does),
or, less often, a 400 refusal.
Meanwhile learners send /quiz and answer the polls they get, and channels have posts due.
Then the storm ends and the bot is given time to catch up. Checked:

- every answer Telegram delivered is stored, once;
- every /quiz got an answer: its poll, or the apology when the API kept failing;
- no channel post doubled; each one sent, failed or in doubt, and every failed or uncertain
  post reported to the admin chat once the API answers again.

The last line is JSON; the exit status is 1 on any loss.
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

from sqlalchemy import select

from bot import texts
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import PostState, Publication
from stress.answers_kill import start, stored_polls
from stress.botprocess import BACKENDS, TOKEN, BotProcess, fresh_database
from stress.posting_kill import (
    ADMIN_CHAT,
    channel_chat,
    channel_ids,
    channel_sends,
    check,
    posts_by_state,
    prepare,
)
from tests.fakebot import FakeBotApi, FakeUser

PATIENCE = 90.0


async def known_polls(url: str) -> set[str]:
    """The poll ids the bot recorded as sent."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            polls = (await session.scalars(select(Publication.poll_id))).all()
    finally:
        await engine.dispose()
    return {poll for poll in polls if poll is not None}


async def within_patience(check_now: Any) -> bool:
    """Wait until `check_now()` is true, at most PATIENCE seconds; whether it became true."""
    deadline = time.monotonic() + PATIENCE
    while not await check_now():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def eventually(check_now: Any, what: str) -> None:
    """Wait until `check_now()` is true; an error naming `what` past PATIENCE seconds."""
    if not await within_patience(check_now):
        raise RuntimeError(f"gave up waiting: {what}")


async def learners_round(api: FakeBotApi, learners: list[FakeUser]) -> tuple[int, list[str]]:
    """Each learner sends /quiz and answers the poll that comes; (unanswered, polls answered)."""
    since = api.mark()
    for learner in learners:
        await api.send_text(learner, "/quiz")

    def responses() -> dict[int, list[Any]]:
        got: dict[int, list[Any]] = {}
        for call in api.calls[since:]:
            if call.method in ("sendPoll", "sendMessage") and call.result is not None:
                got.setdefault(int(call.params["chat_id"]), []).append(call)
        return got

    async def all_answered() -> bool:
        return all(learner.id in responses() for learner in learners)

    await within_patience(all_answered)  # who got nothing is counted below
    got = responses()
    unanswered = sum(learner.id not in got for learner in learners)
    answered = []
    for learner in learners:
        for call in got.get(learner.id, []):
            if call.method == "sendPoll":
                poll_id = call.result["poll"]["id"]
                await api.answer_poll(
                    learner, poll_id, list(api.polls[poll_id]["correct_option_ids"])
                )
                answered.append(poll_id)
                break  # a retried send may have delivered two polls: the learner answers one
    return unanswered, answered


async def one_backend(backend: str, arguments: argparse.Namespace) -> dict[str, Any]:
    """A storm over one fresh database; the figures."""
    rng = random.Random(arguments.seed)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        async with fresh_database(backend, folder) as url:
            # Posts fall due while the storm rages.
            await prepare(url, arguments.channels, spread=arguments.spread)
            api = FakeBotApi(TOKEN)
            api_url = await api.start()
            chats = {channel_chat(n)["id"] for n in range(arguments.channels)}
            for n in range(arguments.channels):
                api.chats[channel_chat(n)["id"]] = channel_chat(n)
            api.chats[ADMIN_CHAT["id"]] = ADMIN_CHAT
            bot = BotProcess(api_url, url, folder)
            bot.env["SCHEDULER_INTERVAL_SECONDS"] = "0.5"
            bot.env["ADMIN_CHAT_ID"] = str(ADMIN_CHAT["id"])
            learners = [FakeUser(80_000_000 + n) for n in range(arguments.learners)]
            try:
                api.storm(arguments.rate, rng, arguments.max_delay)  # from the first call on
                await start(bot, api)
                unanswered, answered = 0, []
                for _ in range(arguments.rounds):
                    missing, polls = await learners_round(api, learners)
                    unanswered += missing
                    answered += polls
                api.storm(0)

                # The storm is over: the bot catches up (retries, notices from the outbox).
                async def caught_up() -> bool:
                    return not api.unconfirmed()

                await eventually(caught_up, "every update handled and confirmed")

                async def posting_done() -> bool:
                    posts = await posts_by_state(url)
                    return all(post.state is not PostState.PENDING for post in posts)

                await eventually(posting_done, "every post sent or settled")
                stored, _ = await stored_polls(url)
                known = await known_polls(url)
                posts = await posts_by_state(url)
                reported_needed = sum(
                    post.state in (PostState.FAILED, PostState.UNCERTAIN) for post in posts
                )

                def notices() -> int:
                    return sum(
                        call.method == "sendMessage"
                        and int(call.params["chat_id"]) == ADMIN_CHAT["id"]
                        and call.result is not None
                        for call in api.calls
                    )

                async def reported() -> bool:
                    return notices() >= reported_needed

                await within_patience(reported)  # what is still missing is counted below
                code = await bot.interrupt()
                figures = check(posts, channel_sends(api, chats), await channel_ids(url))
            finally:
                if bot.process is not None:
                    await bot.kill()
                await api.stop()
    figures.update(
        backend=backend,
        quiz_commands=arguments.learners * arguments.rounds,
        unanswered_commands=unanswered,
        answers_sent=len(answered),
        answers_lost=len([poll for poll in answered if poll in known and poll not in stored]),
        # A poll whose sendPoll timed out reached the learner, but the bot never learned its
        # id: its answer cannot be attributed (reported, not counted as lost).
        answers_to_unknown_polls=len([poll for poll in answered if poll not in known]),
        notices_needed=reported_needed,
        notices_missing=max(0, reported_needed - notices()),
        apologies=sum(
            call.method == "sendMessage" and call.params.get("text") == texts.TRY_AGAIN
            for call in api.calls
        ),
        faults_injected=dict(api.storm_hits),
        calls=len(api.calls),
        exit_code=code,
        seconds=round(time.perf_counter() - began),
    )
    return figures


async def main(arguments: argparse.Namespace) -> dict[str, Any]:
    """Every backend asked for; the totals."""
    backends = BACKENDS if arguments.backend == "both" else (arguments.backend,)
    results = {}
    for backend in backends:
        figures = await one_backend(backend, arguments)
        print(
            f"{backend}: storm of {arguments.rate:.0%} failed calls; "
            f"{figures['quiz_commands']} /quiz, {figures['unanswered_commands']} unanswered, "
            f"{figures['apologies']} apologies; {figures['answers_sent']} answers, "
            f"{figures['answers_lost']} lost, {figures['answers_to_unknown_polls']} to polls "
            f"whose send timed out; {figures['posts']} posts: {figures['sent']} sent, "
            f"{figures['failed']} failed, {figures['in_doubt']} in doubt, "
            f"{figures['doubled']} doubled, {figures['notices_missing']} not reported "
            f"({figures['seconds']} s)"
        )
        results[backend] = figures
    keys = ("unanswered_commands", "answers_lost", "doubled", "lost", "notices_missing")
    totals = {key: sum(r[key] for r in results.values()) for key in keys}
    totals["unclean_exits"] = sum(r["exit_code"] != 0 for r in results.values())
    return {**results, **totals}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=0.25)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--spread", type=float, default=10.0, help="posts fall due over (s)")
    parser.add_argument("--max-delay", type=float, default=7.0, help="slowest answer, seconds")
    parser.add_argument("--seed", type=int, default=1)
    figures = asyncio.run(main(parser.parse_args()))
    print(json.dumps(figures))
    bad = ("unanswered_commands", "answers_lost", "doubled", "lost", "notices_missing")
    sys.exit(1 if any(figures[key] for key in bad) or figures["unclean_exits"] else 0)
