"""The sandbox's rate limiter forgets idle subscribers: memory follows the subscribers active in
the last hour, not every one ever seen (before: 300,000 ids left 300,001 windows in 281 MB)."""

from __future__ import annotations

import tracemalloc

from console.sandbox.ratelimit import SEND_FLOW, SEND_FLOW_PER_SUBSCRIBER_HOUR, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_300000_subscribers_keep_only_the_last_hours_windows() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for subscriber in range(300_000):  # one new subscriber every 0.2 s: 18,000 per hour
        clock.now = subscriber * 0.2
        assert limiter.check(1, SEND_FLOW, subscriber) is None
    assert limiter.window_count() <= 18_000 + 2, limiter.window_count()


def test_memory_follows_the_active_windows() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    tracemalloc.start()
    try:
        for subscriber in range(40_000):  # 4 s apart: 900 active in any hour
            clock.now = subscriber * 4.0
            limiter.check(1, SEND_FLOW, subscriber)
        memory = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert limiter.window_count() <= 900 + 2
    assert memory < 4 * 1024 * 1024, f"{memory / 1e6:.1f} MB"  # kept forever it was ~38 MB


def test_the_limit_still_holds_for_an_active_subscriber_and_ends_with_the_hour() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for call in range(SEND_FLOW_PER_SUBSCRIBER_HOUR):
        clock.now = call * 1.0
        assert limiter.check(1, SEND_FLOW, 7) is None
    clock.now = 200.0
    assert "sendFlow" in (limiter.check(1, SEND_FLOW, 7) or "")
    for other in range(1000):  # others come and go meanwhile
        clock.now = 200.0 + other
        limiter.check(1, SEND_FLOW, 10_000 + other)
    clock.now = 1300.0
    assert "sendFlow" in (limiter.check(1, SEND_FLOW, 7) or "")  # still within its hour
    clock.now = 3600.0 + 100.0
    assert limiter.check(1, SEND_FLOW, 7) is None  # its oldest calls left the window


def test_a_burst_of_distinct_ids_is_capped() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock, max_windows=1000)
    for subscriber in range(5000):
        clock.now = subscriber * 0.06
        limiter.check(1, SEND_FLOW, subscriber)
    assert limiter.window_count() <= 1000 + 1
