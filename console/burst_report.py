"""What a burst run shows: its progress while it runs, its report (percentiles, histogram, failures,
resent requests) and the hint when its target was the console's own sample endpoint and it stopped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from console.outcome import ANSWERED, NEVER_SENT, Category
from console.store import BurstRunRecord, Store

HISTOGRAM_BINS = 40
FAILURE_EXAMPLES = 20

__all__ = ["BurstProgress", "BurstReport", "histogram", "percentile", "progress_of", "report_of",
           "stopped_target_hint", "summarize"]


@dataclass(frozen=True)
class BurstProgress:
    run_id: str
    status: str
    total: int
    done: int
    succeeded: int
    failed: int
    rate: float  # results per second in the current session (0 when not running)
    eta_s: float | None
    by_category: dict[str, int]
    cancel_requested: bool
    message: str | None


@dataclass(frozen=True)
class BurstReport:
    run_id: str
    status: str
    total: int
    sent: int
    succeeded: int
    failed: int
    elapsed_s: float
    rps: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    by_category: dict[str, int]
    histogram: list[tuple[float, float, int]] = field(default_factory=list)  # (from ms, to ms, count)
    failures: list[dict[str, Any]] = field(default_factory=list)
    workers: int = 0
    max_rss_mb: float | None = None
    message: str | None = None
    resent: int = 0  # requests sent again after an interruption (same key): installations possibly reached twice

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON (the burst fields the README lists, plus run_id, status and total)."""
        return {
            "run_id": self.run_id, "status": self.status, "total": self.total, "sent": self.sent,
            "succeeded": self.succeeded, "failed": self.failed, "elapsed_s": round(self.elapsed_s, 3),
            "rps": round(self.rps, 1), "p50_ms": _rounded(self.p50_ms), "p95_ms": _rounded(self.p95_ms),
            "p99_ms": _rounded(self.p99_ms), "by_category": dict(sorted(self.by_category.items())),
            "resent": self.resent, "message": self.message,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def progress_of(run: BurstRunRecord) -> BurstProgress:
    rate, eta = 0.0, None
    if run.status == "running" and run.session_started_at is not None:
        seconds = (datetime.now(UTC) - run.session_started_at).total_seconds()
        fired = run.done - run.session_base
        if seconds > 0 and fired > 0:
            rate = fired / seconds
            eta = (run.total - run.done) / rate
    return BurstProgress(run.id, run.status, run.total, run.done, run.succeeded, run.failed, rate, eta,
                         dict(run.by_category), run.cancel_requested, run.message)


def report_of(run: BurstRunRecord) -> BurstReport:
    """The run's report from its row (the summary written when it ended; counters while it runs)."""
    summary = run.summary or {}
    elapsed = float(summary.get("elapsed_s", run.elapsed_s))
    return BurstReport(
        run.id, run.status, run.total, run.done, run.succeeded, run.failed, elapsed,
        run.done / elapsed if elapsed > 0 else 0.0,
        summary.get("p50_ms"), summary.get("p95_ms"), summary.get("p99_ms"), dict(run.by_category),
        [(float(b[0]), float(b[1]), int(b[2])) for b in summary.get("histogram") or []],
        list(summary.get("failures") or []), int(summary.get("workers") or 0), summary.get("max_rss_mb"),
        run.message, int(summary.get("resent", run.plan.get("resent") or 0) or 0),
    )


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not ordered:
        return None
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def histogram(ordered: Sequence[float], bins: int = HISTOGRAM_BINS) -> list[tuple[float, float, int]]:
    """Equal-width bins from the fastest to the slowest latency (constant size, whatever N is)."""
    if not ordered:
        return []
    low, high = ordered[0], ordered[-1]
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for value in ordered:
        counts[min(bins - 1, int((value - low) / width))] += 1
    return [(round(low + i * width, 3), round(low + (i + 1) * width, 3), n) for i, n in enumerate(counts) if n]


def summarize(store: Store, run_id: str, elapsed_s: float, workers: int, max_rss_mb: float | None
               ) -> dict[str, Any]:
    timed = [c.value for c in Category if c not in NEVER_SENT]
    latencies = store.bursts.latencies(run_id, timed)
    failures = [{"seq": r["seq"], "installation_id": r["installation_id"], "page_id": r["page_id"],
                 "key_fingerprint": r["key_fingerprint"], "status": r["status"], "category": r["category"],
                 "elapsed_ms": round(float(r["elapsed_ms"]), 1), "message": r["message"] or _status_text(r)}
                for r in store.bursts.sample_results(run_id, failed_only=True, limit=FAILURE_EXAMPLES)]
    return {
        "elapsed_s": elapsed_s, "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "histogram": [list(b) for b in histogram(latencies)],
        "failures": failures, "workers": workers, "max_rss_mb": max_rss_mb,
    }


def _status_text(row: Mapping[str, Any]) -> str:
    category = str(row["category"])
    if category == Category.REDIRECT.value:
        return f"HTTP {row['status']} redirect: ManyChat does not follow redirects."
    if category == Category.TOO_LARGE.value:
        return "The answer is over the size cap; the read was cut."
    if category in {c.value for c in ANSWERED}:
        return f"HTTP {row['status']}: ManyChat counts only 200 OK as success."
    return category


def stopped_target_hint(store: Store, run: BurstRunRecord, at_sample: bool) -> str | None:
    """Why many fires of a run at the built-in sample endpoint (``at_sample``) were refused: it stopped."""
    if not at_sample:
        return None
    refused = [r for r in store.bursts.sample_results(run.id, failed_only=True, limit=FAILURE_EXAMPLES)
               if r["category"] == Category.CONNECT.value and "refused" in str(r["message"] or "")]
    if not refused:
        return None
    count = store.bursts.category_counts(run.id).get(Category.CONNECT.value, 0)
    return (f"The target stopped: {count:,} connections to the built-in sample endpoint were refused. The sample "
            "endpoint runs inside the console process that served it, and it stops with that process (a console "
            "restarted or killed during the run). Open the console again and start a new burst, or fire at your "
            "own endpoint.")
