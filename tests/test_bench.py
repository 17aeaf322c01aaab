"""The benchmark scripts run and end with their JSON line (speed itself is not asserted)."""

import json
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def bench_figures(script: str, *arguments: str, timeout: float = 300) -> Any:
    """Run `bench/<script>` with `arguments` in a fresh process; its last line, as JSON."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_updates_benchmark_prints_its_ratios() -> None:
    arguments = ["--answers", "40", "--quizzes", "3", "--repeats", "1", "--backend", "sqlite"]
    figures = bench_figures("updates.py", *arguments)
    assert set(figures) == {"sqlite"}
    assert set(figures["sqlite"]) == {
        "quizbot_answers_per_s",
        "bare_answers_per_s",
        "answer_ratio",
        "quizbot_quiz_per_s",
        "bare_quiz_per_s",
        "quiz_ratio",
    }
    assert all(value > 0 for value in figures["sqlite"].values())


def test_demos_benchmark_prints_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    # In this process rather than a fresh one: torch is imported once per test process (the
    # demo tests import it anyway), and the smoke run itself is two short demo runs.
    bench = runpy.run_path(str(ROOT / "bench" / "demos.py"), run_name="bench_demos")
    returned = bench["main"](["--size", "smoke", "--demos", "gradients"])
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures == returned
    assert figures["threads"] == 1
    assert set(figures["demos"]) == {"gradients"}
    assert set(figures["demos"]["gradients"]) == {"median_s", "min_s", "max_s", "ratio"}
    assert figures["reference_s"] > 0
    assert figures["demos"]["gradients"]["ratio"] > 0


def test_export_benchmark_prints_its_figures() -> None:
    arguments = ["--answers", "600", "--small", "0", "--runs", "1", "--posts", "10"]
    figures = bench_figures("export.py", *arguments, timeout=600)
    assert figures["full"]["answers"] == 600
    assert set(figures["full"]) == {"answers", "floor_s", "csv", "xlsx", "json"}
    for fmt in ("csv", "xlsx", "json"):
        assert set(figures["full"][fmt]) == {
            "median_s",
            "runs_s",
            "ratio",
            "max_stall_s",
            "peak_mib",
            "bytes",
        }
        assert figures["full"][fmt]["bytes"] > 0


def test_startup_benchmark_prints_its_ratios() -> None:
    figures = bench_figures("startup.py", "--runs", "1")
    assert set(figures) == {"help_s", "bare_s", "eager_s", "help_over_bare", "eager_over_help"}
    assert all(value > 0 for value in figures.values())


def test_head_of_line_benchmark_prints_its_figures() -> None:
    figures = bench_figures("head_of_line.py", "--quizzes", "5", "--repeat", "1")
    assert figures["quizzes_ahead"] == 5
    assert len(figures["runs"]["concurrent"]) == len(figures["runs"]["one_at_a_time"]) == 1
    assert figures["answer_wait_concurrent_s"] > 0
    assert figures["answer_wait_one_at_a_time_s"] > 0


def test_broadcast_benchmark_prints_its_figures() -> None:
    # --held 0: the 429 case waits out its hold, not here.
    figures = bench_figures("broadcast.py", "--channels", "6", "--runs", "1", "--held", "0")
    assert figures["posts"] == 6
    assert set(figures) == {
        "channels",
        "posts",
        "runs",
        "seconds",
        "posts_per_s",
        "old_seconds",
        "speedup",
    }
    assert all(value > 0 for value in figures.values())
