"""Optional per-endpoint rate limits of the sandbox (off by default; an app's setting turns them on).

ManyChat's published figures: each endpoint's requests per second (per account: here per app),
and sendFlow's 100 per subscriber per hour. Counted in this server process's memory.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from console.catalog import get_scope

SEND_FLOW = "/fb/sending/sendFlow"
SEND_FLOW_PER_SUBSCRIBER_HOUR = 100


class RateLimiter:
    """Sliding windows: one second per (app, endpoint), one hour per (app, sendFlow subscriber)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[object, ...], deque[float]] = {}

    def _admit(self, key: tuple[object, ...], limit: int, span: float) -> bool:
        now = self._clock()
        with self._lock:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True

    def check(self, app_ref: int, path: str, subscriber_id: object = None) -> str | None:
        """None when the call may proceed, else why it is refused."""
        scope = get_scope(path)
        if scope is not None and not self._admit(("rps", app_ref, path), scope.rps, 1.0):
            return f"more than {scope.rps} requests per second to {path}"
        if path == SEND_FLOW and subscriber_id is not None and not self._admit(
                ("flow", app_ref, str(subscriber_id)), SEND_FLOW_PER_SUBSCRIBER_HOUR, 3600.0):
            return f"more than {SEND_FLOW_PER_SUBSCRIBER_HOUR} sendFlow calls for subscriber {subscriber_id} in an hour"
        return None
