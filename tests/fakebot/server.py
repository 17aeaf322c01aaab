"""The fake Bot API served over real HTTP on 127.0.0.1: a thin aiohttp adapter over the core.

PTB's HTTPXRequest sends form fields (multipart when files go along) and reads the JSON body;
this adapter turns the request into `dispatch`'s fields and files and the answer back into an
HTTP response. Everything Telegram-like lives in `tests.fakebot.core`.

While a webhook is set, updates are POSTed to it as Telegram's Bot API server does: each with
the secret token in X-Telegram-Bot-Api-Secret-Token, one chat's (or person's) updates one
after another, up to max_connections at once, and anything but a 2xx answer (a 5xx, a
refused connection, a process killed mid-request) sent again: at once, then after a growing
pause. `webhook_backends` stands in for a proxy: the POSTs go round-robin to those servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import time
from collections.abc import Hashable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from tests.fakebot.core import JSON, FakeTelegram

# Pauses before the 2nd, 3rd, ... redelivery (Telegram's start at 1 s and double to a minute).
RETRY_SECONDS = (0.0, 0.1, 0.2, 0.4, 0.8, 1.0)


def webhook_queue(update: JSON) -> Hashable:
    """Whose updates go one after another: a chat's messages, a person's answers and presses."""
    for kind in ("message", "edited_message", "channel_post", "my_chat_member", "chat_member"):
        if kind in update:
            return ("chat", update[kind]["chat"]["id"])
    if "callback_query" in update:
        return ("user", update["callback_query"]["from"]["id"])
    if "poll_answer" in update:
        voter = update["poll_answer"].get("user") or update["poll_answer"].get("voter_chat")
        return ("user", voter["id"])
    if "poll" in update:
        return ("poll", update["poll"]["id"])
    return ("update", update["update_id"])


class FakeBotApi(FakeTelegram):
    """The fake Bot API of one bot token, reachable over HTTP once started."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._runner: web.AppRunner | None = None
        self.url = ""
        # The proxy in front of several bot processes: base URLs POSTed to in turn.
        self.webhook_backends: list[str] = []
        self._next_backend = itertools.count()
        # Every webhook POST: (update id, HTTP status; 0 when no answer came).
        self.webhook_attempts: list[tuple[int, int]] = []
        self._delivering: asyncio.Task[None] | None = None
        self.webhook_retry_seconds = RETRY_SECONDS
        # Updates POSTed and not yet answered, with the server each went to.
        self.webhook_in_flight: dict[int, str] = {}

    async def start(self) -> str:
        """Serve on a free port of 127.0.0.1; return the root URL."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop serving (and delivering)."""
        if self._delivering is not None:
            self._delivering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivering
        # Like Telegram, a request finishes even when its client has hung up (a bot that
        # stopped mid long poll): answer the waiting polls now rather than after their timeout.
        await self.release_polls()
        if self._runner is not None:
            await self._runner.cleanup()

    @staticmethod
    async def _fields(request: web.Request) -> tuple[JSON, dict[str, bytes]]:
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            body: JSON = await request.json() if request.can_read_body else {}
            return body, files
        fields: dict[str, Any] = {}
        if request.method == "POST":
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    fields[key] = value
        fields.update(request.query)
        return fields, files

    async def _handle(self, request: web.Request) -> web.Response:
        refused = self.refuse_token(request.match_info["token"])
        if refused is not None:
            status, body = refused
        else:
            try:
                fields, files = await self._fields(request)
            except ConnectionResetError:
                # The client died mid-request (a bot killed with SIGKILL): Telegram never
                # got the whole request, so it did nothing; nobody reads this answer.
                return web.Response(status=400)
            status, body = await self.dispatch(request.match_info["method"], fields, files)
        return web.json_response(body, status=status)

    # --- webhook delivery --------------------------------------------------------------

    async def attempts_of(self, update_id: int, count: int, patience: float = 15.0) -> list[int]:
        """The HTTP statuses the webhook answered an update with, once it has had `count` tries."""

        def statuses() -> list[int]:
            return [status for uid, status in self.webhook_attempts if uid == update_id]

        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(statuses()) >= count), patience
            )
        return statuses()

    async def wait_delivered(self, patience: float = 15.0) -> None:
        """Wait until the webhook has acknowledged (2xx) every update made so far."""

        async def delivered() -> None:
            while self.pending():
                async with self._changed:
                    await self._changed.wait()

        try:
            await asyncio.wait_for(delivered(), patience)
        except TimeoutError:
            tried = self.webhook_attempts[-10:]
            raise AssertionError(f"updates still pending; the last attempts: {tried}") from None

    async def _webhook_changed(self) -> None:
        await super()._webhook_changed()
        if self.webhook is not None and (self._delivering is None or self._delivering.done()):
            self._delivering = asyncio.create_task(self._deliver(), name="fake webhook")

    def _target(self, url: str) -> str:
        if not self.webhook_backends:
            return url
        parts = urlsplit(url)
        backend = self.webhook_backends[next(self._next_backend) % len(self.webhook_backends)]
        return backend.rstrip("/") + (parts.path or "/")

    async def _deliver(self) -> None:
        """POST pending updates to the webhook until it is removed (see the module doc)."""
        busy: set[Hashable] = set()
        failures: dict[int, int] = {}
        retry_at: dict[int, float] = {}
        sending: set[asyncio.Task[None]] = set()

        async def send(session: aiohttp.ClientSession, hook: JSON, update: JSON) -> None:
            update_id = update["update_id"]
            headers = {}
            if hook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
            target = self._target(hook["url"])
            self.webhook_in_flight[update_id] = target
            try:
                async with session.post(target, json=update, headers=headers) as response:
                    status = response.status
            except (aiohttp.ClientError, OSError, TimeoutError):
                status = 0
            finally:
                self.webhook_in_flight.pop(update_id, None)
            self.webhook_attempts.append((update_id, status))
            if 200 <= status < 300:
                self.acknowledge(update_id)
                failures.pop(update_id, None)
                retry_at.pop(update_id, None)
            else:
                count = failures[update_id] = failures.get(update_id, 0) + 1
                pauses = self.webhook_retry_seconds
                pause = pauses[min(count - 1, len(pauses) - 1)]
                retry_at[update_id] = time.monotonic() + pause
            busy.discard(webhook_queue(update))
            async with self._changed:
                self._changed.notify_all()

        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                while self.webhook is not None:
                    hook = self.webhook
                    now = time.monotonic()
                    seen: set[Hashable] = set()
                    next_retry = math.inf
                    for update in self._deliverable():
                        queue = webhook_queue(update)
                        if queue in seen:
                            continue  # behind an earlier update of its queue
                        seen.add(queue)
                        if queue in busy:
                            continue
                        due = retry_at.get(update["update_id"], 0.0)
                        if due > now:
                            next_retry = min(next_retry, due)
                            continue
                        if len(busy) >= int(hook["max_connections"]):
                            break
                        busy.add(queue)
                        task = asyncio.create_task(send(session, hook, update))
                        sending.add(task)
                        task.add_done_callback(sending.discard)
                    wait = 1.0 if next_retry == math.inf else max(0.0, next_retry - now)
                    async with self._changed:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._changed.wait(), wait)
            finally:
                for task in sending:
                    task.cancel()
                await asyncio.gather(*sending, return_exceptions=True)
