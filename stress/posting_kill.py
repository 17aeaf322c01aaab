"""kill -9 of scheduled posting at random moments: no post lost or doubled, numbers whole.

    .venv/bin/python stress/posting_kill.py [--kills 100] [--backend sqlite|postgresql|both]
        [--settle] [--seed 1]

Each backend: a fresh database with the real bank, channels known to the bot, and ten posts
due now per channel (quizzes, lessons, interview questions); `quizbot run` posts them through
the fake Bot API. `kills` times the script waits for a random number of channel sends (0-4)
and a random few milliseconds more, kills the bot with SIGKILL, and starts it again; then the
bot finishes. Checked at the end:

- doubled: a post that reached its channel twice (0 allowed);
- lost: a post neither sent nor left in doubt, or sent with no record (0 allowed);
- in doubt: claimed and cut short by a kill (`sending`, later `uncertain`): at most the sends
  in flight at the kill, one per channel and IN_FLIGHT at most (channels post at once);
- numbers: the quiz numbers of each channel are 1..n, none repeated, none skipped.

With `--settle` the bot then runs past the stale-claim time (2 minutes) and every post in doubt
must have been marked `uncertain` and reported to the admins. The last line is JSON; the exit
status is 1 on any doubled, lost or misnumbered post.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bot.bank.loader import load_bank
from bot.channel_engine.claims import STALE_CLAIM
from bot.channel_engine.publisher import IN_FLIGHT
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Channel, ItemKind, PostState, ScheduledPost
from bot.services.channel import planning, registry
from bot.services.content.sync import sync_bank
from stress.answers_kill import start
from stress.botprocess import BACKENDS, TOKEN, BotProcess, fresh_database
from tests.fakebot import Call, FakeBotApi

POSTS_PER_CHANNEL = (ItemKind.QUIZ,) * 6 + (ItemKind.LESSON,) * 2 + (ItemKind.INTERVIEW,) * 2
ADMIN_CHAT: dict[str, Any] = {"id": -100_900_000, "type": "supergroup", "title": "admins"}
PATIENCE = 120.0


def channel_chat(n: int) -> dict[str, Any]:
    """The Telegram chat of channel `n`."""
    return {"id": -100_800_000 - n, "type": "channel", "title": f"کانال {n}"}


async def prepare(url: str, channels: int, spread: float = 0.0) -> int:
    """Migrate, sync the bank, register the channels, queue their posts; how many posts.

    The posts fall due now, or spread evenly over the next `spread` seconds.
    """
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    step = timedelta(seconds=spread / max(1, channels * len(POSTS_PER_CHANNEL)))
    try:
        async with create_session_factory(engine).begin() as session:
            await sync_bank(session, load_bank(DEFAULT_CONTENT_DIR))
            for n in range(channels):
                chat = channel_chat(n)
                view = await registry.bot_added(session, chat["id"], chat["title"], None, now)
                for k, kind in enumerate(POSTS_PER_CHANNEL):
                    due = now + step * (n + channels * k)
                    await planning.schedule_post(session, view, kind, None, due, now)
    finally:
        await engine.dispose()
    return channels * len(POSTS_PER_CHANNEL)


def channel_sends(api: FakeBotApi, channels: set[int]) -> list[Call]:
    """The posts that reached a channel (calls Telegram answered)."""
    return [
        call
        for call in api.calls
        if call.method in ("sendPoll", "sendMessage")
        and call.result is not None
        and int(call.params["chat_id"]) in channels
    ]


async def posts_by_state(url: str) -> list[ScheduledPost]:
    """Every scheduled post as the database has it."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return list((await session.scalars(select(ScheduledPost))).all())
    finally:
        await engine.dispose()


