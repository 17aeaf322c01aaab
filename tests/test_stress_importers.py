"""The importer stress script, at smoke size: every format is fed, nothing gives a traceback.

Speed is the script's own business (it counts slow inputs); this test asserts no time.
"""

import json
import subprocess
import sys
from pathlib import Path

from stress.fuzz_inputs import FORMATS

ROOT = Path(__file__).resolve().parent.parent


def test_mutated_inputs_are_accepted_or_refused_clearly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "stress/importers.py", "--inputs", "120", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["complete"], result.stdout
    assert figures["inputs"] == 120
    failures = {name: figures[name] for name in ("tracebacks", "unclear", "unloadable")}
    assert failures == {"tracebacks": 0, "unclear": 0, "unloadable": 0}, result.stdout
    for fmt in FORMATS:
        assert figures["formats"][fmt]["accepted"] > 0, fmt
        assert figures["formats"][fmt]["refused"] > 0, fmt
    # The exit status says whether anything failed, slow inputs included.
    assert result.returncode == (1 if figures["slow"] else 0), result.stderr
