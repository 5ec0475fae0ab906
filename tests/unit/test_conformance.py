"""The conformance runs against the real sample endpoint in ok, flaky and 500 modes."""

from __future__ import annotations

from console.conformance import BURST_FIRES, run_conformance
from console.fire.prepare import FireContext
from console.fire.send import Timeouts
from console.readiness import ReadinessInput, evaluate_checklist
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service.firing import record_cli_fires
from console.store import Store

CTX = FireContext(params={"workspace": "a"})


def _items(store: Store, run: list, doc: dict) -> dict[str, str]:
    fires = record_cli_fires(store, [(item.result, item.step) for item in run], "a", "sample", run_id="r")
    items = evaluate_checklist(ReadinessInput(doc, (), "sample", list(reversed(fires)), fires))
    return {i.id: i.status for i in items if i.id.startswith("conformance.")}


def test_ok_mode(store: Store, sample: SampleEndpoint, demo_doc: dict) -> None:
    run = run_conformance(demo_doc["auth"]["request"], CTX, url=sample.install_url("ok"))
    assert [f.step for f in run] == ["recover", "retry", "retry", "rekey"] + ["burst"] * BURST_FIRES
    retry = [f.result for f in run if f.step == "retry"]
    assert retry[0].key_fingerprint == retry[1].key_fingerprint  # the same key re-sent
    assert run[3].result.key_fingerprint not in {r.key_fingerprint for r in retry}  # a fresh key
    assert _items(store, run, demo_doc) == {"conformance.recover": "not_provable", "conformance.retry": "pass",
                                            "conformance.rekey": "pass", "conformance.burst": "pass"}


def test_flaky_mode_recovers(store: Store, sample: SampleEndpoint, demo_doc: dict) -> None:
    run = run_conformance(demo_doc["auth"]["request"], CTX, url=sample.install_url("flaky", 1, "c1"))
    assert [f.result.status for f in run[:2]] == [500, 200]
    assert _items(store, run, demo_doc)["conformance.recover"] == "pass"


def test_500_mode_fails_every_step(store: Store, sample: SampleEndpoint, demo_doc: dict) -> None:
    run = run_conformance(demo_doc["auth"]["request"], CTX, url=sample.install_url("500"))
    assert len([f for f in run if f.step == "recover"]) == 3  # first fire + 2 retries
    statuses = _items(store, run, demo_doc)
    assert statuses["conformance.recover"] == statuses["conformance.retry"] == statuses["conformance.rekey"] == "fail"
    assert statuses["conformance.burst"] == "pass"  # answered in time, though not with 200


def test_slow_endpoint_fails_the_burst_step(store: Store, sample: SampleEndpoint, demo_doc: dict) -> None:
    run = run_conformance(demo_doc["auth"]["request"], CTX, url=sample.install_url("slow", 1),
                          timeouts=Timeouts(0.5, 0.3))
    assert _items(store, run, demo_doc)["conformance.burst"] == "fail"
