"""A small HTTP/1.1 client for bursts: keep-alive connections on asyncio, responses parsed by httptools.

httptools is llhttp (Node.js's C parser); this module only frames requests and keeps the
rules of a single fire: no redirects followed (a 3xx is an answer), the head read by the single
fire's rules (``answer.HeadReader``: at most 100 header lines of up to 64 KiB each), the body read
up to ``BODY_CAP`` and cut there, TLS verified against the URL's host name while the connection goes to the pinned
address. A general client (aiohttp) spent about 130 µs of CPU per request here; this spends
about a quarter of that, which is what lets a burst keep up with a fast endpoint (bench/burst.py).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httptools

from console.fire.answer import Head, HeadReader, NotHTTP
from console.local_ca import ca_file_for_host, client_context


class AnswerError(Exception):
    """No usable answer on this connection: ``kind`` is a failure of classify.FAILURES, ``detail`` its words."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail


class StaleConnection(AnswerError):
    """A kept-alive connection closed by the server before any byte of the answer: send again on a new one."""


class Connection(asyncio.Protocol):
    """One keep-alive connection: ``exchange`` sends a request and waits for its whole answer.

    The head of each answer is read by ``answer.HeadReader`` (the single fire's rules); httptools
    then reads the body with the framing the head reader decided.
    """

    def __init__(self, body_cap: int):
        self.body_cap = body_cap
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.exchanges = 0
        self._waiter: asyncio.Future[None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.reader = HeadReader()
        self.head: Head | None = None
        self.status = 0
        self.body_size = 0
        self.truncated = False
        self.error: AnswerError | None = None
        self.complete = False
        self.keep_alive = False

    # ---- asyncio.Protocol

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.error is not None or self.complete:
            return
        if self.head is None:
            try:
                done = self.reader.feed(data)
            except NotHTTP as exc:
                self._fail(AnswerError("not_http", exc.reason))
                return
            if done is None:
                return
            self.head, rest = done
            self.status = self.head.status
            data = self.head.replay(with_headers=False) + rest
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.error is None and not self.truncated:
                self._fail(AnswerError("not_http", "the body's framing or encoding is broken"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is None or self._waiter.done():
            return
        head = self.head
        if head is not None and not head.chunked and head.length is None and self.error is None:
            self.complete = True  # a body that ends when the connection closes
            self._waiter.set_result(None)
            return
        error = self.error
        if error is None and head is not None:
            error = AnswerError("not_http", "the body ended before its announced length")
        if error is None:
            try:
                self.reader.eof()
            except NotHTTP as broken:
                error = AnswerError("not_http", broken.reason)
        if error is None:
            error = (StaleConnection("closed") if self.exchanges > 1 else AnswerError("closed"))
        self._waiter.set_exception(error)

    # ---- httptools callbacks (the body only: the head was judged already)

    def on_body(self, body: bytes) -> None:
        self.body_size += len(body)
        if self.body_size > self.body_cap:
            self.truncated = True
            self._done()
            raise AnswerError("cut")  # stop parsing: the read is cut here

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

    async def exchange(self, request: bytes) -> tuple[Head, bool]:
        """Send one request; (the answer's head, body truncated) once the whole answer is in (raises AnswerError)."""
        assert self.transport is not None
        self._reset()
        self.exchanges += 1
        self._waiter = asyncio.get_running_loop().create_future()
        if self.closed:
            self._waiter.set_exception(StaleConnection("closed"))
        else:
            self.transport.write(request)
        await self._waiter
        if self.truncated or not self.keep_alive:
            self.close()
        assert self.head is not None
        return self.head, self.truncated


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
