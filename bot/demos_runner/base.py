"""The runner interface the bot uses, whichever side the demos run on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from nn_demos.catalogue import ParamValue

ProgressCallback = Callable[[float, str], None]


class DemoTimeoutError(Exception):
    """The demo ran past the time limit and was stopped."""


class DemoInterruptedError(Exception):
    """The run was cut short: the bot is stopping, or the worker process died."""


class DemoRunner(Protocol):
    """Runs demos somewhere else and returns plain data (see `jobs`).

    The bot resolves parameters with `nn_demos.catalogue` itself and sends only resolved ones;
    the worker checks them again, since it may run another version of the code.
    """

    async def run(
        self, name: str, params: Mapping[str, ParamValue], progress: ProgressCallback
    ) -> dict[str, Any]:
        """The result data (see `jobs.run`).

        Raises DemoTimeoutError past the time limit, DemoInterruptedError when the run was cut
        short (`close` meanwhile, or the worker died).
        """
        ...

    async def start(self) -> None:
        """Get the workers ready before the first run (for runners that own workers)."""
        ...

    async def close(self) -> None:
        """Stop the workers; runs in progress end with DemoInterruptedError."""
        ...
