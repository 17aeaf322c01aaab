"""What the benches share: the bot's settings for a run, and the fake Bot API in its own process."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings


def bench_settings(token: str, api_url: str, database_url: str, key: bytes) -> Settings:
    """Settings for one bench run: no .env read, only what the run names."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=token,
        telegram_api_url=api_url,
        database_url=database_url,
        answer_hash_key=key.decode(),
    )


async def start_fake(script: str | Path, *arguments: str) -> tuple[asyncio.subprocess.Process, str]:
    """Run `script --serve-fake …` (a bench's fake Bot API) and read the URL it prints first."""
    fake = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        "--serve-fake",
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert fake.stdin is not None
    assert fake.stdout is not None
    return fake, (await fake.stdout.readline()).decode().strip()
