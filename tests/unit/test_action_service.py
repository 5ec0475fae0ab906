"""The actions service: edits are versions (Undo, stale saves refused), rehearsals stored in History with
the action's name, the checklist items decided from them, re-run; and the CLI contract."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from console import service
from console.netpolicy import AddressPolicy
from console.profile import AppProfile
from console.readiness import FAIL, NOT_RUN, PASS
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import actions as action_service
from console.service import apps, firing, history, readiness, versions
from console.signoff import document_hash
from console.store import Store
from tests.cli_run import console_cli
from tests.conftest import ROOT

POLICY = AddressPolicy()


def items(store: Store, app_ref: int, target: str = "sample") -> dict[str, Any]:
    app = service.get_app(store, app_ref)
    assert app is not None
    return {i.id: i for i in action_service.action_checklist(store, app, target, True)}


def test_the_demo_reaches_the_action_items_with_one_call(store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    before = items(store, app.id)
    assert before["actions.rehearsed"].status == NOT_RUN and before["sources.rpc_answers"].status == NOT_RUN
    runs = action_service.rehearse_all(store, app.id, sample.base_url, POLICY, target="sample")
    assert [(r.stored.kind, r.stored.name, r.stored.ok) for r in runs] == [
        ("action", "notify_order", True), ("action", "choose_shipping", True), ("source", "shipping_options", True)]
    after = items(store, app.id)
    assert after["actions.rehearsed"].status == PASS and after["actions.rehearsed"].required
    assert after["sources.rpc_answers"].status == PASS
    assert {e.ref for e in after["actions.rehearsed"].evidence} == {str(r.stored.fire.id) for r in runs[:2]}
    fire = service.get_fire(store, runs[0].stored.fire.id)
    assert fire is not None and fire.source == "action" and fire.step == "action:notify_order"
    assert action_service.stored_rehearsal(store, fire.id).form_values == {"order_id": "sample-order_id"}


def test_rehearsals_join_the_app_verdict_but_are_not_install_request_fires(store: Store,
                                                                          sample: SampleEndpoint) -> None:
    """The action items are in every verdict of the app (Home, Checklist, `check --app`); a rehearsal is not an
    install request: the latest fire, p95 and https items read install-request fires only."""
    app = apps.save_settings(store, apps.create_demo_app(store).id, target="sample", for_listing=True)
    fired = firing.fire_for_app(store, app, sample.base_url, POLICY)
    assert fired.record.ok
    action_service.set_rehearsal_target(store, app.id, "sample", {"action:notify_order": "fail",
                                                                  "source:shipping_options": "fail"})
    action_service.rehearse_all(store, app.id, sample.base_url, POLICY, target="sample")  # the newest: a 500
    app = service.must_get(store, app.id)
    check = readiness.checklist(store, app)
    by_id = {i.id: i for i in check.items}
    assert by_id["actions.rehearsed"].status == FAIL and not check.verdict.ready
    assert by_id["actions.rehearsed"] in check.verdict.failing and "notify_order" in by_id["actions.rehearsed"].why
    # the newest fire is a failing rehearsal: it does not count as the latest install-request fire
    assert "The latest fire got HTTP 200" in by_id["fire.latest_200"].why
    latest = history.latest_fire(store, app.id)
    assert latest is not None and latest.id == fired.record.id and latest.source == "page"
    steps = {s.title: s for s in readiness.progress(store, app)}
    assert list(steps) == ["Scopes", "Auth section", "Actions", "Test fire", "Checklist"]
    assert not steps["Actions"].done and "a rehearsal failed" in steps["Actions"].status
    assert steps["Test fire"].done


def test_evidence_counts_only_for_the_definition_it_was_gathered_with(store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    action_service.rehearse_all(store, app.id, sample.base_url, POLICY, target="sample")
    edited = dict(app.manifest["actions"][0], description="Now does something else.")
    action_service.save_action(store, app.id, 0, edited)
    assert items(store, app.id)["actions.rehearsed"].status == NOT_RUN
    assert items(store, app.id, "endpoint")["actions.rehearsed"].status == NOT_RUN  # another target: no evidence


def test_a_failing_rehearsal_fails_the_item_and_rerun_repeats_it(store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    action_service.set_rehearsal_target(store, app.id, "sample", {"action:notify_order": "fail"})
    run = action_service.rehearse(store, app.id, "action", "notify_order", sample.base_url, POLICY,
                                  {"order_id": "A-1"})
    assert not run.stored.ok and run.stored.fire.status == 500
    assert items(store, app.id)["actions.rehearsed"].status == FAIL
    again = action_service.rerun(store, run.stored.fire.id, sample.base_url, POLICY)
    assert again.stored.fire.id != run.stored.fire.id and again.stored.form_values == {"order_id": "A-1"}


def test_edits_are_versions_with_undo_and_stale_saves_are_refused(store: Store) -> None:
    app = apps.create_app(store, AppProfile("Shop", "1000077", "1.0", "dev"))
    stale = document_hash(app.manifest)
    app = action_service.add_action(store, app.id, "call_api", based_on=stale)
    app = action_service.duplicate_action(store, app.id, 0)
    assert [a["name"] for a in app.manifest["actions"]] == ["look_up_order", "look_up_order_2"]
    app = action_service.move_action(store, app.id, 1, -1)
    assert app.manifest["actions"][0]["name"] == "look_up_order_2"
    with pytest.raises(service.ServiceError, match="another session"):
        action_service.delete_action(store, app.id, 0, based_on=stale)
    app = action_service.delete_action(store, app.id, 0, based_on=document_hash(app.manifest))
    assert [a["name"] for a in app.manifest["actions"]] == ["look_up_order"]
    undone = versions.undo_manifest(store, app.id)
    assert len(undone.app.manifest["actions"]) == 2
    with pytest.raises(service.ServiceError, match="no action #9"):
        action_service.delete_action(store, app.id, 8)


def test_the_tag_template_adds_its_scope(store: Store) -> None:
    app = apps.create_app(store, AppProfile("Shop", "1000078", "1.0", "dev"))
    app = action_service.add_action(store, app.id, "tag_subscriber")
    assert "/fb/subscriber/addTagByName" in app.scopes
    assert not [i for i in readiness.validate_app(app).issues if i.code.startswith("scope")]


def cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "CONSOLE_DATABASE_URL": db}
    env.pop("CONSOLE_MODE", None)
    return console_cli(args, env)


def test_cli_action_run_contract_and_exit_codes(tmp_path: Path, sqlite_url: str, sample: SampleEndpoint) -> None:
    document = json.loads((ROOT / "tests/corpus/spec_find_pokemon.json").read_text())
    document["actions"][0]["requests"][0]["url"] = sample.base_url + "/action/lookup/[[pokemon_name]]"
    document["actions"][0]["requests"][0]["mapping"] = [{"name": "total", "path": "$.total", "type": "number"}]
    path = tmp_path / "app.json"
    path.write_text(json.dumps(document))
    out = cli("action", "run", str(path), "find_pokemon", "--form", "pokemon_name=pikachu", "--json", db=sqlite_url)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"ok", "status", "category", "elapsed_ms", "request", "response", "outputs", "missing",
            "type_errors"} <= set(data)
    assert data["ok"] and data["status"] == 200 and isinstance(data["outputs"]["total"], float | int)
    missing = cli("action", "run", str(path), "find_pokemon", "--form", "pokemon_name=missing", db=sqlite_url)
    assert missing.returncode == 1 and "HTTP 404" in missing.stdout
    bad = cli("action", "run", str(path), "nope", db=sqlite_url)
    assert bad.returncode == 2 and "no action named 'nope'" in bad.stderr and "Traceback" not in bad.stderr
    listed = cli("action", "list", str(path), "--json", db=sqlite_url)
    assert json.loads(listed.stdout)["actions"][0]["name"] == "find_pokemon"
    checked = cli("check", str(path), "--actions", "--json", db=sqlite_url)
    report = json.loads(checked.stdout)
    assert "Every action rehearsed with a 200" in checked.stdout, report


def test_installer_secrets_never_reach_the_stored_rehearsals(store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    secret = "wsSecret-0123456789abcdef"
    apps.save_settings(store, app.id, param_values={"workspace": secret})
    action_service.set_rehearsal_target(store, app.id, "sample", {"action:notify_order": "echo"})
    run = action_service.rehearse(store, app.id, "action", "notify_order", sample.base_url, POLICY)
    assert any(h.lower() == "x-workspace" for h, _ in run.rehearsal.result.request.headers)  # auth.connection
    stored = json.dumps([dict(row) for row in store.fires.page(with_detail=True)], default=str)
    assert secret not in stored and "wsSe" in stored  # masked, in the request and in the echoed answer
