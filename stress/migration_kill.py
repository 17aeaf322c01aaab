"""kill -9 in the middle of a first migration: the next upgrade still succeeds, whole.

    .venv/bin/python stress/migration_kill.py [--trials 50] [--backend sqlite|postgresql|both]

Each trial migrates an empty database in a forked process (the modules already imported, so
the migration starts at once) and kills it with SIGKILL after a random delay within the time a
clean migration takes. Then the upgrade runs again: it must succeed, and the schema must match
the models (`quizbot db check`). A database that cannot be migrated any more is "bricked". The
last line is JSON; the exit status is 1 if any database was bricked.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db import migrate
from bot.db.engine import create_engine
from stress.botprocess import BACKENDS, fresh_database


async def revision_of(url: str) -> str | None:
    """The revision the database says it is at (None: not migrated at all)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


def migrate_in_child(url: str) -> multiprocessing.process.BaseProcess:
    """Start the migration in a forked process."""
    process = multiprocessing.get_context("fork").Process(target=migrate.upgrade, args=(url,))
    process.start()
    return process


async def trial(backend: str, folder: Path, delay: float, head: str) -> dict[str, Any]:
    """Kill one first migration after `delay` seconds; then migrate again and check."""
    async with fresh_database(backend, folder) as url:
        child = migrate_in_child(url)
        await asyncio.sleep(delay)
        if child.pid is not None and child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
        child.join()
        at_kill = await revision_of(url)
        try:
            await asyncio.to_thread(migrate.upgrade, url)
            with contextlib.redirect_stdout(io.StringIO()):  # alembic's "no new operations"
                await asyncio.to_thread(migrate.check, url)
            error = None
        except Exception as failure:  # the defect under test: report it, go on
            error = f"{type(failure).__name__}: {str(failure).splitlines()[0]}"
    return {"cut_short": at_kill != head, "bricked": error is not None, "error": error}


async def clean_seconds(backend: str, folder: Path) -> float:
    """How long an uninterrupted first migration takes in a forked process."""
    async with fresh_database(backend, folder) as url:
        began = time.perf_counter()
        child = migrate_in_child(url)
        await asyncio.to_thread(child.join)
        return time.perf_counter() - began


async def main(arguments: argparse.Namespace) -> dict[str, Any]:
    """Every trial on every backend asked for; the totals."""
    rng = random.Random(arguments.seed)
    backends = BACKENDS if arguments.backend == "both" else (arguments.backend,)
    head = str(ScriptDirectory.from_config(migrate.alembic_config("")).get_current_head())
    totals: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for backend in backends:
            span = await clean_seconds(backend, folder)
            results = [
                await trial(backend, folder, rng.uniform(0, span), head)
                for _ in range(arguments.trials)
            ]
            errors = sorted({r["error"] for r in results if r["error"]})
            totals[backend] = {
                "trials": len(results),
                "cut_short": sum(r["cut_short"] for r in results),
                "bricked": sum(r["bricked"] for r in results),
                "clean_migration_s": round(span, 2),
            }
            print(
                f"{backend}: {len(results)} kills within {span:.2f} s of migration, "
                f"{totals[backend]['cut_short']} cut it short, "
                f"{totals[backend]['bricked']} bricked" + "".join(f"\n  {e}" for e in errors)
            )
    totals["bricked"] = sum(totals[b]["bricked"] for b in backends)
    return totals


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    figures = asyncio.run(main(parser.parse_args()))
    print(json.dumps(figures))
    sys.exit(1 if figures["bricked"] else 0)
