"""The wire under a single fire: requests/urllib3 with a wall-clock watchdog, pinned addresses, the
answer's head read by ``answer.HeadReader`` (the rules a burst reads heads by), capped reads.

Nothing here decides a category: failures are reported to ``classify.py`` as facts.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection

from console import keys
from console.fire.answer import MAX_LINE, HeadReader, NotHTTP
from console.fire.classify import BODY_CAP, Failure
from console.netpolicy import Resolver

HEADER_COUNT_CAP = 50
HEADER_NAME_CAP = 200
HEADER_VALUE_CAP = 2048
HEADERS_TOTAL_CAP = 16 * 1024


class Watchdog:
    """The wall-clock deadline of one fire: at the deadline every socket of the fire is shut down.

    requests/urllib3 timeouts bound each recv, so a server trickling one byte a second never
    trips them; shutting the socket down ends any read at once, whatever the server does.
    """

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.expired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: Any) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def stop(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


def _shut(sock: Any) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass  # already closed, or detached by the TLS wrapper (which was registered too)


def _watched_classes(watchdog: Watchdog) -> dict[str, type]:
    """Connection classes that hand every socket they open (plain and TLS) to the watchdog."""

    def make(base: type[HTTPConnection]) -> type:
        def _new_conn(self: Any) -> Any:
            sock = base._new_conn(self)
            watchdog.watch(sock)
            return sock

        def connect(self: Any) -> None:
            base.connect(self)
            if self.sock is not None:
                watchdog.watch(self.sock)

        return type(f"Watched{base.__name__}", (base,), {"_new_conn": _new_conn, "connect": connect,
                                                        "response_class": CheckedResponse})

    return {"http": make(HTTPConnection), "https": make(HTTPSConnection)}


class EngineAdapter(HTTPAdapter):
    """Every connection under the fire's watchdog; optionally pinned to an already-checked IP
    (TLS and Host still use the host name)."""

    def __init__(self, address: str | None, watchdog: Watchdog):
        self.address = address
        self.classes = _watched_classes(watchdog)
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request: Any, verify: Any, proxies: Any = None,
                                        cert: Any = None) -> Any:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        extra: dict[str, Any] = dict(pool_kwargs)
        if host_params["scheme"] == "https" and self.address:
            extra["server_hostname"] = host_params["host"]
            extra["assert_hostname"] = host_params["host"]
        pool = self.poolmanager.connection_from_host(
            scheme=host_params["scheme"], host=self.address or host_params["host"], port=host_params["port"],
            pool_kwargs=extra)
        pool.ConnectionCls = self.classes[host_params["scheme"]]
        return pool


class CheckedResponse(http.client.HTTPResponse):
    """http.client's response, whose head is read and judged by answer.HeadReader first.

    The head HeadReader accepts is handed to http.client again in a normalized form (the framing it
    decided), so http.client reads the body exactly as a burst's parser does.
    """

    def begin(self) -> None:
        if self.headers is not None:
            return
        reader = HeadReader()
        while True:
            line = self.fp.readline(MAX_LINE + 2)
            if not line:
                reader.eof()
                raise http.client.RemoteDisconnected("Remote end closed connection without response")
            done = reader.feed(line)
            if done is not None:
                break
        head, _ = done
        self.head_dropped = head.dropped
        self.fp = io.BufferedReader(_Replay(head.replay(), self.fp))
        super().begin()


class _Replay(io.RawIOBase):
    """The normalized head, then the rest of the connection's bytes."""

    def __init__(self, prefix: bytes, rest: Any):
        self.prefix = prefix
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.prefix:
            size = min(len(buffer), len(self.prefix))
            buffer[:size] = self.prefix[:size]
            self.prefix = self.prefix[size:]
            return size
        data = self.rest.read1(len(buffer))  # what is there now (readinto would wait to fill the buffer)
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.rest.close()
        super().close()


def resolve_within(resolver: Resolver, host: str, port: int, seconds: float) -> list[str] | Failure:
    """The host's addresses, resolved within ``seconds`` (a hung lookup must not outlive the deadline)."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(resolver(host, port))
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            box.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(max(0.0, seconds))
    if not box:
        return Failure("dns_deadline")
    if isinstance(box[0], BaseException) or not box[0]:
        return Failure("dns")
    return list(box[0])


def failure_of(exc: BaseException, expired: bool) -> Failure:
    """The facts of an exception the wire raised (``expired``: the fire's deadline had passed)."""
    if expired or isinstance(exc, requests.exceptions.ReadTimeout | DeadlineExceeded):
        return Failure("deadline")
    if isinstance(exc, requests.exceptions.SSLError):
        return Failure("tls", str(exc))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure("connect_timeout")
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.ChunkedEncodingError
                  | requests.exceptions.ContentDecodingError):
        broken = protocol_problem(exc)
        if broken is not None:
            return Failure("not_http", broken)
        text = str(exc).lower()
        return Failure("refused" if "refused" in text else "closed" if "without response" in text else "failed")
    return Failure("invalid", f"The request could not be sent: {exc}")


def protocol_problem(exc: BaseException) -> str | None:
    """What is wrong with an answer that is not HTTP/1.x, or None when the failure is not of that kind."""
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, NotHTTP):
            return item.reason
        if isinstance(item, http.client.RemoteDisconnected):
            return None
        if isinstance(item, http.client.IncompleteRead):
            return "the body ended before its announced length"
        if isinstance(item, http.client.HTTPException):
            return f"the answer is malformed ({str(item)[:80]})"
        if isinstance(item, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
            return "the body's framing or encoding is broken"
        pending.extend(item.args)
        pending.extend(x for x in (item.__cause__, item.__context__) if x is not None)
    return None


def capped_headers(items: Iterable[tuple[str, str]], secrets: Iterable[str], dropped: int = 0
                   ) -> tuple[tuple[str, str], ...]:
    """Response headers as kept: names and values redacted, then capped in count, length and total size."""
    secrets = tuple(secrets)
    pairs = keys.redact_pairs([(str(n), str(v)) for n, v in items], secrets)
    kept: list[tuple[str, str]] = []
    total = 0
    for name, value in pairs:
        name = name[:HEADER_NAME_CAP]
        if len(value) > HEADER_VALUE_CAP:
            value = value[:HEADER_VALUE_CAP] + f"… ({len(value) - HEADER_VALUE_CAP} more characters not kept)"
        if len(kept) >= HEADER_COUNT_CAP or total + len(name) + len(value) > HEADERS_TOTAL_CAP:
            dropped += 1
            continue
        kept.append((name, value))
        total += len(name) + len(value)
    if dropped:
        kept.append(("…", f"{dropped} more header(s) not kept (cap: {HEADER_COUNT_CAP} headers, "
                          f"{HEADERS_TOTAL_CAP // 1024} KiB)"))
    return tuple(kept)


class DeadlineExceeded(Exception):
    pass


def read_capped(response: requests.Response, deadline: float) -> tuple[bytes, bool]:
    """The body up to BODY_CAP (True when cut there); DeadlineExceeded past the deadline."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=8192):
            chunks.append(chunk)
            size += len(chunk)
            if size > BODY_CAP:
                return b"".join(chunks)[:BODY_CAP], True
            if time.monotonic() > deadline:
                raise DeadlineExceeded()
    finally:
        response.close()
    return b"".join(chunks), False
