"""Optional per-endpoint rate limits of the sandbox (off by default; an app's setting turns them on).

ManyChat's published figures: each endpoint's requests per second (per account: here per app),
and sendFlow's 100 per subscriber per hour. Counted in this server process's memory, bounded:
a window idle for its whole span is forgotten (it no longer limits anything), and at most
MAX_WINDOWS per span are kept (beyond that the least recently used is dropped).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from console.catalog import get_scope

SEND_FLOW = "/fb/sending/sendFlow"
SEND_FLOW_PER_SUBSCRIBER_HOUR = 100
MAX_WINDOWS = 200_000  # per span: about 100 MB at most even if every subscriber were active this hour

Key = tuple[object, ...]


class RateLimiter:
    """Sliding windows: one second per (app, endpoint), one hour per (app, sendFlow subscriber)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_windows: int = MAX_WINDOWS):
        self._clock = clock
        self._max_windows = max_windows
        self._lock = threading.Lock()
        # One ordered map per span, oldest newest-call first: expiring is popping from the front.
        self._windows: dict[float, OrderedDict[Key, deque[float]]] = {}

    def window_count(self) -> int:
        """How many windows are kept (for tests and the memory bound)."""
        with self._lock:
            return sum(len(windows) for windows in self._windows.values())

    @staticmethod
    def _expire(windows: OrderedDict[Key, deque[float]], horizon: float) -> None:
        while windows:
            window = next(iter(windows.values()))
            if window and window[-1] > horizon:
                return
            windows.popitem(last=False)

    def _admit(self, key: Key, limit: int, span: float) -> bool:
        now = self._clock()
        with self._lock:
            windows = self._windows.setdefault(span, OrderedDict())
            self._expire(windows, now - span)
            window = windows.get(key)
            if window is None:
                window = windows[key] = deque()
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            windows.move_to_end(key)
            while len(windows) > self._max_windows:
                windows.popitem(last=False)
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
