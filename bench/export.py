"""Export time and peak memory with a million learner answers, for every format, in one run.

    .venv/bin/python bench/export.py [--answers 1000000] [--small 100000]

Two databases are filled (a small one and the full one) so the output shows whether memory
grows with the number of answers. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
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


async def _sync(url: str, bank: Bank) -> None:
    engine = create_engine(url)
    async with create_session_factory(engine).begin() as session:
        await sync_bank(session, bank)
    await engine.dispose()


def fill(path: Path, answers: int, bank: Bank) -> None:
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
    connection.close()


async def _views(url: str) -> list[export.View]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return await export.build_views(session, ZoneInfo("Asia/Tehran"))
    finally:
        await engine.dispose()


def measure(path: Path) -> dict[str, dict[str, float]]:
    """Seconds and peak traced memory (MiB) of each export, views included."""
    url = f"sqlite+aiosqlite:///{path}"
    figures = {}
    for fmt in export.FORMATS:
        tracemalloc.start()
        began = time.perf_counter()
        views = asyncio.run(_views(url))
        data, _ = export.render(views, fmt, datetime.now(UTC))
        seconds = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures[fmt] = {
            "seconds": round(seconds, 2),
            "peak_mib": round(peak / 2**20, 1),
            "bytes": len(data),
        }
    return figures


def main() -> None:
    """Fill, measure, print; the last line is JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    arguments = parser.parse_args()
    results: dict[str, object] = {}
    bank = load_bank(DEFAULT_CONTENT_DIR)  # parsed once for both databases
    with tempfile.TemporaryDirectory() as folder:
        for label, count in (("small", arguments.small), ("full", arguments.answers)):
            path = Path(folder) / f"{label}.db"
            began = time.perf_counter()
            fill(path, count, bank)
            print(f"filled {count} answers in {time.perf_counter() - began:.1f} s")
            figures = measure(path)
            for fmt, numbers in figures.items():
                print(
                    f"{count} answers, {fmt}: {numbers['seconds']} s, "
                    f"peak {numbers['peak_mib']} MiB"
                )
            results[label] = {"answers": count, **figures}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
