"""Posts due at once to many channels: how long until every one is in its channel.

Quizbot's scheduler pass (claims, the real send pacing on the real clock, the PTB client)
against the fake Bot API over HTTP on 127.0.0.1, which refuses what Telegram would (30
messages a second overall, 20 a minute per channel). Beside it, the same posts sent the old
way (claim, send, record, one post after another), reproduced here, so the ratio shows in one
run. Each run has a fresh database copy, a fresh fake (in a process of its own: Telegram's
work is not on the bot's event loop) and a fresh bot; the median of the runs.

    .venv/bin/python bench/broadcast.py [--channels 100] [--posts 1] [--runs 3] [--held 3]
        [--no-old]

Two cases: every channel free, and channel 0's first post answered 429 (retry after `held`
seconds), which one after another holds up every channel behind it. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bench.common import bench_settings, start_fake
from bot.app import build_application
from bot.bank.loader import load_bank
from bot.channel_engine import claims
from bot.channel_engine.publisher import _send, deliver_notices
from bot.channel_engine.sender import DeliveryError
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import ItemKind, PostState, ScheduledPost
from bot.handlers.channel.jobs import run_scheduler_pass
from bot.handlers.channel.sender import TelegramChannelSender, TelegramNotifier
from bot.runtime import Runtime
from bot.services.channel import planning, registry
from bot.services.content.sync import sync_bank
from tests.fakebot import FakeBotApi

TOKEN = "123456789:AAE9xkq3v1mZ0Lr8pT2wQy7uN5sB4cD6eFg"
KEY = b"bench-key-" + b"k" * 32
KINDS = (ItemKind.QUIZ, ItemKind.QUIZ, ItemKind.LESSON, ItemKind.INTERVIEW)


def channel_chat(n: int) -> dict[str, Any]:
    """The Telegram chat of channel `n`."""
    return {"id": -100_700_000 - n, "type": "channel", "title": f"کانال {n}"}


async def prepare(url: str, channels: int, posts: int, now: datetime) -> None:
    """The real bank, the channels, `posts` posts due at `now` in each."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine).begin() as session:
            await sync_bank(session, load_bank(DEFAULT_CONTENT_DIR))
            for n in range(channels):
                chat = channel_chat(n)
                view = await registry.bot_added(session, chat["id"], chat["title"], None, now)
                for k in range(posts):
                    kind = KINDS[(n + k) % len(KINDS)]
                    await planning.schedule_post(session, view, kind, None, now, now)
    finally:
        await engine.dispose()


async def old_pass(runtime: Runtime, bot: Any) -> int:
    """The pass before issue 14: slots and stale claims, then claim one post, send it,
    record it, the next; then the admins' notices."""
    sender = TelegramChannelSender(bot)
    async with runtime.sessions.begin() as session:
        await planning.fill_slots(session, runtime.now())
        await claims.mark_interrupted(session, runtime.now())
    sent = 0
    while True:
        async with runtime.sessions.begin() as session:
            claim = await claims.claim_next(session, runtime.now(), "old")
        if claim is None:
            break
        try:
            result = await _send(sender, claim)
        except DeliveryError as error:
            async with runtime.sessions.begin() as session:
                await claims.mark_failed(session, claim.post_id, error, runtime.now())
            continue
        async with runtime.sessions.begin() as session:
            await claims.mark_sent(session, claim.post_id, result, runtime.now())
        sent += 1
    notifier = TelegramNotifier(bot, runtime.settings, runtime.sealer)
    await deliver_notices(runtime.sessions, notifier, runtime.now)
    return sent


