"""The readiness model: required-ness by mode alone, blocking statuses, recovery from any source,
evidence that counts only for the App JSON and URL it was gathered at."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.evidence import current_evidence, judge_recovery
from console.outcome import Category, FireDetail, FireRecord, KeyDelivery, SentRequest
from console.readiness import (
    BLOCKING,
    MODEL,
    NOT_RUN,
    ChecklistItem,
    ReadinessInput,
    current_input,
    evaluate_checklist,
    model_table,
    needs_new_evidence,
    required,
    verdict_of,
)
from console.signoff import document_hash

T0 = datetime(2026, 11, 1, tzinfo=UTC)
URL = "https://e/x"


def fire(n: int, status: int | None = 200, category: str = "ok", step: str | None = None, source: str = "page",
         url: str = URL, manifest_hash: str | None = None, delivery: str = "proven") -> FireRecord:
    detail = FireDetail(SentRequest("POST", url, (), None), None, "", None,
                        KeyDelivery(delivery, ("header x",), ("header x",) if delivery == "proven" else (), delivery),
                        (), "")
    return FireRecord(n, 1, "app", source, "endpoint", url, "POST", category == "ok", status, Category(category),
                      80.0, "fp", "run" if step else None, step, T0 + timedelta(minutes=n), detail,
                      manifest_hash=manifest_hash)


def conformance_ok(start: int = 100, **kw: Any) -> list[FireRecord]:
    steps = ["recover", "retry", "retry", "rekey"] + ["burst"] * 10
    return [fire(start + i, step=s, source="conformance", **kw) for i, s in enumerate(steps)]


def run(doc: dict, recent=(), conformance=(), listing=False, **kw: Any) -> dict[str, ChecklistItem]:
    found = evaluate_checklist(ReadinessInput(doc, ("/fb/page/getInfo",), "endpoint", list(recent),
                                              list(conformance), listing, **kw))
    return {i.id: i for i in found}


HISTORIES = {
    "no evidence": ([], []),
    "failing": ([fire(3, 500, "http_status"), fire(2, None, "timeout")], []),
    "all good": ([fire(3), fire(2), fire(1, 500, "http_status")], conformance_ok()),
    "never failed": ([fire(3)], conformance_ok()),
}


@pytest.mark.parametrize("listing", [False, True])
@pytest.mark.parametrize("history", list(HISTORIES))
def test_required_ness_depends_on_the_mode_alone(demo_doc: dict, listing: bool, history: str) -> None:
    recent, conformance = HISTORIES[history]
    result = run(demo_doc, recent, conformance, listing)
    # the sandbox item needs sandbox usage, the action items come from stored rehearsals (actions/readiness.py)
    assert set(result) == set(MODEL) - {"scopes.sandbox_unused", "actions.rehearsed", "sources.rpc_answers"}
    for item_id, item in result.items():
        assert item.required == required(item_id, listing), (item_id, history)
        assert item.title == MODEL[item_id].title
    verdict = verdict_of(list(result.values()))
    blocking = [i for i in result.values() if i.required and i.status in BLOCKING]
    assert verdict.ready == (not blocking)
    for item in blocking:  # the verdict line names every blocking item
        assert item.title in verdict.summary


def test_the_model_table_lists_every_item_and_mode() -> None:
    table = model_table()
    for rule in MODEL.values():
        assert rule.title in table
    assert required("fire.latest_200", False) and required("fire.latest_200", True)
    assert not required("endpoint.https", False) and required("endpoint.https", True)
    assert not required("actions.present", False) and required("actions.present", True)


@pytest.mark.parametrize("listing", [False, True])
def test_latest_fire_is_not_run_before_any_fire_in_every_mode(demo_doc: dict, listing: bool) -> None:
    assert run(demo_doc, listing=listing)["fire.latest_200"].status == NOT_RUN


def test_a_required_not_provable_item_is_never_ready(demo_doc: dict) -> None:
    # For a listing the key's delivery must be proven; an endpoint that answers 200 but shows nothing of
    # what it received leaves it not provable, and that blocks READY however good the rest is.
    quiet = [fire(3, delivery="not_provable")]
    result = run(demo_doc, quiet, conformance_ok(delivery="not_provable"), listing=True)
    assert result["delivery.proven"].status == "not_provable" and result["delivery.proven"].required
    verdict = verdict_of(list(result.values()))
    assert not verdict.ready
    assert "not provable" in verdict.summary and MODEL["delivery.proven"].proof in verdict.summary


def test_recovery_is_shown_but_never_blocks(demo_doc: dict) -> None:
    """ManyChat's review does not test recovery, and a healthy endpoint cannot show it without failing:
    it is optional in both modes, proven by a 200 after a failure when that happened."""
    for listing in (False, True):
        never_failed = run(demo_doc, [fire(3)], conformance_ok(), listing=listing)["conformance.recover"]
        assert never_failed.status == "not_provable" and not never_failed.required
        recovered = run(demo_doc, [fire(3), fire(2, 500, "http_status")], conformance_ok(), listing=listing)
        assert recovered["conformance.recover"].status == "pass"


def test_no_action_is_a_warning_while_building_and_required_for_a_listing(demo_doc: dict) -> None:
    from console.manifest.validate import validate_manifest

    doc = copy.deepcopy(demo_doc)
    doc["actions"] = []
    building = validate_manifest(doc)
    assert [(i.code, i.severity) for i in building.issues if i.code == "actions.none"] == [("actions.none", "warning")]
    assert building.valid
    assert [i.severity for i in validate_manifest(doc, for_listing=True).issues
            if i.code == "actions.none"] == ["error"]
    built, listed = run(doc), run(doc, listing=True)
    assert built["actions.present"].status == "fail" and not built["actions.present"].required
    assert built["manifest.valid"].status == "pass"  # not an error of the App JSON while building
    assert listed["actions.present"].required and "Flow Builder" in listed["actions.present"].why


def test_recovery_is_evidence_from_any_source(demo_doc: dict) -> None:
    # a 500 from the page, a timeout from the CLI, then a Retry with 200 from the page
    fires = [fire(3, source="page"), fire(2, None, "timeout", source="cli"), fire(1, 500, "http_status")]
    recover = run(demo_doc, fires)["conformance.recover"]
    assert recover.status == "pass" and {e.ref for e in recover.evidence} == {"1", "3"}
    # a conformance run's failure then a later page fire's 200 counts too
    mixed = run(demo_doc, [fire(300)], [fire(100, 500, "http_status", step="recover", source="conformance")])
    assert mixed["conformance.recover"].status == "pass"
    assert judge_recovery([fire(1), fire(2, 500, "http_status")]).status == "fail"  # failure is the newest
    assert judge_recovery([]).status == "not_run"


def test_evidence_counts_only_for_its_app_json_and_url(demo_doc: dict) -> None:
    digest = document_hash(demo_doc)
    old_url = "https://old.example/x"
    fires = [fire(5, manifest_hash=digest), fire(4, url=old_url, manifest_hash=digest),
             fire(3, manifest_hash="0" * 64), fire(2)]
    kept, stale = current_evidence(fires, digest, URL)
    assert [f.id for f in kept] == [5]
    assert (stale.url_changed, stale.app_json_changed, stale.old_urls) == (1, 2, (old_url,))
    assert "URL changed" in stale.message and "App JSON changed" in stale.message
    # fires only at the old URL: the fire items are not run again, and they need new evidence
    data = ReadinessInput(demo_doc, ("/fb/page/getInfo",), "endpoint", [fire(4, url=old_url, manifest_hash=digest)],
                          conformance_ok(manifest_hash=digest, url=old_url), manifest_hash=digest, evidence_url=URL)
    result = evaluate_checklist(data)
    by_id = {i.id: i for i in result}
    assert by_id["fire.latest_200"].status == "not_run" and by_id["conformance.retry"].status == "not_run"
    _, staleness = current_input(data)
    assert staleness.url_changed == 15
    assert {i.id for i in needs_new_evidence(result, staleness)} >= {"fire.latest_200", "conformance.retry"}
    # the same fires at the current URL and App JSON count
    same = dataclasses.replace(data, evidence_url=old_url)
    assert {i.id: i for i in evaluate_checklist(same)}["fire.latest_200"].status == "pass"


def test_a_sample_endpoint_install_url_counts_for_a_listing(demo_doc: dict) -> None:
    sample = "https://127.0.0.1:8766/install/ok"
    doc = copy.deepcopy(demo_doc)
    doc["auth"]["request"]["url"] = sample
    found = evaluate_checklist(ReadinessInput(doc, ("/fb/page/getInfo",), "sample", [fire(2, url=sample)], [], True))
    assert {i.id: i for i in found}["fire.latest_200"].status == "pass"
