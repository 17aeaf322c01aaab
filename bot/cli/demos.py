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
from nn_demos.catalogue import CATALOGUE, DemoParamError, ParamErrorCode, param_text, resolve


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


def _english(error: DemoParamError) -> str:
    """Why the catalogue refused a demo request, for the terminal."""
    allowed = ", ".join(error.allowed)
    if error.code is ParamErrorCode.UNKNOWN_DEMO:
        return f"no demo is called {error.demo!r}; the demos: {allowed}"
    if error.code is ParamErrorCode.UNKNOWN_PARAM:
        return f"{error.demo} has no parameter {error.param!r}; its parameters: {allowed}"
    if error.code is ParamErrorCode.NOT_A_NUMBER:
        return f"{error.param} takes a number, not {error.value!r}"
    if error.code is ParamErrorCode.OUT_OF_RANGE:
        low, high = error.minimum, error.maximum
        bounds = (
            f"from {low:g} to {high:g}"
            if low is not None and high is not None
            else f"of at least {low:g}"
            if low is not None
            else f"of at most {high or 0:g}"
        )
        return f"{error.param} takes a number {bounds}, not {error.value}"
    spec = CATALOGUE.get(error.demo)
    param = spec.param(error.param or "") if spec is not None else None
    if param is not None and param.many:
        return f"{error.param} takes a comma-separated list of {allowed}, not {error.value!r}"
    return f"{error.param} takes one of {allowed}, not {error.value!r}"


def demo(
    name: Annotated[str, typer.Argument(help="A demo name, or `list`.")],
    assignments: Annotated[list[str] | None, typer.Option("--set", help="key=value")] = None,
    out: Annotated[Path | None, typer.Option(dir_okay=False, help="PNG file to write.")] = None,
) -> None:
    """`demo list` shows the demos; `demo NAME --set key=value --out FILE.png` runs one."""
    if name == "list":
        for spec in CATALOGUE.values():
            defaults = spec.defaults()
            shown = ", ".join(f"{key}={param_text(value)}" for key, value in defaults.items())
            console.print(f"{spec.name}: {shown}", markup=False)
        return
    raw = {}
    for assignment in assignments or []:
        key, separator, value = assignment.partition("=")
        if not separator:
            err_console.print(f"--set takes key=value, not {assignment!r}", markup=False)
            raise typer.Exit(2)
        raw[key.strip()] = value.strip()
    try:
        params = resolve(name, raw)
    except DemoParamError as error:
        err_console.print(_english(error), markup=False)
        raise typer.Exit(1) from None
    if out is None:
        err_console.print("--out FILE.png is required to run a demo", markup=False)
        raise typer.Exit(2)
    from bot.demos_runner import jobs  # imports nn_demos' torch demos only here

    jobs.init_worker(cli_settings().demo_device)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(name, total=1.0)

        def progress(fraction: float, _stage: str) -> None:
            bar.update(task, completed=fraction)

        result = jobs.run(name, params, progress)
    if not result["ok"]:
        err_console.print(_english(DemoParamError.from_data(result["error"])), markup=False)
        raise typer.Exit(1)
    out.write_bytes(result["png"])
    console.print(result["caption"], markup=False)
    console.print(f"wrote {out} ({result['duration_ms']} ms on {result['device']})", markup=False)
