"""The fake Bot API served over real HTTP on 127.0.0.1: a thin aiohttp adapter over the core.

PTB's HTTPXRequest sends form fields (multipart when files go along) and reads the JSON body;
this adapter turns the request into `dispatch`'s fields and files and the answer back into an
HTTP response. Everything Telegram-like lives in `tests.fakebot.core`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakebot.core import JSON, FakeTelegram


class FakeBotApi(FakeTelegram):
    """The fake Bot API of one bot token, reachable over HTTP once started."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._runner: web.AppRunner | None = None
        self.url = ""

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
        """Stop serving."""
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
