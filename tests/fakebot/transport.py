"""PTB's requests handed to the fake Bot API core in process: no sockets, same wire format.

PTB's Bot serialises every call into a `RequestData` exactly as it would for HTTP; this request
passes its JSON-encoded fields and multipart files to `FakeTelegram.dispatch` and returns the
JSON body as bytes, so PTB parses answers and raises errors (BadRequest, RetryAfter, ...) as it
does over the network.
"""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import urlsplit

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from tests.fakebot.core import JSON, FakeTelegram

# PTB builds `{base_url}{token}/{method}` with base_url ending in "/bot".
_BOT_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[^/]+)")

_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}

# Any base URL will do: requests never leave the process.
BASE_URL = "http://fakebot.invalid"


class InProcessRequest(BaseRequest):
    """A `telegram.request.BaseRequest` that calls the fake core directly."""

    def __init__(self, api: FakeTelegram, read_timeout: float | None = 5.0) -> None:
        self.api = api
        self._read_timeout = read_timeout  # the default of PTB's HTTPXRequest
        # Calls the client gave up on still finish on the "server", as they would over HTTP.
        self._abandoned: set[asyncio.Task[tuple[int, JSON]]] = set()

    @property
    def read_timeout(self) -> float | None:
        """Seconds to wait for an answer when the caller names no read timeout."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: there is no connection pool."""

    async def shutdown(self) -> None:
        """Let calls the client stopped waiting for finish, so no task outlives the test."""
        if self._abandoned:
            await asyncio.gather(*self._abandoned, return_exceptions=True)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Dispatch the call to the core; a slow answer past the read timeout is TimedOut."""
        match = _BOT_PATH.fullmatch(urlsplit(url).path)
        if match is None:  # e.g. a file download: this fake serves no files
            return 404, json.dumps(
                {"ok": False, "error_code": 404, "description": "Not Found"}
            ).encode()
        refused = self.api.refuse_token(match["token"])
        if refused is not None:
            return refused[0], json.dumps(refused[1]).encode()
        fields = request_data.json_parameters if request_data else {}
        files: dict[str, bytes] = {}
        for name, (_filename, content, _mime) in (
            request_data.multipart_data.items() if request_data else ()
        ):
            files[name] = content if isinstance(content, bytes) else content.read()
        timeout = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        task = asyncio.ensure_future(self.api.dispatch(match["method"], fields, files))
        try:
            status, body = await asyncio.wait_for(asyncio.shield(task), timeout)  # type: ignore[arg-type]
        except TimeoutError:
            self._abandoned.add(task)
            task.add_done_callback(self._abandoned.discard)
            raise TimedOut from None
        return status, json.dumps(body).encode()
