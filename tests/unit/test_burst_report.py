"""A burst's report says why it failed when the target is the console's own sample endpoint and it stopped."""

from __future__ import annotations

from typing import Any

from console.burst_run import BurstSpec
from console.fire.prepare import FireContext
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import bursts
from console.store import Store


def run(store: Store, request: dict[str, Any], url: str, target_kind: str) -> bursts.BurstReport:
    spec = BurstSpec(request, FireContext(params={"workspace": "acme"}), url, url, 12, 4, target_kind=target_kind)
    return bursts.run_burst(store, bursts.create_burst(store, spec), workers=1)


def test_a_stopped_sample_endpoint_is_named_in_the_report(store: Store, auth_request: dict) -> None:
    sample = SampleEndpoint().start()
    url = sample.install_url("ok")
    sample.stop()  # the console that served it is gone
    report = run(store, auth_request, url, "sample")
    assert report.by_category == {"connect": 12}
    assert report.message is not None and "The target stopped" in report.message
    assert "built-in sample endpoint" in report.message and "12 connections" in report.message


def test_a_refused_endpoint_of_the_developer_gets_no_such_hint(store: Store, auth_request: dict) -> None:
    report = run(store, auth_request, "http://127.0.0.1:9/install", "endpoint")
    assert report.by_category == {"connect": 12}
    assert report.message is None


def test_a_running_sample_endpoint_reports_no_hint(store: Store, sample: SampleEndpoint, auth_request: dict) -> None:
    report = run(store, auth_request, sample.install_url("ok"), "sample")
    assert report.by_category == {"ok": 12} and report.message is None
