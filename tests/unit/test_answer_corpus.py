"""One classifier: a corpus of hostile answers, each sent as raw bytes by a loopback server, through both
engines (a single fire over requests, a burst over httptools); both must give the same category."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import pytest

from console.fire.burst import BurstPlan, Installation, ResultRow
from console.fire.burst_loop import fire_many
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from tests import hostile

TIMEOUTS = Timeouts(connect=1.0, total=1.5)
CTX = FireContext(params={"workspace": "acme"})
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def raw(data: bytes, then_wait: float = 0.0) -> hostile.Behaviour:
    """Send ``data`` at once; then hold the connection open ``then_wait`` seconds (a stall)."""

    def behave(talk: hostile.Conversation) -> None:
        if talk.send(data) and then_wait:
            talk.stopping.wait(then_wait)

    return behave


@dataclass(frozen=True)
class Case:
    name: str
    behaviour: hostile.Behaviour
    category: str


CORPUS = [
    Case("200 with Content-Length", raw(OK), "ok"),
    Case("chunked", raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), "ok"),
    Case("body until close", raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe end is the close"), "ok"),
    Case("HTTP/1.0 until close", raw(b"HTTP/1.0 200 OK\r\n\r\nold style"), "ok"),
    Case("the same Content-Length twice", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"),
         "ok"),
    Case("one 100 Continue, then 200", raw(b"HTTP/1.1 100 Continue\r\n\r\n" + OK), "ok"),
    Case("103 Early Hints, then 200", raw(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + OK), "ok"),
    Case("90 headers of 60 KB", hostile.many_headers(90, 60 * 1024), "ok"),
    Case("base64 echo of the key", hostile.base64_echo(), "ok"),
    Case("204", raw(b"HTTP/1.1 204 No Content\r\n\r\n"), "http_status"),
    Case("500", hostile.status(500), "http_status"),
    Case("301", raw(b"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n"), "redirect"),
    Case("302 with the key in Location", hostile.key_in_location_and_header_name(), "redirect"),
    Case("302 with Markdown in Location", hostile.markdown_location(), "redirect"),
    Case("body over 64 KiB", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000), "too_large"),
    Case("a stream of 100 Continue", raw(b"HTTP/1.1 100 Continue\r\n\r\n" * 40, then_wait=5), "protocol"),
    Case("101 Switching Protocols", raw(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"), "protocol"),
    Case("LF-only line ends", raw(b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok"), "protocol"),
    Case("LF-only after the status line", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok"), "protocol"),
    Case("a folded header", raw(b"HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 2\r\n\r\nok"), "protocol"),
    Case("Content-Length plus chunked",
         raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
         "protocol"),
    Case("a negative Content-Length", raw(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok", then_wait=5),
         "protocol"),
    Case("a Content-Length that is not a number", raw(b"HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok"),
         "protocol"),
    Case("two conflicting Content-Length",
         raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok", then_wait=5), "protocol"),
    Case("Content-Length: 2, 5", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2, 5\r\n\r\nok"), "protocol"),
    Case("Transfer-Encoding gzip", raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok"), "protocol"),
    Case("broken chunk size", raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
         "protocol"),
    Case("ICE/1.0 status line", raw(b"ICE/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"), "protocol"),
    Case("HTTP/2 status line", raw(b"HTTP/2 200\r\ncontent-length: 2\r\n\r\nok"), "protocol"),
    Case("HTTP/1.1 two-hundred", hostile.bad_status_line(), "protocol"),
    Case("HTTP/0.9", hostile.http09(), "protocol"),
    Case("an SMTP banner", raw(b"220 smtp.example ESMTP ready\r\n\r\n"), "protocol"),
    Case("101 header lines", raw(b"HTTP/1.1 200 OK\r\n" + b"X-Many: 1\r\n" * 101 + b"Content-Length: 0\r\n\r\n"),
         "protocol"),
    Case("1,000 header lines", hostile.many_headers(1000), "protocol"),
    Case("a 70 KB header line", raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"), "protocol"),
    Case("a 4 MB header line", hostile.huge_header(4 * 1024 * 1024), "protocol"),
    Case("a bare CR in a header", raw(b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok"), "protocol"),
    Case("a NUL in a header", raw(b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok"), "protocol"),
    Case("a header line with no colon", raw(b"HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 2\r\n\r\nok"),
         "protocol"),
    Case("the head cut short", raw(b"HTTP/1.1 200 OK\r\nContent-Le"), "protocol"),
    Case("the body cut short", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\ncut short"), "protocol"),
    Case("the body stalls half-way", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhalf", then_wait=5),
         "timeout"),
    Case("the status line trickles", hostile.trickle_status(0.2), "timeout"),
    Case("the headers trickle", hostile.trickle_headers(100, 0.1), "timeout"),
    Case("the body trickles", hostile.trickle_body(0.2), "timeout"),
    Case("silence", raw(b"", then_wait=5), "timeout"),
    Case("closed without a byte", raw(b""), "connect"),
]


def burst_categories(request: dict[str, Any], url: str, count: int = 2) -> tuple[list[str], float]:
    rows: list[ResultRow] = []
    plan = BurstPlan(request, CTX, url, TIMEOUTS)
    started = time.monotonic()
    asyncio.run(fire_many(plan, [Installation(i, None, f"page{i}") for i in range(count)], count, rows.extend))
    return [row[4] for row in rows], time.monotonic() - started


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_both_engines_classify_each_hostile_answer_alike(auth_request: dict, case: Case) -> None:
    with hostile.hostile(case.behaviour) as server:
        single = fire_install_request(auth_request, CTX, url=server.url + "/install", timeouts=TIMEOUTS)
    with hostile.hostile(case.behaviour) as server:
        in_burst, wall = burst_categories(auth_request, server.url + "/install")
    assert (single.category.value, in_burst) == (case.category, [case.category] * 2), single.message
    if case.category == "timeout":
        assert single.elapsed_ms / 1000 < TIMEOUTS.total + 0.7 and wall < TIMEOUTS.total + 0.7


def test_a_refused_connection_is_connect_in_both(auth_request: dict) -> None:
    url = "http://127.0.0.1:9/install"  # the discard port: nothing listens on loopback
    single = fire_install_request(auth_request, CTX, url=url, timeouts=TIMEOUTS)
    in_burst, _ = burst_categories(auth_request, url)
    assert (single.category.value, in_burst) == ("connect", ["connect", "connect"])
    assert "refused" in single.message


def test_protocol_messages_say_what_is_wrong(auth_request: dict) -> None:
    for answer, needle in [(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok", "disagree"),
                           (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "not a non-negative number"),
                           (b"ICE/1.0 200 OK\r\n\r\n", "not HTTP/1.x"),
                           (b"HTTP/1.1 200 OK\nContent-Length: 0\n\n", "CRLF"),
                           (b"HTTP/1.1 200 OK\r\nA: 1\r\n b\r\n\r\n", "folded")]:
        with hostile.hostile(raw(answer)) as server:
            result = fire_install_request(auth_request, CTX, url=server.url + "/i", timeouts=TIMEOUTS)
        assert result.category == "protocol" and needle in result.message, result.message
        assert "answered, but not in HTTP ManyChat can read" in result.message
