"""Serving NN demos to learners: validation, result cache, cooldown; no telegram here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import DemoResult
from bot.demos_runner.base import DemoRunner, DemoTimeoutError, ProgressCallback
from nn_demos import catalogue
from nn_demos.catalogue import DemoParamError, DemoSpec


@dataclass(frozen=True)
class DemoOutcome:
    """What a demo request produced; `error` says why an "invalid" one was refused."""

    status: str  # "ok", "invalid", "cooldown", "timeout"
    png: bytes = b""
    caption: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    cached: bool = False
    error: DemoParamError | None = None
    wait: timedelta = timedelta(0)


def cache_key(name: str, params: Mapping[str, Any], code_version: str) -> str:
    """The cache key: the same demo, parameters and code give the same picture."""
    payload = json.dumps([name, params, code_version], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def repeat_command(name: str, params: Mapping[str, Any]) -> str:
    """The command that runs this demo again with the same parameters."""
    parts = [f"{key}={catalogue.param_text(value)}" for key, value in params.items()]
    return " ".join([f"/demo {name}", *parts])


class DemoService:
    """Resolves, caches and runs demos; at most one fresh run per learner per cooldown."""

    def __init__(
        self,
        runner: DemoRunner,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        cooldown: timedelta,
    ) -> None:
        self.runner = runner
        self.sessions = sessions
        self.clock = clock
        self.cooldown = cooldown
        self._last_run: dict[str, datetime] = {}

    def menu(self) -> tuple[DemoSpec, ...]:
        """Every demo with its parameters, in menu order."""
        return tuple(catalogue.CATALOGUE.values())

    def find(self, name: str) -> DemoSpec | None:
        """The demo called `name`, if there is one."""
        return catalogue.CATALOGUE.get(name)

    async def request(
        self, learner: str | None, name: str, raw: Mapping[str, str], progress: ProgressCallback
    ) -> DemoOutcome:
        """A cached result, or a fresh run when the learner's cooldown allows one."""
        try:
            params = catalogue.resolve(name, raw)
        except DemoParamError as error:
            return DemoOutcome("invalid", error=error)
        key = cache_key(name, params, catalogue.CODE_VERSION)
        async with self.sessions.begin() as session:
            cached = await session.get(DemoResult, key)
            if cached is not None:
                cached.hits += 1
                return DemoOutcome(
                    "ok", cached.png, cached.caption, cached.metrics, params, cached=True
                )
        now = self.clock()
        if learner is not None:
            last = self._last_run.get(learner)
            if last is not None and now - last < self.cooldown:
                return DemoOutcome("cooldown", wait=self.cooldown - (now - last))
            self._last_run[learner] = now
        try:
            result = await self.runner.run(name, params, progress)
        except DemoTimeoutError:
            return DemoOutcome("timeout")
        if not result["ok"]:
            return DemoOutcome("invalid", error=DemoParamError.from_data(result["error"]))
        # Filed under what the worker ran: a worker on other code never fills this bot's cache.
        await self._store(cache_key(name, result["params"], result["code_version"]), name, result)
        return DemoOutcome(
            "ok", result["png"], result["caption"], result["metrics"], result["params"]
        )

    async def _store(self, key: str, name: str, result: dict[str, Any]) -> None:
        async with self.sessions.begin() as session:
            if (
                await session.scalar(
                    select(DemoResult.cache_key).where(DemoResult.cache_key == key)
                )
                is not None
            ):
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
                    created_at=self.clock(),
                )
            )
