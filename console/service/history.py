"""Reading stored fires: History's filtered page, an app's newest fires, one fire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from console.outcome import CATEGORIES, FireRecord
from console.service.base import get_fire
from console.service.readiness import ACTION_SOURCE
from console.store import FireFilter, Store

SOURCES = ("page", "conformance", "cli", "sandbox", ACTION_SOURCE)
OUTCOMES = ("ok", "failed", *CATEGORIES[1:])  # "ok", "failed", or one failure category
TARGET_KINDS = ("endpoint", "sample")


@dataclass(frozen=True)
class HistoryFilter:
    """Which fires History shows: each field narrows, None means any. Days are whole UTC days."""

    app_ref: int | None = None
    target_kind: str | None = None
    outcome: str | None = None
    source: str | None = None
    first_day: date | None = None
    last_day: date | None = None

    def where(self) -> FireFilter:
        return FireFilter(
            app_ref=self.app_ref, target_kind=self.target_kind, outcome=self.outcome, source=self.source,
            since=None if self.first_day is None else datetime.combine(self.first_day, time.min, UTC),
            until=None if self.last_day is None else datetime.combine(self.last_day, time.max, UTC))


@dataclass(frozen=True)
class HistoryView:
    total: int
    breakdown: dict[str, int]
    points: list[tuple[datetime, float, str]]  # the newest fires' time, latency and category
    rows: list[FireRecord]
    pages: int


def history(store: Store, chosen: HistoryFilter, page: int = 1, page_size: int = 25,
            points: int = 500) -> HistoryView:
    """One page of History: counts and breakdown aggregated in SQL, the newest points, one page of rows."""
    where = chosen.where()
    breakdown = store.fires.breakdown(where)
    total = sum(breakdown.values())
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = [FireRecord.from_row(r) for r in store.fires.page(where, limit=page_size, offset=(page - 1) * page_size)]
    latency = [(r["fired_at"], float(r["elapsed_ms"]), str(r["category"]))
               for r in store.fires.latencies(where, limit=points)] if total else []
    return HistoryView(total, breakdown, latency, rows, pages)


def app_names(store: Store) -> dict[int, str]:
    """Every app's name by id (History's app filter)."""
    return store.apps.names()


def latest_fire(store: Store, app_ref: int) -> FireRecord | None:
    """The app's newest install-request fire (action rehearsals are not install requests)."""
    rows = store.fires.page(FireFilter(app_ref=app_ref, not_source=ACTION_SOURCE), limit=1, with_detail=True)
    return FireRecord.from_row(rows[0]) if rows else None


def recent_fires(store: Store, app_ref: int, limit: int = 5) -> list[FireRecord]:
    """The app's newest install-request fires (action rehearsals left out)."""
    return [FireRecord.from_row(row)
            for row in store.fires.page(FireFilter(app_ref=app_ref, not_source=ACTION_SOURCE), limit=limit)]


__all__ = ["OUTCOMES", "SOURCES", "TARGET_KINDS", "HistoryFilter", "HistoryView", "app_names", "get_fire", "history",
           "latest_fire", "recent_fires"]
