"""A small HTTP/1.1 client for bursts: keep-alive connections on asyncio, responses parsed by httptools.

httptools is llhttp (Node.js's C parser); this module only frames requests and keeps the
rules of a single fire: no redirects followed (a 3xx is an answer), headers capped
(``HEADER_CAP`` bytes before the body, ``MAX_HEADERS`` lines), the body read up to ``BODY_CAP``
and cut there, TLS verified against the URL's host name while the connection goes to the pinned
address. A general client (aiohttp) spent about 130 µs of CPU per request here; this spends
about a quarter of that, which is what lets a burst keep up with a fast endpoint (bench/burst.py).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httptools

from console.local_ca import ca_file_for_host, client_context

HEADER_CAP = 64 * 1024  # status line and headers together
MAX_HEADERS = 100


class AnswerError(Exception):
    """No usable answer on this connection; ``category`` and ``message`` say why (see outcome.Category)."""

    def __init__(self, category: str, message: str):
        super().__init__(message)
        self.category = category
        self.message = message


class StaleConnection(AnswerError):
    """A kept-alive connection closed by the server before any byte of the answer: send again on a new one."""


class Connection(asyncio.Protocol):
    """One keep-alive connection: ``exchange`` sends a request and waits for its whole answer."""

    def __init__(self, body_cap: int):
        self.body_cap = body_cap
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.exchanges = 0
        self._waiter: asyncio.Future[None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.head_bytes = 0
        self.header_count = 0
        self.header_size = 0
        self.headers_done = False
        self.framed = False  # Content-Length or chunked: the end of the body is known without a close
        self.body_size = 0
        self.truncated = False
        self.error: AnswerError | None = None
        self.complete = False
        self.keep_alive = False

    # ---- asyncio.Protocol

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if not self.headers_done:
            self.head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if self.error is None and not self.truncated:
                self._fail(AnswerError("protocol", f"The answer is not valid HTTP ({exc})."))
        if not self.headers_done and self.head_bytes > HEADER_CAP:
            self._fail(AnswerError("too_large", f"The response headers are over the cap of {HEADER_CAP // 1024} KiB."))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            if self.headers_done and not self.framed and self.error is None:
                self.complete = True  # a body that ends when the connection closes
                self._waiter.set_result(None)
            elif self.error is None and self.exchanges > 1 and self.head_bytes == 0:
                self._waiter.set_exception(StaleConnection("connect", "The kept-alive connection was closed."))
            else:
                self._waiter.set_exception(self.error or AnswerError(
                    "connect", "The connection was closed before a complete answer."))

    # ---- httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_count += 1
        self.header_size += len(name) + len(value) + 4
        if self.header_size > HEADER_CAP:
            self._fail(AnswerError("too_large", f"The response headers are over the cap of {HEADER_CAP // 1024} KiB."))
            raise AnswerError("too_large", "stop")
        if self.header_count > MAX_HEADERS:
            self._fail(AnswerError("too_large", f"The response has over {MAX_HEADERS} headers."))
            raise AnswerError("too_large", "stop")
        lowered = name.lower()
        if lowered == b"content-length" or (lowered == b"transfer-encoding" and b"chunked" in value.lower()):
            self.framed = True

    def on_headers_complete(self) -> None:
        self.headers_done = True
        self.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self.body_size += len(body)
        if self.body_size > self.body_cap:
            self.truncated = True
            self._done()
            raise AnswerError("too_large", "stop")  # stop parsing: the read is cut here

    def on_message_complete(self) -> None:
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()  # (llhttp forgets it once the message is over)
        self._done()

    # ---- the exchange

    def _done(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, error: AnswerError) -> None:
        self.error = error
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def exchange(self, request: bytes) -> tuple[int, bool]:
        """Send one request; (status, body truncated) once the whole answer is in (raises AnswerError)."""
        assert self.transport is not None
        self._reset()
        self.exchanges += 1
        self._waiter = asyncio.get_running_loop().create_future()
        if self.closed:
            self._waiter.set_exception(StaleConnection("connect", "The kept-alive connection was closed."))
        else:
            self.transport.write(request)
        await self._waiter
        if self.truncated or not self.keep_alive:
            self.close()
        return self.status, self.truncated


async def connect(address: str, port: int, host: str, tls: ssl.SSLContext | None, body_cap: int) -> Connection:
    """A connection to the pinned ``address`` (TLS checked against ``host``); OSError / ssl.SSLError on failure."""
    loop = asyncio.get_running_loop()
    local_ca = ca_file_for_host(host, port) if tls is not None else None  # the sample endpoint's https alone
    tls = client_context(local_ca) if local_ca else tls
    _, protocol = await loop.create_connection(lambda: Connection(body_cap), address, port, ssl=tls,
                                               server_hostname=host if tls is not None else None)
    return protocol


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context