async def serve_fake(channels: int, held: int) -> None:
    """The fake Bot API in a process of its own (Telegram is not on the bot's event loop).

    With `held`, channel 0's first quiz is answered 429: retry after `held` seconds. Prints
    its URL; when stdin closes, prints what it counted as JSON and ends.
    """
    api = FakeBotApi(TOKEN)
    url = await api.start()
    for n in range(channels):
        api.chats[channel_chat(n)["id"]] = channel_chat(n)
    if held:
        api.fail_next("sendPoll", 429, retry_after=held, chat_id=channel_chat(0)["id"])
    print(url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    sends = [c for c in api.calls if c.method in ("sendPoll", "sendMessage") and c.result]
    print(json.dumps({"sends": len(sends), "refused_for_flood": api.refused_for_flood}))
    await api.stop()


async def one_run(
    template: Path, folder: Path, channels: int, posts: int, way: str, held: int = 0
) -> float:
    """Seconds from the pass's start until every post is recorded sent."""
    path = folder / f"{way}.db"
    shutil.copy(template, path)
    url = f"sqlite+aiosqlite:///{path}"
    fake, api_url = await start_fake(__file__, "--channels", str(channels), "--held", str(held))
    assert fake.stdin is not None
    assert fake.stdout is not None
    settings = bench_settings(TOKEN, api_url, url, KEY)
    engine = create_engine(url)
    runtime = Runtime(settings, engine, KEY)
    app = build_application(runtime, TOKEN)  # the real pacing, on the real clock
    try:
        await app.initialize()
        passes: dict[str, Callable[[], Awaitable[int]]] = {
            "new": lambda: run_scheduler_pass(app.bot, runtime),
            "old": lambda: old_pass(runtime, app.bot),
        }
        began = time.perf_counter()
        sent = await passes[way]()
        seconds = time.perf_counter() - began
        async with runtime.sessions() as session:
            recorded = await session.scalar(
                select(func.count())
                .select_from(ScheduledPost)
                .where(ScheduledPost.state == PostState.SENT)
            )
    finally:
        await app.shutdown()
        await engine.dispose()
        fake.stdin.close()
        counted = json.loads((await fake.stdout.readline()).decode())
        await fake.wait()
    if not sent == recorded == counted["sends"] == channels * posts:
        raise RuntimeError(f"{way}: {sent} sent, {recorded} recorded, {counted}")
    if counted["refused_for_flood"]:
        raise RuntimeError(f"{way}: Telegram's limits exceeded: {counted}")
    return seconds


async def main(channels: int, posts: int, runs: int, old: bool, held: int) -> dict[str, Any]:
    """Every run of each way, plain and with a channel held by a 429; the medians."""
    ways = ["new", "old"] if old else ["new"]
    scenarios = {"": 0, "held_": held} if held else {"": 0}
    times: dict[str, list[float]] = {prefix + way: [] for prefix in scenarios for way in ways}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        template = folder / "template.db"
        url = f"sqlite+aiosqlite:///{template}"
        await asyncio.to_thread(migrate.upgrade, url)
        # Due a little before the runs start: every post is due, none past its grace.
        await prepare(url, channels, posts, datetime.now(UTC))
        for _ in range(runs):
            for prefix, seconds in scenarios.items():
                for way in ways:
                    run = await one_run(template, folder, channels, posts, way, seconds)
                    times[prefix + way].append(run)
    total = channels * posts
    figures: dict[str, Any] = {"channels": channels, "posts": total, "runs": runs}
    for prefix in scenarios:
        new = statistics.median(times[prefix + "new"])
        figures[f"{prefix}seconds"] = round(new, 2)
        figures[f"{prefix}posts_per_s"] = round(total / new, 1)
        if old:
            before = statistics.median(times[prefix + "old"])
            figures[f"{prefix}old_seconds"] = round(before, 2)
            figures[f"{prefix}speedup"] = round(before / new, 2)
    return figures


if __name__ == "__main__":
    if "--serve-fake" in sys.argv:
        asyncio.run(
            serve_fake(
                int(sys.argv[sys.argv.index("--channels") + 1]),
                int(sys.argv[sys.argv.index("--held") + 1]),
            )
        )
        sys.exit()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--posts", type=int, default=1, help="posts due in each channel")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--held", type=int, default=3, help="a 429's wait (0: no such run)")
    parser.add_argument("--no-old", dest="old", action="store_false")
    arguments = parser.parse_args()
    outcome = asyncio.run(
        main(arguments.channels, arguments.posts, arguments.runs, arguments.old, arguments.held)
    )
    for prefix, what in (("", "all free"), ("held_", f"one held {arguments.held} s by a 429")):
        if f"{prefix}seconds" not in outcome:
            continue
        line = (
            f"{outcome['posts']} posts to {outcome['channels']} channels, {what}: "
            f"{outcome[prefix + 'seconds']} s"
        )
        if arguments.old:
            line += (
                f" (one after another: {outcome[prefix + 'old_seconds']} s,"
                f" ×{outcome[prefix + 'speedup']})"
            )
        print(line)
    print(json.dumps(outcome))
