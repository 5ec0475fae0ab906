"""The head of an endpoint's answer, read the same way by both engines (a single fire and a burst).

``HeadReader`` is fed the answer's bytes as they come (a line at a time by the single fire, whatever
the socket gives in a burst) and returns the final head once it is complete, or raises ``NotHTTP``
saying what is wrong. The rules are those of a strict HTTP/1.1 client, written once:

- the status line is ``HTTP/1.0`` or ``HTTP/1.1``, a three-digit code and a reason; anything else
  (HTTP/0.9, ``ICE/1.0``, ``HTTP/2``, another protocol) is not an answer ManyChat can read;
- every line ends with CRLF (an LF alone is refused), no line is over 64 KiB, there are at most
  100 header lines, and no header is folded onto the next line (obsolete line folding);
- the body's framing is unambiguous: Content-Length is a non-negative number given once (or
  repeated with the same value), never together with Transfer-Encoding, whose last coding is chunked;
- interim answers (1xx, such as ``100 Continue``) are skipped, at most ``MAX_INTERIM`` of them.

The engines then read the body with the framing decided here (``Head.replay`` is the head they hand
to their own parser: http.client for the single fire, httptools for a burst).
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass

MAX_LINE = 64 * 1024
MAX_HEADERS = 100
MAX_INTERIM = 10
KEPT_HEADERS = 60  # headers kept for showing (the single fire caps them further when storing)
KEPT_VALUE = 4096
STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: ([^\x00\r\n]*))?\Z")
TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})


class NotHTTP(http.client.HTTPException):
    """The answer is not HTTP/1.x a client can read; ``reason`` says what is wrong (shown to the user)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Head:
    """The final head of an answer: status, kept headers (latin-1 text) and the body's framing."""

    status_line: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    dropped: int  # header lines not kept (over KEPT_HEADERS)
    length: int | None
    chunked: bool
    close: bool

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), "")

    def replay(self, with_headers: bool = True) -> bytes:
        """A normalized head with the framing decided here, for the engine's own body parser."""
        lines = [self.status_line]
        if with_headers:
            lines += [f"{n}: {v}".encode("latin-1") for n, v in self.headers if n.lower() not in FRAMING]
        if self.chunked:
            lines.append(b"Transfer-Encoding: chunked")
        elif self.length is not None:
            lines.append(b"Content-Length: %d" % self.length)
        if self.close:
            lines.append(b"Connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n"


class HeadReader:
    """Feed the answer's bytes; ``feed`` returns (head, the bytes after it) once the final head is in."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.received = 0
        self.interim = 0
        self._start()

    def _start(self) -> None:
        self._status: tuple[bytes, int, str] | None = None
        self._headers: list[tuple[str, str]] = []
        self._count = 0
        self._lengths: list[bytes] = []
        self._codings: list[bytes] = []
        self._connection: list[bytes] = []

    def feed(self, data: bytes) -> tuple[Head, bytes] | None:
        self.received += len(data)
        self._buffer += data
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_LINE:
                    raise NotHTTP(self._status_problem(bytes(self._buffer[:200]))
                                  or "a status or header line is longer than 64 KiB")
                return None
            if end > MAX_LINE + 1:
                raise NotHTTP(self._status_problem(bytes(self._buffer[:200]))
                              or "a status or header line is longer than 64 KiB")
            line = bytes(self._buffer[:end + 1])
            del self._buffer[:end + 1]
            head = self._line(line)
            if head is not None:
                rest = bytes(self._buffer)
                self._buffer.clear()
                return head, rest

    def eof(self) -> None:
        """The connection ended before the head was complete: raise NotHTTP, or return if nothing came."""
        if self.received == 0:
            return
        problem = self._status_problem(bytes(self._buffer[:200]))
        raise NotHTTP(problem or "the answer ended inside its headers")

    def _status_problem(self, line: bytes) -> str | None:
        if self._status is not None:
            return None
        text = line.rstrip(b"\r\n")
        if STATUS_LINE.match(text):
            return None
        shown = text[:60].decode("latin-1")
        return f"the status line {shown!r} is not HTTP/1.x (an HTTP/0.9 answer or another protocol)"

    def _line(self, line: bytes) -> Head | None:
        problem = self._status_problem(line)
        if problem:
            raise NotHTTP(problem)
        if not line.endswith(b"\r\n") or b"\r" in line[:-2]:
            raise NotHTTP("a line of the answer does not end with CRLF (a bare LF or CR)")
        content = line[:-2]
        if self._status is None:
            match = STATUS_LINE.match(content)
            assert match is not None
            self._status = (content, int(match.group(2)), match.group(1).decode())
            return None
        if content:
            self._header(content)
            return None
        return self._end()

    def _header(self, content: bytes) -> None:
        if content[:1] in (b" ", b"\t"):
            raise NotHTTP("a header is folded onto the next line (obsolete line folding)")
        name, sep, value = content.partition(b":")
        if not sep or not TOKEN.match(name):
            raise NotHTTP(f"the header line {content[:40].decode('latin-1')!r} is malformed")
        self._count += 1
        if self._count > MAX_HEADERS:
            raise NotHTTP(f"the answer has more than {MAX_HEADERS} header lines")
        value = value.strip(b" \t")
        if b"\x00" in value:
            raise NotHTTP("a header value holds a NUL byte")
        lowered = name.lower()
        if lowered == b"content-length":
            self._lengths += [part.strip(b" \t") for part in value.split(b",")]
        elif lowered == b"transfer-encoding":
            self._codings += [part.strip(b" \t").lower() for part in value.split(b",") if part.strip()]
        elif lowered == b"connection":
            self._connection += [part.strip(b" \t").lower() for part in value.split(b",")]
        if len(self._headers) < KEPT_HEADERS:
            self._headers.append((name.decode("latin-1"), value[:KEPT_VALUE].decode("latin-1")))

    def _end(self) -> Head | None:
        assert self._status is not None
        line, status, minor = self._status
        if 100 <= status < 200:
            if status == 101:
                raise NotHTTP("the answer switches protocols (101), it is not an HTTP answer")
            self.interim += 1
            if self.interim > MAX_INTERIM:
                raise NotHTTP(f"the answer is more than {MAX_INTERIM} interim (1xx) answers in a row")
            self._start()
            return None
        length = self._length()
        chunked = False
        if self._codings:
            if length is not None:
                raise NotHTTP("the answer has both Content-Length and Transfer-Encoding (its body's length "
                              "is ambiguous)")
            if self._codings[-1] != b"chunked":
                raise NotHTTP("the answer's Transfer-Encoding does not end with chunked")
            chunked = True
        close = b"close" in self._connection or (minor == "0" and b"keep-alive" not in self._connection)
        return Head(line, status, tuple(self._headers), max(0, self._count - len(self._headers)), length,
                    chunked, close)

    def _length(self) -> int | None:
        if not self._lengths:
            return None
        values = set(self._lengths)
        for value in values:
            if not value.isdigit() or len(value) > 18:
                raise NotHTTP(f"the Content-Length {value[:20].decode('latin-1')!r} is not a non-negative number")
        if len({int(v) for v in values}) > 1:
            shown = " and ".join(sorted(v.decode() for v in values)[:2])
            raise NotHTTP(f"two Content-Length headers disagree ({shown})")
        return int(self._lengths[0])
