"""The update stress scripts at smoke size: no generated update ends in a traceback, and no
one but a channel's admin changes anything of it (speed itself is not asserted)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_script(name: str, *args: str) -> dict[str, object]:
    """Run `stress/<name>`; the figures of its last line (its report lines on failure)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "stress" / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr
    figures: dict[str, object] = json.loads(lines[-1])
    # All of stderr: a stuck run's watchdog prints every task's and thread's stack there.
    assert result.returncode == 0, "\n".join(lines[:-1]) + result.stderr
    return figures


def test_generated_updates_end_in_no_traceback(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    figures = run_script("updates.py", "--updates", "300", "--seed", "3", "--out", str(out))
    assert figures["updates"] == 300
    assert figures["tracebacks"] == 0
    assert figures["bad_texts"] == 0
    report = json.loads(out.read_text())
    assert report["traceback_list"] == []
    assert {"message", "callback_query", "poll_answer"} <= set(report["kinds"])


def test_strangers_and_other_admins_change_nothing_of_a_channel() -> None:
    figures = run_script("strangers.py")
    assert figures["admin_paths_missing"] == []
    assert figures["changes"] == 0
    assert figures["channel_messages"] == 0
    assert figures["tracebacks"] == figures["setup_tracebacks"] == 0
    assert isinstance(figures["attempts"], int)
    assert figures["attempts"] > 300
