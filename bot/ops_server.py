"""The bot's HTTP server: `/healthz` and `/metrics`, and in webhook mode Telegram's updates.

aiohttp serves it (already what the fake Bot API runs on, and a server that finishes the
requests in hand before it stops). In webhook mode the webhook's port serves all three; in
polling mode OPS_PORT, when set, serves the two operations endpoints (on 127.0.0.1 unless
OPS_HOST says otherwise: the metrics are for the monitoring host, not the world).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import text

from bot import metrics
from bot.config import SettingsError
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Seconds a health check waits for the database or Redis before calling it down.
CHECK_SECONDS = 2.0
# Seconds a stopping server gives the requests in hand (updates being committed) to finish.
SHUTDOWN_SECONDS = 30.0


async def health(runtime: Runtime) -> tuple[bool, dict[str, str]]:
    """Whether the database answers `SELECT 1` and Redis (when configured) a ping."""
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(CHECK_SECONDS), runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure is "down"; the log says which
        log.warning("health: the database does not answer (%s)", type(error).__name__)
        checks["database"] = "down"
    if runtime.redis is None:
        checks["redis"] = "not configured"
    else:
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                await runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception as error:
            log.warning("health: Redis does not answer (%s)", type(error).__name__)
            checks["redis"] = "down"
    return all(value != "down" for value in checks.values()), checks


def ops_app(runtime: Runtime) -> web.Application:
    """An application serving GET /healthz and GET /metrics."""

    async def healthz(_request: web.Request) -> web.Response:
        healthy, checks = await health(runtime)
        body = {"status": "ok" if healthy else "down", **checks}
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics_page(_request: web.Request) -> web.Response:
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": metrics.CONTENT_TYPE}
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    return app


@contextlib.asynccontextmanager
async def serving(app: web.Application, host: str, port: int) -> AsyncIterator[int]:
    """Serve `app` on host:port while the block runs (the port actually bound, for port 0).

    On leaving, the listening socket closes first (a proxy then sends new updates to another
    process), and the requests in hand finish, for up to SHUTDOWN_SECONDS.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:
            raise SettingsError(
                f"cannot listen on {host}:{port} ({error.strerror}): another process has the "
                "port, or the address is not this host's; set another port in .env"
            ) from None
        server = site._server  # aiohttp keeps the bound socket here
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else port
        log.info("serving HTTP on %s:%s", host, bound)
        yield int(bound)
    finally:
        await runner.cleanup()
