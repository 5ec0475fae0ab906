"""Credit-based flow control between a burst's coordinator and its workers.

A worker starts only the installation positions (a prefix of its share) the coordinator has
granted it. The coordinator records every grant as *started* (what a resume after a kill may send
again) **before** it writes the grant to the worker, so the recorded marks cover every installation
any worker may have sent, however far behind the coordinator is in reading results. A grant is
about ``GRANT_SECONDS`` of the worker's measured traffic (never less than a few per lane), so the
workers never wait for one while the recorded marks stay within about one grant per worker of
what was really sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

GRANT_SECONDS = 0.5  # a grant is about this long of a worker's traffic (0.25 s: lanes waited under load)
PER_LANE = 4  # and at least this many installations per lane of the worker
MIN_GRANT = 64
MAX_GRANT = 5000


class Credit:
    """A worker's side: how many positions it may start; it asks for more once it passes ``ask_at``.

    ``grant`` and ``close`` run on the worker's event loop (its stdin reader hands them over). A
    closed credit (the coordinator's end of stdin shut: it is gone or stops the burst) starts nothing more.
    """

    def __init__(self, total: int, ask: Callable[[int], None]):
        self.total, self.ask = total, ask
        self.asked = False
        self.granted = 0
        self.ask_at = 0
        self.used = 0
        self.waits = 0  # times a lane found every granted position used (the coordinator was late)
        self.closed = False
        self.changed = asyncio.Event()

    def grant(self, upto: int, ask_at: int) -> None:
        if upto > self.granted:
            self.granted, self.ask_at, self.asked = upto, ask_at, False
        self.changed.set()

    def close(self) -> None:
        self.closed = True
        self.changed.set()

    def wake(self) -> None:
        self.changed.set()

    async def take(self, stop: asyncio.Event) -> bool:
        """One more position to start (waiting for a grant when all are used); False: start nothing more."""
        if self.used >= self.total:
            return False
        if self.used >= self.granted:
            self.waits += 1
        while self.used >= self.granted and not self.closed and not stop.is_set():
            self.changed.clear()
            await self.changed.wait()
        if self.closed or stop.is_set():
            return False
        self.used += 1
        if not self.asked and 0 <= self.ask_at <= self.used:
            self.asked = True
            self.ask(self.used)
        return True


@dataclass
class _Share:
    total: int  # positions in the worker's share
    lanes: int
    granted: int = 0
    chunk: int = 0
    last: tuple[float, int] = (0.0, 0)  # (when, taken) of its last ask: its rate


@dataclass
class GrantBook:
    """The coordinator's side: what each worker has been granted, and the next grant when it asks."""

    shares: list[_Share] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic

    def add(self, total: int, lanes: int) -> None:
        self.shares.append(_Share(total, lanes, chunk=max(MIN_GRANT, lanes * PER_LANE)))

    def first(self, index: int) -> tuple[int, int]:
        """The opening grant of a worker: (up to, ask at)."""
        share = self.shares[index]
        share.last = (self.clock(), 0)
        return self._to(share, share.chunk)

    def asked(self, index: int, taken: int) -> tuple[int, int] | None:
        """The grant for a worker that asked having taken ``taken``: (up to, ask at), or None (all granted)."""
        share = self.shares[index]
        now = self.clock()
        when, before = share.last
        if now > when and taken > before:
            rate = (taken - before) / (now - when)
            floor = max(MIN_GRANT, share.lanes * PER_LANE)
            share.chunk = max(floor, min(MAX_GRANT, int(rate * GRANT_SECONDS)))
        share.last = (now, taken)
        if share.granted >= share.total:
            return None
        return self._to(share, max(taken + share.chunk, share.granted + share.chunk // 2))

    def _to(self, share: _Share, upto: int) -> tuple[int, int]:
        share.granted = min(share.total, max(share.granted, upto))
        ask_at = share.granted - share.chunk // 2 if share.granted < share.total else -1
        return share.granted, ask_at

    def granted(self, index: int) -> int:
        return self.shares[index].granted
