"""NN demos for learners: the menu, a parameter panel, the result cache and the cooldown.

Parameters are checked with the torch-free catalogue (nn_demos.catalogue) in this process;
only a fresh run goes to a worker. The cooldown lives in the database, so it holds across
restarts and bot processes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DemoCooldown, DemoResult
from nn_demos import catalogue
from nn_demos.catalogue import DemoParamError, DemoSpec, ParamValue

_ASSIGNMENT = re.compile(r"^([a-z_]+)=(\S+)$")


@dataclass(frozen=True)
class DemoMenu:
    """Every demo, to pick one."""

    demos: tuple[DemoSpec, ...]


@dataclass(frozen=True)
class DemoPanel:
    """A demo's parameters as chosen so far (text per parameter), with buttons to change them."""

    demo: DemoSpec
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DemoMalformed:
    """Text after /demo NAME that is not `key=value`."""

    text: str
    demo: str


@dataclass(frozen=True)
class DemoInvalid:
    """The demo or a parameter value was refused; the error says which and why."""

    demo: DemoSpec | None
    error: DemoParamError


@dataclass(frozen=True)
class DemoCooling:
    """A fresh run was refused: one per `every`; `wait` until the next."""

    every: timedelta
    wait: timedelta


@dataclass(frozen=True)
class DemoReady:
    """A result from the cache."""

    demo: DemoSpec
    params: dict[str, ParamValue]
    png: bytes
    caption: str


@dataclass(frozen=True)
class DemoToRun:
    """A fresh run to start (the cooldown is taken)."""

    demo: DemoSpec
    params: dict[str, ParamValue]


DemoRequest = DemoReady | DemoToRun | DemoCooling | DemoInvalid


def cache_key(name: str, params: Mapping[str, Any], code_version: str) -> str:
    """The cache key: the same demo, parameters and code give the same picture."""
    payload = json.dumps([name, params, code_version], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def repeat_command(name: str, params: Mapping[str, object]) -> str:
    """The command that runs this demo again with the same parameters."""
    parts = [f"{key}={catalogue.param_text(value)}" for key, value in params.items()]
    return " ".join([f"/demo {name}", *parts])


def menu() -> DemoMenu:
    """/demo: every demo."""
    return DemoMenu(tuple(catalogue.CATALOGUE.values()))


def panel(name: str, chosen: Mapping[str, str]) -> DemoPanel | DemoInvalid:
    """A demo's panel: its defaults, overridden by what was chosen for it before."""
    try:
        demo = catalogue.get(name)
    except DemoParamError as error:
        return DemoInvalid(None, error)
    values = tuple(
        (param.name, chosen.get(param.name, catalogue.param_text(param.default_value())))
        for param in demo.params
    )
    return DemoPanel(demo, values)


def choose(name: str, chosen: Mapping[str, str], key: str, value: str) -> DemoPanel | DemoInvalid:
    """A panel button: one parameter set to one of its choices."""
    found = panel(name, chosen)
    if isinstance(found, DemoInvalid):
        return found
    try:
        found.demo.resolve({key: value})
    except DemoParamError as error:
        return DemoInvalid(found.demo, error)
    return panel(name, {**chosen, key: value})


def parse_command(words: Sequence[str]) -> tuple[str, dict[str, str]] | DemoMalformed:
    """`NAME key=value …` as typed after /demo."""
    name, *assignments = words
    raw: dict[str, str] = {}
    for text in assignments:
        match = _ASSIGNMENT.match(text.lower())
        if match is None:
            return DemoMalformed(text, name.lower())
        raw[match.group(1)] = match.group(2)
    return name.lower(), raw


async def request(
    session: AsyncSession,
    learner: str,
    name: str,
    raw: Mapping[str, str],
    now: datetime,
    cooldown: timedelta,
) -> DemoRequest:
    """A cached result, or a fresh run when the learner's cooldown allows one (taken now)."""
    try:
        demo = catalogue.get(name)
        params = demo.resolve(raw)
    except DemoParamError as error:
        return DemoInvalid(catalogue.CATALOGUE.get(name), error)
    cached = await session.get(DemoResult, cache_key(name, params, catalogue.CODE_VERSION))
    if cached is not None:
        cached.hits += 1
        return DemoReady(demo, params, cached.png, cached.caption)
    last = await session.get(DemoCooldown, learner)
    if last is not None and now - last.last_run_at < cooldown:
        return DemoCooling(cooldown, cooldown - (now - last.last_run_at))
    if last is None:
        session.add(DemoCooldown(learner_hash=learner, last_run_at=now))
    else:
        last.last_run_at = now
    return DemoToRun(demo, params)


async def has_result(
    session: AsyncSession, name: str, params: Mapping[str, Any], code_version: str
) -> bool:
    """Whether this run's picture is cached already."""
    return await session.get(DemoResult, cache_key(name, params, code_version)) is not None


async def store_result(
    session: AsyncSession, name: str, result: Mapping[str, Any], now: datetime
) -> None:
    """Keep what a worker returned, filed under the code version it ran."""
    key = cache_key(name, result["params"], result["code_version"])
    if await session.get(DemoResult, key) is not None:
        return  # another request finished the same run first
    session.add(
        DemoResult(
            cache_key=key,
            demo=name,
            params=result["params"],
            code_version=result["code_version"],
            png=result["png"],
            caption=result["caption"],
            metrics=result["metrics"],
            device=result["device"],
            duration_ms=result["duration_ms"],
            created_at=now,
        )
    )
