"""Webhook mode: Telegram posts each update to us and redelivers it until we answer 200.

PTB's own webhook server answers 200 as soon as the update is queued, before any handler
ran: a crash then loses what Telegram believes delivered. Here the answer waits until the
update has *settled* (`Dispatcher.submit`: its unit of work committed, or its handlers
finished), so a process killed mid-update gets no 200 and Telegram sends the update again,
to this process or, behind a proxy, to another one (repeated answers are stored once).

- a request without our secret token (X-Telegram-Bot-Api-Secret-Token): 403, nothing read;
- a body that is not an update PTB can read: logged, 200 (Telegram would resend it forever);
- handling failed before its commit: 500, so Telegram redelivers. With the database up it is
  a bug rather than an outage, and an update is not let block its chat for long (Telegram
  sends a chat's updates one after another): after MAX_FAILURES such answers from this
  process it is given up, with 200 and a log line. While the database is down, every try is
  answered 503 and Telegram keeps the update (for up to a day).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.config import Webhook
from bot.ops_server import health
from bot.runtime import Runtime

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_FAILURES = 3
# Update ids whose failures are counted (the oldest forgotten first).
_REMEMBERED = 10_000

# Handle the update and say whether it settled (True) or failed before its commit (False).
Submit = Callable[[Update], Awaitable[bool]]
# The same for Telegram's JSON, if a route takes it as it is (a person's vote); else None,
# nothing done (bot/dispatch.py).
SubmitJson = Callable[[Mapping[str, Any]], Awaitable[bool | None]]


class WebhookReceiver:
    """The aiohttp handler of Telegram's POSTs (see the module doc)."""

    def __init__(
        self, bot: Bot, runtime: Runtime, secret: str, submit: Submit, submit_json: SubmitJson
    ) -> None:
        self.bot = bot
        self.runtime = runtime
        self._secret = secret.encode()
        self.submit = submit
        self.submit_json = submit_json
        self._failures: OrderedDict[int, int] = OrderedDict()
        self.stopping = False

    async def handle(self, request: web.Request) -> web.Response:
        """One update from Telegram: 200 once it settled, 5xx to have it sent again."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("a webhook request without the secret token was refused")
            return web.Response(status=403)
        if self.stopping:
            # Stopping: Telegram (through the proxy) gives it to another process.
            return web.Response(status=503)
        raw: Any = None
        try:
            raw = json.loads(await request.read())
        except Exception:
            log.exception("a webhook body that is not JSON was skipped")
            return web.Response(status=200)
        # A person's vote is taken as it is, as polling takes it (bot/dispatch.py).
        if isinstance(raw, dict) and isinstance(raw.get("update_id"), int):
            try:
                taken = await self.submit_json(raw)
            except Exception:
                log.exception("webhook update %s could not be handled", raw["update_id"])
                taken = False
            if taken is not None:
                return await self._answer(raw["update_id"], taken)
        try:
            update = Update.de_json(raw, self.bot)
            if update is None:
                raise ValueError("empty update")
        except Exception:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            log.exception("webhook update %s could not be parsed; skipped", update_id)
            return web.Response(status=200)
        try:
            settled = await self.submit(update)
        except Exception:
            log.exception("webhook update %s could not be handled", update.update_id)
            settled = False
        return await self._answer(update.update_id, settled)

    async def _answer(self, update_id: int, settled: bool) -> web.Response:
        if settled:
            self._failures.pop(update_id, None)
            return web.Response(status=200)
        return await self._failed(update_id)

    async def _failed(self, update_id: int) -> web.Response:
        healthy, checks = await health(self.runtime)
        if not healthy:
            log.warning("update %s failed while %s; Telegram sends it again", update_id, checks)
            return web.Response(status=503)
        count = self._failures.pop(update_id, 0) + 1
        if count >= MAX_FAILURES:
            log.error("update %s failed %s times; given up", update_id, count)
            return web.Response(status=200)
        self._failures[update_id] = count
        while len(self._failures) > _REMEMBERED:
            self._failures.popitem(last=False)
        return web.Response(status=500)


async def set_webhook(bot: Bot, webhook: Webhook, allowed_updates: list[str]) -> None:
    """Point Telegram at the proxy. Every process calls it with the same values: harmless.

    Pending updates are kept (never dropped): they are what a stopped bot still owes.
    """
    await bot.set_webhook(
        url=webhook.url,
        secret_token=webhook.secret,
        allowed_updates=allowed_updates,
        max_connections=webhook.max_connections,
        drop_pending_updates=False,
    )
    log.info("webhook set to %s (%s connections at most)", webhook.url, webhook.max_connections)
