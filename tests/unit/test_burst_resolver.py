"""The burst's name lookup: off the event loop, once per host, inside each request's wall-clock deadline."""

from __future__ import annotations

import asyncio
import threading
import time

from console.fire.burst import BurstPlan, Installation, ResultRow
from console.fire.burst_loop import fire_many
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from tests import hostile

CTX = FireContext(params={"workspace": "acme"})
CALLS: list[str] = []
LOCK = threading.Lock()


def slow_resolver(host: str, port: int) -> list[str]:
    """A resolver that takes 4 s (module level: a burst plan pickles it by name)."""
    time.sleep(4.0)
    return ["127.0.0.1"]


def counting_resolver(host: str, port: int) -> list[str]:
    with LOCK:
        CALLS.append(host)
    time.sleep(0.2)
    return ["127.0.0.1"]


def run_burst(plan: BurstPlan, count: int, concurrency: int) -> tuple[list[ResultRow], float]:
    rows: list[ResultRow] = []
    started = time.monotonic()
    asyncio.run(fire_many(plan, [Installation(i, None, f"p{i}") for i in range(count)], concurrency, rows.extend))
    return rows, time.monotonic() - started


def test_a_slow_resolver_is_a_timeout_at_the_deadline_in_a_burst_as_in_a_single_fire(auth_request: dict) -> None:
    timeouts = Timeouts(connect=2.0, total=2.0)
    with hostile.hostile(hostile.status(200)) as server:
        url = f"http://resolves.example:{server.port}/install"
        single = fire_install_request(auth_request, CTX, url=url, timeouts=timeouts, resolver=slow_resolver)
        rows, wall = run_burst(BurstPlan(auth_request, CTX, url, timeouts, resolver=slow_resolver), 3, 3)
        assert server.requests == []  # nothing was sent: the address was never known in time
    assert single.category == "timeout" and "DNS lookup" in single.message
    assert [row[4] for row in rows] == ["timeout"] * 3
    assert all(1900 <= row[5] <= 2600 for row in rows), [row[5] for row in rows]
    assert wall < 3.0, wall  # the burst is over at the deadline, not when the resolver returns (4 s)
    assert all("DNS lookup of resolves.example did not finish within the deadline of 2 s" in str(row[7])
               for row in rows)


def test_each_host_is_resolved_once_per_burst(auth_request: dict) -> None:
    CALLS.clear()
    with hostile.hostile(hostile.status(200)) as server:
        url = f"http://once.example:{server.port}/install"
        rows, _ = run_burst(BurstPlan(auth_request, CTX, url, Timeouts(2.0, 5.0), resolver=counting_resolver), 12, 6)
    assert [row[4] for row in rows] == ["ok"] * 12
    assert CALLS == ["once.example"]
