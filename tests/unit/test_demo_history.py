"""The demo's install URL (the sample endpoint's https, resolved at runtime) and its seeded 30-day history,
which makes History look alive without counting as evidence for the demo's current App JSON and URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console import demo
from console.outcome import FireRecord
from console.profile import AppProfile
from console.readiness import ReadinessInput, current_input, evaluate_checklist
from console.sandbox.sample_endpoint import resolve_sample_url
from console.service import apps
from console.signoff import document_hash
from console.store import Store
from console.store.fires import FireFilter


def test_the_demo_install_url_resolves_to_the_sample_https() -> None:
    manifest = demo.demo_manifest(demo.DEMO_INSTALL_URL)
    assert manifest["auth"]["request"]["url"] == demo.DEMO_INSTALL_URL
    resolved = resolve_sample_url(demo.DEMO_INSTALL_URL, "https://127.0.0.1:8766")
    assert resolved == "https://127.0.0.1:8766/install/ok"
    assert resolve_sample_url("https://shop.example.com/x", "https://127.0.0.1:8766") == "https://shop.example.com/x"
    assert resolve_sample_url(demo.DEMO_INSTALL_URL, None) == demo.DEMO_INSTALL_URL
    assert resolve_sample_url("https://sample-endpoint.invalidx/y", "https://h:1") == \
        "https://sample-endpoint.invalidx/y"


def test_the_seeded_history_is_alive_but_not_evidence_now(store: Store) -> None:
    app = apps.create_demo_app(store, history=False)  # the history is inserted here, at a fixed time
    now = datetime(2026, 12, 1, tzinfo=UTC)
    history = demo.demo_history(app.id, app.name, now)
    store.fires.insert_many(list(history.fires), return_ids=False)
    store.signoffs.insert(**history.signoff)
    fired = [f["fired_at"] for f in history.fires]
    assert min(fired) >= now - timedelta(days=31) and max(fired) < now
    assert len({f["run_id"] for f in history.fires if f["run_id"]}) == len(demo.CONFORMANCE_DAYS_AGO)
    assert store.fires.count(FireFilter(app_ref=app.id)) == len(history.fires)
    assert len(store.fires.page(FireFilter(manifest_hash=history.manifest_hash), limit=1000)) == len(history.fires)
    [signoff] = store.signoffs.for_app(app.id)
    assert signoff.at == now - timedelta(days=demo.SIGNOFF_DAYS_AGO)
    rows = [FireRecord.from_row(r) for r in store.fires.page(FireFilter(app_ref=app.id), limit=50, with_detail=True)]
    url = "https://127.0.0.1:8766/install/ok"
    data = ReadinessInput(demo.demo_manifest(url), app.scopes, "endpoint", rows, [], True,
                          manifest_hash=document_hash(demo.demo_manifest(url)), evidence_url=url)
    items = {i.id: i for i in evaluate_checklist(data)}
    assert items["fire.latest_200"].status == "not_run"  # seeded fires prove nothing about today's endpoint
    _, stale = current_input(data)
    assert stale.url_changed == 50 and demo.SEED_URL in stale.old_urls


def test_a_new_demo_comes_with_its_history_and_a_second_load_opens_it(store: Store) -> None:
    app, created = apps.open_demo_app(store)
    assert created and store.fires.count(FireFilter(app_ref=app.id)) > 100
    assert len(store.signoffs.for_app(app.id)) == 1
    again, created_again = apps.open_demo_app(store)
    assert again.id == app.id and not created_again  # no "Demo (2)"
    assert len(apps.list_apps(store)) == 1


def test_home_step_four_follows_the_checklist_not_the_seeded_history(store: Store) -> None:
    """The demo's seeded fires were at an earlier App JSON and URL: Home's Test fire step says they are set
    aside instead of showing the newest of them (a failure, or a 200 that proves nothing today)."""
    from console.service import readiness

    app, _ = apps.open_demo_app(store)
    assert store.fires.count(FireFilter(app_ref=app.id)) > 100
    steps = {s.title: s for s in readiness.progress(store, app)}
    assert not steps["Test fire"].done
    assert steps["Test fire"].status == "no fire at today's App JSON and URL yet (earlier fires set aside)"
    empty = apps.create_app(store, AppProfile("Empty", "777009", "1.0", "dev"), demo.demo_manifest(demo.SEED_URL))
    assert {s.title: s for s in readiness.progress(store, empty)}["Test fire"].status == "no fire yet"
