"""Hostile HTTP servers on loopback for the test suite: raw sockets on 127.0.0.1, one thread each.

Each server reads the request (headers and a Content-Length body), then hands the socket and
the parsed request to a behaviour that answers badly: a status line trickled a byte at a time,
headers trickled a line at a time, a 4 MB header line, an HTTP/0.9 answer, a thousand
headers, the key echoed in base64, in a Location or as a header *name*. Everything is bounded:
at most ``MAX_CONNECTIONS`` connections, ``CONNECTION_SECONDS`` per connection, and ``stop()``
ends every trickle at once.

    with hostile(trickle_status(0.2)) as url:
        fire_install_request(request, url=url + "/install", timeouts=Timeouts(1, 2))
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

MAX_CONNECTIONS = 50
CONNECTION_SECONDS = 30.0
MAX_REQUEST_BYTES = 1024 * 1024


@dataclass
class Request:
    """The request as the hostile server read it."""

    line: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Conversation:
    """What a behaviour works with: the client socket, the request, and the server's stop signal."""

    sock: socket.socket
    request: Request
    stopping: threading.Event
    port: int

    def send(self, data: bytes) -> bool:
        """Send ``data``; False when the client has gone or the server is stopping."""
        if self.stopping.is_set():
            return False
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def trickle(self, data: bytes, every: float, chunk: int = 1) -> bool:
        """Send ``data`` ``chunk`` bytes at a time, one chunk every ``every`` seconds."""
        for start in range(0, len(data), chunk):
            if not self.send(data[start:start + chunk]) or self.stopping.wait(every):
                return False
        return True


Behaviour = Callable[[Conversation], None]


@dataclass
class HostileServer:
    behaviour: Behaviour
    sock: socket.socket = field(init=False)
    stopping: threading.Event = field(default_factory=threading.Event)
    requests: list[Request] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.02)  # how soon a stop is noticed
        self._port = int(self.sock.getsockname()[1])
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._acceptor.join(5)
        self.sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self.stopping.is_set() and self.connections < MAX_CONNECTIONS:
            try:
                client, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(client,), name="hostile-conn", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        timer = threading.Timer(CONNECTION_SECONDS, lambda: _shut(client))
        timer.daemon = True
        timer.start()
        try:
            client.settimeout(5)
            request = _read_request(client)
            if request is not None:
                self.requests.append(request)
                self.behaviour(Conversation(client, request, self.stopping, self.port))
        except OSError:
            pass
        finally:
            timer.cancel()
            _shut(client)
            client.close()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _read_request(client: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk or len(data) > MAX_REQUEST_BYTES:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = min(int(headers.get("content-length", "0") or 0), MAX_REQUEST_BYTES)
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(lines[0], headers, body[:length])


@contextmanager
def hostile(behaviour: Behaviour) -> Iterator[HostileServer]:
    """A hostile server for the ``with`` block; stopped (every trickle ended) on the way out."""
    server = HostileServer(behaviour).start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- behaviours

OK_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}"


def trickle_status(every: float = 0.2) -> Behaviour:
    """A valid 200 answer, one byte every ``every`` seconds (the status line takes 17 of them)."""
    return lambda talk: None if talk.trickle(OK_ANSWER, every) else None


def trickle_headers(lines: int = 100, every: float = 0.1) -> Behaviour:
    """The status line at once, then ``lines`` header lines, one every ``every`` seconds."""

    def behave(talk: Conversation) -> None:
        if not talk.send(b"HTTP/1.1 200 OK\r\n"):
            return
        for index in range(lines):
            if not talk.send(f"X-Slow-{index}: {index}\r\n".encode()) or talk.stopping.wait(every):
                return
        talk.send(b"Content-Length: 0\r\n\r\n")

    return behave


def trickle_body(every: float = 0.2) -> Behaviour:
    """Headers at once announcing a 100-byte body, then the body a byte at a time."""

    def behave(talk: Conversation) -> None:
        if talk.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"):
            talk.trickle(b"x" * 100, every)

    return behave


def huge_header(size: int = 4 * 1024 * 1024) -> Behaviour:
    """One header line of ``size`` bytes."""

    def behave(talk: Conversation) -> None:
        talk.send(b"HTTP/1.1 200 OK\r\nX-Huge: ")
        talk.send(b"a" * size)
        talk.send(b"\r\nContent-Length: 0\r\n\r\n")

    return behave


def http09() -> Behaviour:
    """An HTTP/0.9 answer: the body, no status line, no headers."""
    return lambda talk: None if talk.send(b"<html>ok</html>\n") else None


def bad_status_line() -> Behaviour:
    return lambda talk: None if talk.send(b"HTTP/1.1 two-hundred OK\r\nContent-Length: 0\r\n\r\n") else None


def many_headers(count: int = 1000, size: int = 10) -> Behaviour:
    """A 200 with ``count`` headers of ``size``-byte values (1,000 small ones; or 90 of 60 KB)."""

    def behave(talk: Conversation) -> None:
        if not talk.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"):
            return
        value = b"v" * size
        for index in range(count):
            if not talk.send(b"X-Many-%d: " % index + value + b"\r\n"):
                return
        talk.send(b"\r\nok")

    return behave


def _json_answer(body: dict[str, object], status: str = "200 OK", extra: str = "") -> bytes:
    data = json.dumps(body).encode()
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n{extra}\r\n"
            ).encode("latin-1") + data


def base64_echo() -> Behaviour:
    """200 with the request body echoed base64-encoded (standard and URL-safe) and in a header."""

    def behave(talk: Conversation) -> None:
        body = talk.request.body
        token = talk.request.header("x-token-header").encode()
        talk.send(_json_answer(
            {"std": base64.b64encode(body).decode(), "urlsafe": base64.urlsafe_b64encode(body).decode(),
             "token": base64.b64encode(b"Bearer " + token).decode()},
            extra=f"X-Echo: {base64.b64encode(token).decode()}\r\n"))

    return behave


def key_in_location_and_header_name(header: str = "x-token-header") -> Behaviour:
    """302 to a Location holding the key, plus a header whose *name* is the key."""

    def behave(talk: Conversation) -> None:
        token = talk.request.header(header)
        talk.send(_json_answer({"moved": True}, "302 Found",
                               f"Location: /next?k={token}\r\nX-{token}: name\r\nX-Value: {token}\r\n"))

    return behave


def markdown_location() -> Behaviour:
    """302 to a Location that would render an image and a link if shown as Markdown."""

    def behave(talk: Conversation) -> None:
        pixel = f"http://127.0.0.1:{talk.port}/pixel.png"
        talk.send(_json_answer({"moved": True}, "302 Found",
                               f"Location: /next ![x]({pixel}) [Click to fix]({pixel}) <b>bold</b>\r\n"))

    return behave


def status(code: int) -> Behaviour:
    return lambda talk: None if talk.send(_json_answer({"status": code}, f"{code} Status")) else None


def wait_until(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll ``predicate`` until it holds or ``seconds`` pass."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
