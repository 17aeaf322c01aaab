"""How long `quizbot --help` takes, against a bare interpreter and the CLI's full import.

    .venv/bin/python bench/startup.py [--runs 15]

Each round runs the three side by side, in turn, as fresh processes: `python -c pass` (the
floor), `quizbot --help`, and a process importing every command group (what `--help` cost
before the groups were loaded lazily). The figures are medians over the rounds; the last line
is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CASES = {
    "bare": [PYTHON, "-c", "pass"],
    "help": [PYTHON, "-c", "from bot.cli.main import app; app(['--help'], prog_name='quizbot')"],
    "eager": [
        PYTHON,
        "-c",
        "import bot.cli.main, bot.cli.content, bot.cli.db, bot.cli.schedule, bot.cli.stats, "
        "bot.cli.demos",
    ],
}


def wall(command: list[str]) -> float:
    """Seconds one fresh process takes (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    """Run the rounds and print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, command in CASES.items():
            times[name].append(wall(command))
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        print(f"{name:6} {value * 1000:7.0f} ms (median of {args.runs})")
    figures = {
        "help_s": round(median["help"], 3),
        "bare_s": round(median["bare"], 3),
        "eager_s": round(median["eager"], 3),
        "help_over_bare": round(median["help"] / median["bare"], 1),
        "eager_over_help": round(median["eager"] / median["help"], 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
