"""The runner interface the bot uses, whichever side the demos run on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

ProgressCallback = Callable[[float, str], None]


class DemoTimeoutError(Exception):
    """The demo ran past the time limit and was stopped."""


class DemoRunner(Protocol):
    """Runs demos somewhere else and returns plain data (see `jobs`)."""

    async def describe(self) -> list[dict[str, Any]]:
        """Every demo and its parameters."""
        ...

    async def resolve(self, name: str, raw: dict[str, str]) -> dict[str, Any]:
        """Full parameters and code version, or {"ok": False, "error": Persian text}."""
        ...

    async def run(
        self, name: str, raw: dict[str, str], progress: ProgressCallback
    ) -> dict[str, Any]:
        """The result data; raises DemoTimeoutError past the time limit."""
        ...

    async def close(self) -> None:
        """Stop the workers."""
        ...
