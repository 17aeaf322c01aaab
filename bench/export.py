"""Export time at a million learner answers, every format, beside a plain sqlite3 dump.

    .venv/bin/python bench/export.py [--answers 1000000] [--small 100000] [--runs 3] [--posts 300]

Each export is what /export's background job does (bench it as `build_export`: the views'
queries in a read session, the file written in a thread). The floor is a plain `sqlite3`
dump (the standard library's module, csv.writer, no SQLAlchemy) of the rows the export reads:
every learner answer. Runs alternate floor, csv, xlsx, json; the figures are medians, the
ratio is export / floor. `max_stall_s` is the longest the event loop went without running
while an export ran (a 5 ms ticker beside it): what the other updates would wait. Peak memory
is traced in one run apart (tracing slows the code it traces). A small database and the full
one show whether memory grows with the answers. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bank.loader import Bank, load_bank
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.services.content.sync import sync_bank
from bot.services.reporting import export

LEARNERS = 20_000
BATCH = 50_000
CHANNEL_CHAT_ID = -100_777
CHANNEL_POSTS = 300  # a channel's quizzes by default, each with SNAPSHOTS vote snapshots
SNAPSHOTS = 10
TICK = 0.005


async def _sync(url: str, bank: Bank) -> None:
    engine = create_engine(url)
    async with create_session_factory(engine).begin() as session:
        await sync_bank(session, bank)
    await engine.dispose()


def fill(path: Path, answers: int, bank: Bank, posts: int = CHANNEL_POSTS) -> None:
    """A database with `answers` first and repeated answers spread over 60 days."""
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url)
    asyncio.run(_sync(url, bank))
    quizzes = [(q.item.id, len(q.item.options), q.item.correct_indexes[0]) for q in bank.quizzes]
    rng = random.Random(7)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    seen: dict[tuple[int, int], int] = {}
    publications, rows = [], []
    for n in range(1, answers + 1):
        learner = rng.randrange(LEARNERS)
        quiz_index = rng.randrange(len(quizzes))
        quiz_id, options, correct = quizzes[quiz_index]
        attempt = seen.get((learner, quiz_index), 0) + 1
        seen[(learner, quiz_index)] = attempt
        # Stronger learners (lower ids) answer right more often: discrimination shows.
        right = rng.random() < 0.85 - 0.5 * learner / LEARNERS
        chosen = correct if right else rng.choice([i for i in range(options) if i != correct])
        moment = (start + timedelta(seconds=rng.randrange(60 * 86400))).strftime(
            "%Y-%m-%d %H:%M:%S.000000"
        )
        learner_hash = f"{learner:064x}"
        publications.append((n, "private", "single", learner_hash, n, moment, "quiz", quiz_id))
        rows.append((n, learner_hash, n, quiz_id, 1 << chosen, right, attempt, moment))
        if len(rows) == BATCH or n == answers:
            connection.executemany(
                "INSERT INTO publications (id, audience, purpose, learner_hash, message_id,"
                " sent_at, kind, quiz_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                publications,
            )
            connection.executemany(
                "INSERT INTO learner_answers (id, learner_hash, publication_id, quiz_id,"
                " option_mask, is_correct, attempt, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            connection.commit()
            publications, rows = [], []
    _fill_channel(connection, quizzes, answers + 1, start, rng, posts)
    connection.close()


def _fill_channel(
    connection: sqlite3.Connection,
    quizzes: list[tuple[str, int, int]],
    first_id: int,
    start: datetime,
    rng: random.Random,
    posts: int,
) -> None:
    """One channel's quiz posts with their vote snapshots (the channel views' rows)."""
    stamp = "%Y-%m-%d %H:%M:%S.000000"
    connection.execute(
        "INSERT INTO channels (id, chat_id, title, bot_is_admin, default_hashtags,"
        " next_quiz_number, silent, pin_quizzes, grace_minutes, created_at, updated_at)"
        " VALUES (1, ?, 'کانال سنجش', 1, '[]', ?, 0, 0, 30, ?, ?)",
        (CHANNEL_CHAT_ID, posts + 1, start.strftime(stamp), start.strftime(stamp)),
    )
    snapshot_id = 0
    for n in range(posts):
        quiz_id, options, _ = quizzes[n % len(quizzes)]
        sent = start + timedelta(hours=4 * n)
        connection.execute(
            "INSERT INTO publications (id, audience, purpose, channel_id, message_id, poll_id,"
            " quiz_number, sent_at, kind, quiz_id) VALUES (?, 'channel', 'channel', 1, ?, ?, ?,"
            " ?, 'quiz', ?)",
            (first_id + n, n + 1, f"p{n}", n + 1, sent.strftime(stamp), quiz_id),
        )
        for k in range(SNAPSHOTS):
            snapshot_id += 1
            counts = [rng.randrange(50 * (k + 1)) for _ in range(options)]
            connection.execute(
                "INSERT INTO vote_snapshots (id, publication_id, taken_at, total_voter_count,"
                " is_closed, source) VALUES (?, ?, ?, ?, ?, 'live')",
                (
                    snapshot_id,
                    first_id + n,
                    (sent + timedelta(minutes=20 * k)).strftime(stamp),
                    sum(counts),
                    k == SNAPSHOTS - 1,
                ),
            )
            connection.executemany(
                "INSERT INTO vote_snapshot_options (snapshot_id, position, voter_count)"
                " VALUES (?, ?, ?)",
                [(snapshot_id, position, count) for position, count in enumerate(counts)],
            )
    connection.commit()


async def _export(url: str, fmt: str) -> tuple[int, float]:
    """One export as the job builds it: its size in bytes and the longest loop stall."""
    engine = create_engine(url)
    request = export.ExportRequested(CHANNEL_CHAT_ID, "bench", fmt)
    loop = asyncio.get_running_loop()
    stall = 0.0
    running = True

    async def tick() -> None:
        nonlocal stall
        while running:
            before = loop.time()
            await asyncio.sleep(TICK)
            stall = max(stall, loop.time() - before - TICK)

    ticker = asyncio.create_task(tick())
    try:
        async with create_session_factory(engine, read_only=True).begin() as session:
            ready = await export.build_export(
                session, request, ZoneInfo("Asia/Tehran"), datetime.now(UTC)
            )
    finally:
        running = False
        await ticker
        await engine.dispose()
    return len(ready.data), stall


def dump(path: Path, out: Path) -> None:
    """The floor: every answer row read with plain sqlite3 and written as CSV."""
    connection = sqlite3.connect(path)
    try:
        with out.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows(connection.execute("SELECT * FROM learner_answers"))
    finally:
        connection.close()


def _timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def measure(path: Path, runs: int) -> dict[str, object]:
    """Median seconds of each format and of the floor, ratios, loop stalls, peak memory."""
    url = f"sqlite+aiosqlite:///{path}"
    seconds: dict[str, list[float]] = {fmt: [] for fmt in ("floor", *export.FORMATS)}
    stalls: dict[str, float] = dict.fromkeys(export.FORMATS, 0.0)
    sizes: dict[str, int] = {}
    for _ in range(runs):
        seconds["floor"].append(_timed(lambda: dump(path, path.with_suffix(".csv"))))
        for fmt in export.FORMATS:
            began = time.perf_counter()
            size, stall = asyncio.run(_export(url, fmt))
            seconds[fmt].append(time.perf_counter() - began)
            sizes[fmt], stalls[fmt] = size, max(stalls[fmt], stall)
    floor = statistics.median(seconds["floor"])
    figures: dict[str, object] = {"floor_s": round(floor, 2)}
    for fmt in export.FORMATS:
        tracemalloc.start()
        asyncio.run(_export(url, fmt))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        median = statistics.median(seconds[fmt])
        figures[fmt] = {
            "median_s": round(median, 2),
            "runs_s": [round(value, 2) for value in seconds[fmt]],
            "ratio": round(median / floor, 2),
            "max_stall_s": round(stalls[fmt], 3),
            "peak_mib": round(peak / 2**20, 1),
            "bytes": sizes[fmt],
        }
    return figures


def main() -> None:
    """Fill, measure, print; the last line is JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="0: no small database")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--posts", type=int, default=CHANNEL_POSTS, help="the channel's quiz posts in each database"
    )
    arguments = parser.parse_args()
    results: dict[str, object] = {}
    bank = load_bank(DEFAULT_CONTENT_DIR)  # parsed once for both databases
    with tempfile.TemporaryDirectory() as folder:
        for label, count in (("small", arguments.small), ("full", arguments.answers)):
            if count == 0:
                continue
            path = Path(folder) / f"{label}.db"
            began = time.perf_counter()
            fill(path, count, bank, arguments.posts)
            print(f"filled {count} answers in {time.perf_counter() - began:.1f} s")
            figures = measure(path, arguments.runs)
            print(f"{count} answers, plain sqlite3 dump (floor): {figures['floor_s']} s")
            for fmt in export.FORMATS:
                numbers = figures[fmt]
                assert isinstance(numbers, dict)
                print(
                    f"{count} answers, {fmt}: {numbers['median_s']} s (median of"
                    f" {arguments.runs}), {numbers['ratio']}x the floor, loop stall"
                    f" ≤{numbers['max_stall_s']} s, peak {numbers['peak_mib']} MiB"
                )
            results[label] = {"answers": count, **figures}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
