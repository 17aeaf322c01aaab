"""The crash scripts of `stress/` at smoke size: each ends with its JSON line and finds no loss.

The full sizes (hundreds of kills, both backends) are run by hand; the README has their figures.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_script(name: str, *arguments: str) -> dict[str, Any]:
    """Run `stress/<name>.py`; its last line, parsed (the exit status says whether it held)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "stress" / f"{name}.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def test_no_answer_confirmed_to_telegram_is_lost_to_a_kill() -> None:
    figures = run_script(
        "answers_kill", "--answers", "80", "--kills", "1", "--runs", "1", "--backend", "sqlite"
    )
    assert figures["kills"] == 1
    assert figures["lost"] == figures["missing_at_end"] == figures["doubled"] == 0


def test_sigterm_to_the_process_group_stops_the_bot_cleanly_at_any_moment() -> None:
    # A stop with a backlog of updates; a stop during a demo (the old Pool deadlocked on any
    # dead worker) is proven in process by tests/test_demo_runner.py, and the full run does
    # all three moments.
    figures = run_script("sigterm", "--rounds", "1", "--backlog", "80", "--moments", "backlog")
    assert figures["rounds"] == 1
    assert figures["failed"] == 0


def test_a_first_migration_killed_at_random_moments_never_bricks_the_database() -> None:
    figures = run_script("migration_kill", "--trials", "6", "--backend", "sqlite")
    assert figures["sqlite"]["trials"] == 6
    assert figures["bricked"] == 0


def test_scheduled_posting_killed_at_random_moments_loses_and_doubles_nothing() -> None:
    figures = run_script("posting_kill", "--kills", "1", "--backend", "sqlite")
    assert figures["sqlite"]["kills"] == 1
    assert figures["sqlite"]["sent"] + figures["sqlite"]["in_doubt"] == figures["sqlite"]["posts"]
    assert figures["lost"] == figures["doubled"] == figures["misnumbered_channels"] == 0


def test_a_storm_of_bot_api_faults_loses_and_drops_nothing() -> None:
    # Learners only: a channel post hit by a 5xx is retried 30 s later by design, which the
    # full run (with channels) waits out and a smoke run should not.
    figures = run_script(
        "faults",
        *("--backend", "sqlite", "--learners", "4", "--rounds", "2", "--channels", "0"),
        *("--max-delay", "1"),  # no answer past the read timeout: quicker
    )
    assert figures["sqlite"]["quiz_commands"] == 8
    assert sum(figures["sqlite"]["faults_injected"].values()) > 0
    assert figures["answers_lost"] == figures["unanswered_commands"] == 0
