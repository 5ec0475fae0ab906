"""The fire engine against hostile servers on loopback: a real deadline, the protocol category,
capped response headers, and the key redacted in every form it comes back in."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from console import keys
from console.fire.prepare import FireContext
from console.fire.send import HEADER_COUNT_CAP, Timeouts, fire_install_request
from console.outcome import FireResult
from tests import hostile

CTX = FireContext(params={"workspace": "acme"})


def fire(request: dict[str, Any], url: str, total: float = 2.0, key: str | None = None) -> FireResult:
    return fire_install_request(request, CTX, url=url, app_key=key, timeouts=Timeouts(connect=1.0, total=total))


def everything(result: FireResult) -> str:
    """Every text of a fire: its CLI JSON, its stored detail, its message and timeline."""
    return json.dumps(result.to_dict(), ensure_ascii=False) + json.dumps(result.to_stored(), default=str,
                                                                          ensure_ascii=False)


@pytest.mark.parametrize("behaviour", [
    hostile.trickle_status(0.2),  # the whole answer would take 17 s
    hostile.trickle_headers(100, 0.1),  # 100 header lines: 10 s
    hostile.trickle_body(0.2),  # a 100-byte body: 20 s
], ids=["status line", "headers", "body"])
def test_the_total_deadline_bounds_the_whole_exchange(auth_request: dict, behaviour: hostile.Behaviour) -> None:
    total = 2.0
    with hostile.hostile(behaviour) as server:
        started = time.monotonic()
        result = fire(auth_request, server.url + "/install", total=total)
        wall = time.monotonic() - started
    assert result.category == "timeout" and not result.ok, result.message
    assert abs(wall - total) <= 1.0 and abs(result.elapsed_ms / 1000 - total) <= 1.0, wall
    assert "deadline of 2 s" in result.message


def test_connect_timeout_never_exceeds_the_total(auth_request: dict) -> None:
    with hostile.hostile(hostile.trickle_status(0.2)) as server:
        started = time.monotonic()
        result = fire_install_request(auth_request, CTX, url=server.url + "/i",
                                      timeouts=Timeouts(connect=60.0, total=1.0))
    assert result.category == "timeout" and time.monotonic() - started < 2.0


@pytest.mark.parametrize(("behaviour", "needle"), [
    (hostile.bad_status_line(), "status line"),
    (hostile.http09(), "HTTP/0.9"),
    (hostile.huge_header(4 * 1024 * 1024), "longer than 64 KiB"),
    (hostile.many_headers(1000), "more than 100 header"),
], ids=["bad status line", "HTTP/0.9", "4 MB header line", "1,000 headers"])
def test_answers_that_are_not_http_are_protocol_errors(auth_request: dict, behaviour: hostile.Behaviour,
                                                       needle: str) -> None:
    with hostile.hostile(behaviour) as server:
        result = fire(auth_request, server.url + "/install", total=5.0)
    assert result.category == "protocol", result.message
    assert "answered, but not in HTTP ManyChat can read" in result.message and needle in result.message
    assert "nothing accepted" not in result.message


def test_many_huge_response_headers_are_capped(auth_request: dict) -> None:
    with hostile.hostile(hostile.many_headers(90, 60 * 1024)) as server:
        result = fire(auth_request, server.url + "/install", total=10.0)
    assert result.category == "ok"
    assert result.response is not None
    headers = result.response.headers
    assert len(headers) <= HEADER_COUNT_CAP + 1
    assert headers[-1][0] == "…" and "not kept" in headers[-1][1]
    stored = json.dumps(result.to_stored(), default=str)
    assert len(stored) < 40 * 1024, len(stored)  # was 5.4 MB


def test_a_base64_echo_of_the_key_is_redacted_and_proves_delivery(auth_request: dict) -> None:
    key = keys.generate_app_key()
    with hostile.hostile(hostile.base64_echo()) as server:
        result = fire(auth_request, server.url + "/install", key=key)
    assert result.category == "ok"
    assert not keys.holds_key(everything(result), key)
    assert key not in everything(result)
    assert result.delivery is not None and result.delivery.status == "proven"


def test_the_key_in_a_location_and_a_header_name_is_redacted(auth_request: dict) -> None:
    key = keys.generate_app_key()
    with hostile.hostile(hostile.key_in_location_and_header_name()) as server:
        result = fire(auth_request, server.url + "/install", key=key)
    assert result.category == "redirect"
    text = everything(result)
    assert key not in text and not keys.holds_key(text, key)
    assert result.location is not None and keys.mask_key(key) in result.location
    assert result.response is not None and any(keys.mask_key(key) in name for name, _ in result.response.headers)
