"""The access gate's attempt counters, checked and booked in one transaction.

Two counters guard a sign-in: one per (client, claimed name) with an exponential slow-down, and
one per client address with a bounded budget per window. ``admit`` locks both rows (the first
statement of the transaction is a write: a row lock on PostgreSQL, the write lock on SQLite),
reads them, and either refuses (the seconds to wait) or books the attempt as a failure before the
token is compared; ``settle_success`` takes the booking back. So concurrent processes cannot all
read "no wait" before any of them records a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.store.schema import gate_failures

KEY_LIMIT = 200


@dataclass(frozen=True)
class Admission:
    """``wait_s`` > 0: refused before comparing (``by_address`` when the address's budget is spent).
    Otherwise the attempt is booked; ``wait_if_wrong`` is the claim's wait should the token be wrong."""

    wait_s: float
    by_address: bool = False
    failures: int = 0
    wait_if_wrong: int = 0


@dataclass(frozen=True)
class Counter:
    key: str
    failures: int
    locked_until: datetime | None


def _locked_row(conn: Connection, key: str, now: datetime) -> Counter:
    """The counter's row, created when missing, locked for the rest of the transaction."""
    touch = gate_failures.update().where(gate_failures.c.client == key).values(failures=gate_failures.c.failures)
    if not conn.execute(touch).rowcount:
        try:
            with conn.begin_nested():
                conn.execute(gate_failures.insert().values(client=key, failures=0, last_failed_at=now))
        except sa.exc.IntegrityError:  # another process inserted it first: wait for its lock
            conn.execute(touch)
    row = conn.execute(sa.select(gate_failures).where(gate_failures.c.client == key)).one()
    return Counter(key, int(row.failures), row.locked_until)


class GateAttempts:
    def __init__(self, engine: Engine):
        self.engine = engine

    def counter(self, key: str) -> Counter:
        key = key[:KEY_LIMIT]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(gate_failures).where(gate_failures.c.client == key)).first()
        return Counter(key, 0, None) if row is None else Counter(key, int(row.failures), row.locked_until)

    def admit(self, claim: str, address: str, now: datetime, claim_wait: Callable[[int], int],
              budget: int, window: timedelta) -> Admission:
        """Refuse (a wait) or book one attempt as a failure, atomically across processes."""
        claim, address = claim[:KEY_LIMIT], address[:KEY_LIMIT]
        with self.engine.begin() as conn:
            rows = {key: _locked_row(conn, key, now) for key in sorted({claim, address})}
            mine, shared = rows[claim], rows[address]
            if mine.locked_until is not None and mine.locked_until > now:
                return Admission((mine.locked_until - now).total_seconds())
            window_open = shared.locked_until is not None and shared.locked_until > now
            spent = shared.failures if window_open else 0
            if window_open and spent >= budget:
                assert shared.locked_until is not None
                return Admission((shared.locked_until - now).total_seconds(), by_address=True)
            failures = mine.failures + 1
            wait = claim_wait(failures)
            conn.execute(gate_failures.update().where(gate_failures.c.client == claim).values(
                failures=failures, last_failed_at=now, locked_until=now + timedelta(seconds=wait) if wait else None))
            conn.execute(gate_failures.update().where(gate_failures.c.client == address).values(
                failures=spent + 1, last_failed_at=now,
                locked_until=shared.locked_until if window_open else now + window))
        return Admission(0.0, failures=failures, wait_if_wrong=wait)

    def settle_success(self, claim: str, address: str) -> None:
        """The token was right: the claim's count is cleared and the address's booking taken back."""
        with self.engine.begin() as conn:
            conn.execute(gate_failures.delete().where(gate_failures.c.client == claim[:KEY_LIMIT]))
            conn.execute(gate_failures.update().where(gate_failures.c.client == address[:KEY_LIMIT],
                                                      gate_failures.c.failures > 0)
                         .values(failures=gate_failures.c.failures - 1))
