"""The Burst page (AppTest): start a burst that runs in a process of its own, watch it, cancel it, read the report."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from console.service import apps, bursts
from console.service.apps import create_demo_app
from console.store import Store
from tests.app.test_pages import no_exception, open_page

PAGE = "pages/8_Burst.py"


def wait_for(condition, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def start(at: AppTest, n: int, concurrency: int, mode: str, arg: int = 1) -> AppTest:
    at.number_input(key="burst_n").set_value(n)
    at.number_input(key="burst_concurrency").set_value(concurrency)
    at.radio(key="burst_target").set_value("sample")
    at.selectbox(key="burst_mode").set_value(mode)
    at.number_input(key="burst_arg").set_value(arg)
    return at.button[0].click().run()  # the form's "Start burst"


def test_cancel_from_the_page(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    at = start(open_page(PAGE), 300, 4, "slow", 1)  # 75 s if nobody cancels
    no_exception(at)
    run = bursts.recent_bursts(store, app.id)[0]
    assert run.total == 300 and at.query_params["run"] == [run.id] or at.query_params["run"] == run.id
    wait_for(lambda: (bursts.burst_progress(store, run.id) or run).done >= 4)
    at = open_page(PAGE, {"run": run.id})  # the page left and opened again: the same run, live
    no_exception(at)
    assert "running" in " ".join(m.value for m in at.markdown)
    assert at.get("progress")
    at.button(key="burst_cancel").click().run()
    no_exception(at)
    wait_for(lambda: (bursts.burst_progress(store, run.id) or run).status == "cancelled", 30)
    progress = bursts.burst_progress(store, run.id)
    assert progress is not None and 4 <= progress.done < 300
    assert store.bursts.result_count(run.id) == progress.done  # every fired installation stored
    at = open_page(PAGE, {"run": run.id})
    no_exception(at)
    text = " ".join(m.value for m in at.markdown)
    assert "cancelled" in text
    assert at.button(key="burst_resume").label.startswith(f"Resume: fire the {300 - progress.done:,}")
    at.button(key="burst_resume").click().run()  # resumed from the page: starting at once, then running
    no_exception(at)
    assert "starting" in " ".join(m.value for m in at.markdown) or "running" in " ".join(m.value for m in at.markdown)
    wait_for(lambda: (bursts.burst_progress(store, run.id) or run).done > progress.done)
    assert bursts.cancel_burst(store, run.id)
    wait_for(lambda: (bursts.burst_progress(store, run.id) or run).status == "cancelled", 30)
    assert store.bursts.result_count(run.id) == (bursts.burst_progress(store, run.id) or run).done


def test_a_finished_burst_shows_percentiles_breakdown_and_histogram(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    at = start(open_page(PAGE), 40, 5, "flaky", 6)
    run = bursts.recent_bursts(store, app.id)[0]
    wait_for(lambda: (bursts.burst_progress(store, run.id) or run).status == "done")
    at = open_page(PAGE, {"run": run.id})
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sent"] == "40" and metrics["Succeeded"] == "34"
    assert metrics["p50"].endswith("ms") and metrics["p99"].endswith("ms")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # outcome by category and the latency histogram
    failures = at.dataframe[0].value
    assert len(failures) == 6 and set(failures["category"]) == {"http_status"}


def test_bad_target_is_explained(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    apps.save_manifest(store, app.id, {"auth": {"type": "APIKEY", "request": {"url": ""}}, "actions": []})
    at = open_page(PAGE)
    at.radio(key="burst_target").set_value("endpoint")
    at = at.button[0].click().run()
    no_exception(at)
    assert "no request URL" in at.error[0].value
    assert bursts.recent_bursts(store, app.id) == []
