"""The functions a demo worker process executes.

The torch demos are imported inside the functions: this module is imported by the bot process
too, only to name the functions, and that must stay cheap and torch-free (the catalogue is).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

from nn_demos import catalogue


def init_worker(device: str) -> None:
    """Runs once in each worker process: which device to use; torch imported before any run.

    In a worker forked from the fork server the imports are done already (see `local`); the
    small warm-up figure loads the fonts and the text shaper, which a process's first demo
    would otherwise wait for.
    """
    os.environ["DEMO_DEVICE"] = device
    import torch

    import nn_demos.demos  # noqa: F401 - pay torch's import cost once, before the first request
    from nn_demos.plotting import warm_up

    # These models are small: one thread each is as fast, and leaves the bot its own core.
    torch.set_num_threads(1)
    warm_up()


def serve(connection: Connection, device: str) -> None:
    """A worker process's life: answer "ready", run demos one at a time, until the pipe closes.

    Messages out are ("ready",), ("progress", fraction, stage) and ("result", data). Ctrl-C
    in a terminal reaches the whole process group: the bot stops its workers itself, so the
    worker ignores SIGINT rather than print a traceback of its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(device)
    connection.send(("ready",))
    while True:
        try:
            name, params = connection.recv()
        except (EOFError, OSError):
            return  # the bot is gone or closed the pipe

        def report(fraction: float, stage: str) -> None:
            connection.send(("progress", fraction, stage))

        connection.send(("result", run(name, params, report)))


def run(
    name: str,
    params: Mapping[str, object],
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, Any]:
    """Run a demo, reporting progress to `progress`.

    The parameters are checked again here, since this worker may run another version of the
    code than the bot that resolved them; a refusal comes back as `DemoParamError.to_data()`.
    """
    import nn_demos
    from nn_demos.device import demo_device

    def report(fraction: float, stage: str) -> None:
        if progress is not None:
            progress(fraction, stage)

    try:
        resolved = catalogue.resolve(name, params)
    except catalogue.DemoParamError as error:
        return {"ok": False, "error": error.to_data()}
    started = time.perf_counter()
    result = nn_demos.get_demo(name).run(resolved, report)
    return {
        "ok": True,
        "png": result.png,
        "caption": result.caption,
        "metrics": result.metrics,
        "params": resolved,
        "code_version": catalogue.CODE_VERSION,
        "device": demo_device().type,
        "duration_ms": int((time.perf_counter() - started) * 1000),
    }
