"""Every demo by name, and the code version that keys the result cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

from nn_demos.base import Demo

DEMOS: dict[str, Demo] = {}


def _code_version() -> str:
    # Any change to the demo code changes the version, so cached results are never stale.
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def register(demo: Demo) -> Demo:
    """Add a demo to the registry (each demo module calls this once)."""
    DEMOS[demo.name] = demo
    return demo
