"""The Burst page's glue: the runner that owns burst processes, live progress, and the report's charts.

A burst never runs in the page's script thread: ``BurstRunner`` (one per server, st.cache_resource)
starts ``python -m console.burst_run RUN_ID`` and reaps it. Everything drawn is read from the
run's row (counters while it runs, the summary once it ends), so a rerun costs the same for 100
installations or 100,000, and a page left and opened again shows the same run.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable

import streamlit as st

from console.service import bursts
from console.service.bursts import BurstProgress, BurstReport
from console.store import Store
from ui import gate, state
from ui.charts import latency_histogram, outcome_bars
from ui.refusal import attempt
from ui.tables import dataframe

ACTIVE = ("pending", "running")
STATUS_TEXT = {
    "pending": "starting", "running": "running", "done": "finished", "cancelled": "cancelled",
    "interrupted": "interrupted (its process stopped)", "failed": "failed",
}


class BurstRunner:
    """The burst processes this server started; each runs one run and is reaped when it ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    def launch(self, store: Store, run_id: str, *, actor: str) -> bool:
        """Start the run's process as ``actor`` (its role checked); False when refused (the page says why)."""
        with self._lock:
            self._reap()
            running = self._procs.get(run_id)
            if running is not None and running.poll() is None:
                try:  # the process of the run's last session, finishing its exit after a cancel: wait for it
                    running.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    return True  # still firing: it is this run's session
            proc = attempt(bursts.launch_burst, store, run_id, actor=actor)
            if proc is None:
                return False
            self._procs[run_id] = proc
        # Waited for as soon as it ends (not at the next launch): no defunct child under the server.
        threading.Thread(target=self._wait, args=(run_id, proc), name=f"burst-reaper-{run_id[:8]}",
                         daemon=True).start()
        return True

    def _wait(self, run_id: str, proc: subprocess.Popen[bytes]) -> None:
        proc.wait()
        with self._lock:
            if self._procs.get(run_id) is proc:
                del self._procs[run_id]

    def running(self) -> list[str]:
        """Run ids whose process is still alive."""
        with self._lock:
            return [run_id for run_id, proc in self._procs.items() if proc.poll() is None]

    def _reap(self) -> None:
        for run_id, proc in list(self._procs.items()):
            if proc.poll() is not None:
                del self._procs[run_id]


@st.cache_resource(show_spinner=False)
def burst_runner() -> BurstRunner:
    return BurstRunner()


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def render_progress(progress: BurstProgress, on_cancel: Callable[[], None]) -> None:
    """Progress bar with rate and ETA, live success / failure counts, and Cancel."""
    share = progress.done / progress.total if progress.total else 0.0
    eta = "—" if progress.eta_s is None else f"{progress.eta_s:,.0f} s"
    st.progress(min(1.0, share), text=f"{progress.done:,} of {progress.total:,} installations "
                                      f"({share:.0%}) · {progress.rate:,.0f}/s · ETA {eta}")
    m1, m2, m3 = st.columns(3)
    m1.metric("Fired", f"{progress.done:,}")
    m2.metric("Succeeded (200)", f"{progress.succeeded:,}")
    m3.metric("Failed", f"{progress.failed:,}")
    if progress.cancel_requested:
        st.info("Cancelling: no new fires start; the ones in flight finish and are stored.")
    else:
        st.button("Cancel", icon=":material/stop:", key="burst_cancel", on_click=on_cancel)


def render_report(report: BurstReport) -> None:
    """After a run: p50/p95/p99, rps, outcome by category and a latency histogram."""
    cols = st.columns(6)
    cols[0].metric("Sent", f"{report.sent:,}")
    cols[1].metric("Succeeded", f"{report.succeeded:,}")
    cols[2].metric("Requests/s", f"{report.rps:,.0f}")
    cols[3].metric("p50", _ms(report.p50_ms))
    cols[4].metric("p95", _ms(report.p95_ms))
    cols[5].metric("p99", _ms(report.p99_ms))
    st.caption(f"{report.elapsed_s:,.2f} s of firing"
               + (f" · {report.workers} worker process(es)" if report.workers else ""))
    left, right = st.columns(2)
    if report.by_category:
        outcome_bars(left, report.by_category, "Outcome by category", "installations")
    if report.histogram:
        latency_histogram(right, report.histogram, "Latency histogram")
    if report.failures:
        st.caption(f"The first {len(report.failures)} failed installations")
        dataframe(list(report.failures))


def render_run(store: Store, run_id: str, on_resume: Callable[[], None]) -> None:
    """One run: live while it runs (re-read every second), its report once it has ended."""
    progress = bursts.burst_progress(store, run_id)
    active = progress is not None and progress.status in ACTIVE
    unread = [progress]  # this run's first draw uses what was just read; the fragment's own reruns read again

    def body() -> None:
        current = unread.pop() if unread else bursts.burst_progress(store, run_id)
        if current is None:
            st.warning(f"There is no burst run {run_id}.")
            return
        st.markdown(f"**Run `{run_id}`** · {STATUS_TEXT.get(current.status, current.status)}")
        if current.status in ACTIVE:
            def cancel() -> None:
                if gate.write_allowed(store):
                    attempt(bursts.cancel_burst, store, run_id, actor=state.actor())

            render_progress(current, cancel)
            return
        if active:  # it ended while this fragment was watching: draw the whole page again
            st.rerun()
        if current.message:
            st.text(current.message)
        report = bursts.burst_report(store, run_id)
        if report is not None:
            render_report(report)
        if current.status in ("cancelled", "interrupted", "failed") and current.done < current.total:
            if st.button(f"Resume: fire the {current.total - current.done:,} installations without a result",
                         icon=":material/play_arrow:", key="burst_resume"):
                on_resume()
                st.rerun()

    st.fragment(body, run_every=1.0 if active else None)()
