"""Fuzz the content importers with mutated GIFT, Aiken, CSV, Telegram export and YAML files.

    python stress/importers.py --inputs 10000 [--seed N] [--out DIR] [--max-seconds S]

Each input (see stress/fuzz_inputs.py) goes through the functions `quizbot content` calls:
`import_quizzes` (then the content file it would write must load again), `load_bank`, and
`read_export` then `import_history` on a scratch SQLite database (or, with --postgres, a
scratch database on a local PostgreSQL server), in a worker process. Every outcome is counted:
accepted, refused with the project's content error naming the file, or a failure: a
traceback, an error that names no file or cannot be printed, an accepted import whose file
does not load, or an input taking more than --slow-seconds of CPU in the fastest of three
runs (one still running after --timeout is killed). Failing inputs and what they caused are
written to --out. Nothing leaves this machine. The last line is JSON; the exit status is 1
when anything failed or --max-seconds ran out first.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bank.loader import load_bank
from bot.config import DEFAULT_CONTENT_DIR
from stress.fuzz_inputs import EXTENSIONS, FORMATS, Seeds, make_input
from stress.importer_worker import FAILURES, Worker, scratch_database

OUTCOMES = ("accepted", "refused", *FAILURES)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="how many inputs to try")
    parser.add_argument("--seed", type=int, default=1, help="the random seed")
    parser.add_argument("--out", type=Path, help="folder for failing inputs (default: temp)")
    parser.add_argument("--max-seconds", type=float, default=1_800, help="stop after this long")
    parser.add_argument(
        "--slow-seconds", type=float, default=1.0, help="an input taking this much CPU fails"
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="kill an input this slow")
    parser.add_argument("--postgres", help="admin URL of a local PostgreSQL server to use")
    return parser.parse_args()


class _Failures:
    """Where failing inputs go: --out, or a temporary folder made at the first failure."""

    def __init__(self, out: Path | None) -> None:
        self.out = out

    def keep(self, index: int, fmt: str, data: bytes, outcome: str, detail: str) -> None:
        """Write a failing input and what it caused, to replay it by hand."""
        if self.out is None:
            self.out = Path(tempfile.mkdtemp(prefix="stress-importers-"))
        self.out.mkdir(parents=True, exist_ok=True)
        stem = f"{index:05d}-{fmt}"
        (self.out / f"{stem}.{EXTENSIONS.get(fmt, 'yaml')}").write_bytes(data)
        (self.out / f"{stem}.txt").write_text(f"{outcome}\n{detail}\n", encoding="utf-8")


def main() -> int:
    """Run the inputs, print the figures and the JSON line; 1 if anything failed."""
    args = _arguments()
    started = time.monotonic()
    failures = _Failures(args.out)
    seeds = Seeds(load_bank(DEFAULT_CONTENT_DIR))
    rng = random.Random(args.seed)
    counts = {fmt: Counter[str]() for fmt in FORMATS}
    slowest = dict.fromkeys(FORMATS, 0.0)
    done = 0
    with (
        tempfile.TemporaryDirectory(prefix="stress-importers-work-") as folder,
        scratch_database(Path(folder), seeds.bank.topics, args.postgres) as database_url,
    ):
        worker = Worker(Path(folder), database_url, seeds.bank.topics)
        try:
            for index in range(args.inputs):
                if time.monotonic() - started > args.max_seconds:
                    break
                fmt = FORMATS[index % len(FORMATS)]
                data = make_input(rng, fmt, seeds)
                topic = rng.choice([None, *(topic.id for topic in seeds.bank.topics)])
                outcome, detail, seconds = worker.run(fmt, data, topic, args.timeout)
                if outcome in ("accepted", "refused") and seconds > args.slow_seconds:
                    # The fastest of three runs: a slow parser is slow every time, noise is not.
                    again = [worker.run(fmt, data, topic, args.timeout)[2] for _ in range(2)]
                    seconds = min(seconds, *again)
                    if seconds > args.slow_seconds:
                        outcome, detail = "slow", f"took {seconds:.2f} s of CPU at best"
                counts[fmt][outcome] += 1
                slowest[fmt] = max(slowest[fmt], seconds)
                if outcome in FAILURES:
                    failures.keep(index, fmt, data, outcome, detail)
                done += 1
        finally:
            worker.close()
    return _report(args, counts, slowest, done, failures.out, time.monotonic() - started)


def _report(
    args: argparse.Namespace,
    counts: dict[str, Counter[str]],
    slowest: dict[str, float],
    done: int,
    out: Path | None,
    seconds: float,
) -> int:
    """Print the figures per format and overall; the JSON line last."""
    total = sum(counts.values(), Counter[str]())
    for fmt in FORMATS:
        figures = ", ".join(f"{counts[fmt][name]} {name}" for name in OUTCOMES)
        inputs = sum(counts[fmt].values())
        print(f"{fmt:>16}: {inputs} inputs: {figures}; slowest {slowest[fmt]:.3f} s")
    failed = sum(total[name] for name in FAILURES)
    complete = done == args.inputs
    print(f"{done} of {args.inputs} inputs in {seconds:.1f} s (seed {args.seed})")
    if failed:
        print(f"{failed} failing inputs, with what they caused, are in {out}")
    if not complete:
        print(f"stopped after --max-seconds {args.max_seconds:g}")
    summary = {
        "inputs": done,
        **{name: total[name] for name in OUTCOMES},
        "seconds": round(seconds, 2),
        "seed": args.seed,
        "complete": complete,
        "formats": {fmt: {"inputs": sum(c.values()), **c} for fmt, c in counts.items()},
        "slowest_seconds": round(max(slowest.values()), 3),
    }
    print(json.dumps(summary))
    return 0 if complete and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
