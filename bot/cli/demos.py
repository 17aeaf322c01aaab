"""`quizbot demo` and `quizbot worker`: NN demos from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from bot.cli.common import (
    cli_settings,
    console,
    err_console,
)


def worker() -> None:
    """Run demos from the Redis queue (REDIS_URL), e.g. on a GPU host."""
    settings = cli_settings()
    if not settings.redis_url:
        err_console.print(
            "REDIS_URL is not set: the worker takes demo jobs from Redis.", markup=False
        )
        raise typer.Exit(2)
    from bot.demos_runner.redis_queue import build_worker

    build_worker(settings).run()


def demo(
    name: Annotated[str, typer.Argument(help="A demo name, or `list`.")],
    assignments: Annotated[list[str] | None, typer.Option("--set", help="key=value")] = None,
    out: Annotated[Path | None, typer.Option(dir_okay=False, help="PNG file to write.")] = None,
) -> None:
    """`demo list` shows the demos; `demo NAME --set key=value --out FILE.png` runs one."""
    from bot.demos_runner import jobs  # imports nn_demos, and so torch, only here

    if name == "list":
        for entry in jobs.describe():
            params = ", ".join(
                f"{param['name']}={','.join(map(str, param['default']))}"
                if isinstance(param["default"], list)
                else f"{param['name']}={param['default']}"
                for param in entry["params"]
            )
            console.print(f"{entry['name']}: {params}", markup=False)
        return
    raw = {}
    for assignment in assignments or []:
        key, separator, value = assignment.partition("=")
        if not separator:
            err_console.print(f"--set takes key=value, not {assignment!r}", markup=False)
            raise typer.Exit(2)
        raw[key.strip()] = value.strip()
    if out is None:
        err_console.print("--out FILE.png is required to run a demo", markup=False)
        raise typer.Exit(2)
    jobs.init_worker(None, cli_settings().demo_device)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(name, total=1.0)
        result = jobs.run(
            "cli", name, raw, progress=lambda fraction, _stage: bar.update(task, completed=fraction)
        )
    if not result["ok"]:
        err_console.print(result["error"], markup=False)
        raise typer.Exit(1)
    out.write_bytes(result["png"])
    console.print(result["caption"], markup=False)
    console.print(f"wrote {out} ({result['duration_ms']} ms on {result['device']})", markup=False)