async def channel_ids(url: str) -> dict[int, int]:
    """Database id of each channel by its Telegram chat id."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = (await session.execute(select(Channel.id, Channel.chat_id))).all()
            return {chat_id: channel_id for channel_id, chat_id in rows}
    finally:
        await engine.dispose()


async def wait_for_sends(api: FakeBotApi, chats: set[int], count: int, bot: BotProcess) -> None:
    """Wait until `count` posts have reached the channels."""
    await bot.wait_until(
        lambda: len(channel_sends(api, chats)) >= count,
        lambda: f"{len(channel_sends(api, chats))} sends of {count}",
        PATIENCE,
    )


async def settled(url: str, total: int) -> bool:
    """Nothing pending any more: every post sent, or in doubt."""
    posts = await posts_by_state(url)
    return all(post.state is not PostState.PENDING for post in posts) and len(posts) == total


def check(posts: list[ScheduledPost], sends: list[Call], ids: dict[int, int]) -> dict[str, Any]:
    """The figures of one backend's run."""
    # Each channel gets each item once: the same text twice in one channel is a doubled post.
    keys = [
        (call.params["chat_id"], call.params.get("question") or call.params.get("text"))
        for call in sends
    ]
    doubled = sum(times - 1 for times in Counter(keys).values())
    sent = [post for post in posts if post.state is PostState.SENT]
    doubt = [post for post in posts if post.state in (PostState.SENDING, PostState.UNCERTAIN)]
    # Refused by Telegram after the retries: its admins are told (checked by the caller).
    failed = [post for post in posts if post.state is PostState.FAILED]
    other = [post for post in posts if post not in sent + doubt + failed]
    # Every send is one post's: sent ones for sure, in-doubt ones perhaps.
    unrecorded = max(0, len(set(keys)) - len(sent) - len(doubt))
    misnumbered = 0
    for channel_id in ids.values():
        # A number is taken at the claim and kept: a failed post keeps its number for /postnow.
        numbers = sorted(
            post.quiz_number or 0  # 0: a quiz claimed without a number, a defect itself
            for post in sent + doubt + failed
            if post.channel_id == channel_id and post.kind is ItemKind.QUIZ
        )
        if numbers != list(range(1, len(numbers) + 1)):
            misnumbered += 1
    return {
        "posts": len(posts),
        "sent": len(sent),
        "in_doubt": len(doubt),
        "uncertain": sum(post.state is PostState.UNCERTAIN for post in doubt),
        "failed": len(failed),
        "lost": len(other) + unrecorded,
        "doubled": doubled,
        "misnumbered_channels": misnumbered,
    }


async def one_backend(backend: str, arguments: argparse.Namespace) -> dict[str, Any]:
    """All the kills on one fresh database; the figures."""
    rng = random.Random(arguments.seed)
    began = time.perf_counter()
    # Enough posts that every kill lands while there is posting to do.
    channels = max(2, (arguments.kills * 3) // len(POSTS_PER_CHANNEL) + 2)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        async with fresh_database(backend, folder) as url:
            total = await prepare(url, channels)
            api = FakeBotApi(TOKEN)
            api_url = await api.start()
            chats = {channel_chat(n)["id"] for n in range(channels)}
            for n in range(channels):
                api.chats[channel_chat(n)["id"]] = channel_chat(n)
            api.chats[ADMIN_CHAT["id"]] = ADMIN_CHAT
            bot = BotProcess(api_url, url, folder)
            bot.env["SCHEDULER_INTERVAL_SECONDS"] = "0.2"
            bot.env["ADMIN_CHAT_ID"] = str(ADMIN_CHAT["id"])
            try:
                for _ in range(arguments.kills):
                    await start(bot, api)
                    target = len(channel_sends(api, chats)) + rng.randint(0, 4)
                    await wait_for_sends(api, chats, min(target, total), bot)
                    await asyncio.sleep(rng.uniform(0, 0.03))
                    await bot.kill()
                await start(bot, api)
                deadline = time.monotonic() + PATIENCE
                while not await settled(url, total):
                    if time.monotonic() > deadline:
                        raise RuntimeError("posting never finished")
                    await asyncio.sleep(0.2)
                if arguments.settle:
                    # Claims cut short turn `uncertain` once stale; their notices go out.
                    await asyncio.sleep(STALE_CLAIM.total_seconds() + 5)
                await bot.interrupt()
                posts = await posts_by_state(url)
                figures = check(posts, channel_sends(api, chats), await channel_ids(url))
                notices = [
                    call
                    for call in api.calls
                    if call.method == "sendMessage"
                    and int(call.params["chat_id"]) == ADMIN_CHAT["id"]
                    and call.result is not None
                ]
                figures["admin_notices"] = len(notices)
                if arguments.settle:
                    figures["unreported"] = max(0, figures["in_doubt"] - figures["uncertain"])
                    figures["unreported"] += max(0, figures["uncertain"] - len(notices))
            finally:
                if bot.process is not None:
                    await bot.kill()
                await api.stop()
    figures.update(
        backend=backend,
        kills=arguments.kills,
        channels=channels,
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
            f"{backend}: {figures['kills']} kill -9 over {figures['posts']} posts: "
            f"{figures['sent']} sent, {figures['in_doubt']} in doubt, {figures['lost']} lost, "
            f"{figures['doubled']} doubled, {figures['misnumbered_channels']} channels "
            f"misnumbered ({figures['seconds']} s)"
        )
        results[backend] = figures
    keys = ("lost", "doubled", "misnumbered_channels", "unreported")
    totals: dict[str, Any] = {key: sum(r.get(key, 0) for r in results.values()) for key in keys}
    totals["too_many_in_doubt"] = sum(
        r["in_doubt"] > r["kills"] * min(IN_FLIGHT, r["channels"]) for r in results.values()
    )
    return {**results, **totals}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--settle", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    figures = asyncio.run(main(parser.parse_args()))
    print(json.dumps(figures))
    bad = ("lost", "doubled", "misnumbered_channels", "unreported", "too_many_in_doubt")
    sys.exit(1 if any(figures[key] for key in bad) else 0)
