"""Persistence in a real database: apps survive a reopen; keys are never stored in plain text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console import keys, service
from console.fire.prepare import FireContext
from console.fire.send import fire_install_request
from console.outcome import Category
from console.profile import AppProfile
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import ServiceError, apps, firing, history, scopes
from console.settings import AppSettings
from console.store import FireFilter, Store, open_store
from tests.conftest import database_text


def _fire(store: Store, result, app_ref: int | None, target_kind: str = "sample", source: str = "page") -> int:
    return store.fires.insert(firing.fire_row(result, firing.Fired(app_ref, "a", {}, source, target_kind, "local")))


def test_apps_survive_a_restart(db_url: str, demo_doc: dict) -> None:
    first = open_store(db_url)
    app = apps.create_app(first, AppProfile("Shop", "42", "1.2", "public"), demo_doc, ["/fb/page/getInfo"],
                          AppSettings(target="sample"))
    first.close()
    again = service.get_app(open_store(db_url), app.id)
    assert again is not None
    assert (again.name, again.app_id, again.version, again.kind) == ("Shop", "42", "1.2", "public")
    assert again.manifest == demo_doc and again.scopes == ("/fb/page/getInfo",) and again.settings["target"] == "sample"
    assert again.created_at.tzinfo is not None and again.created_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(("profile", "field"), [
    (AppProfile("", "42"), "Name"), (AppProfile("x", "4 2"), "App ID"),
    (AppProfile("x", "42", "v1"), "Version"), (AppProfile("x", "42", "1", "prod"), "Kind"),
])
def test_bad_profiles_are_refused_and_change_nothing(store: Store, demo_doc: dict, profile: AppProfile,
                                                     field: str) -> None:
    with pytest.raises(ServiceError, match=field):
        apps.create_app(store, profile, demo_doc)
    assert apps.list_apps(store) == []


def test_rename_and_delete(store: Store, demo_doc: dict) -> None:
    app = apps.create_app(store, AppProfile("Old", "1"), demo_doc)
    apps.update_profile(store, app.id, AppProfile("New", "1", "2.0", "public"))
    assert service.get_app(store, app.id).name == "New"
    with pytest.raises(ServiceError, match="Version"):
        apps.update_profile(store, app.id, AppProfile("New", "1", "x"))
    assert service.get_app(store, app.id).version == "2.0"
    apps.delete_app(store, app.id)
    assert service.get_app(store, app.id) is None


def test_deleting_an_app_cascades_to_its_fires_only(store: Store, sample: SampleEndpoint, auth_request: dict) -> None:
    doomed = apps.create_app(store, AppProfile("Doomed", "1"))
    kept = apps.create_app(store, AppProfile("Kept", "2"))
    result = fire_install_request(auth_request, FireContext(params={"workspace": "a"}), url=sample.install_url("ok"))
    for app_ref in (doomed.id, doomed.id, kept.id, None):
        _fire(store, result, app_ref)
    apps.delete_app(store, doomed.id)
    assert store.fires.count(FireFilter(app_ref=doomed.id)) == 0
    assert store.fires.count(FireFilter(app_ref=kept.id)) == 1
    assert store.fires.count() == 2  # the kept app's fire and the CLI fire (no app)
    with pytest.raises(ServiceError, match="no app"):
        apps.delete_app(store, doomed.id)


def test_fires_store_fingerprints_not_keys(db_url: str, store: Store, sample: SampleEndpoint,
                                           auth_request: dict) -> None:
    key = keys.generate_app_key()
    result = fire_install_request(auth_request, FireContext(params={"workspace": "a"}), app_key=key,
                                  url=sample.install_url("ok"))
    stored = history.get_fire(store, _fire(store, result, None, source="cli"))
    assert stored.ok and stored.status == 200 and stored.key_fingerprint == keys.fingerprint(key)
    assert dict(stored.detail.request.headers)["x-token-header"] == keys.mask_key(key)
    assert stored.fired_at.tzinfo is not None
    store.close()
    raw = database_text(db_url)
    assert key.encode() not in raw and keys.fingerprint(key).encode() in raw


def test_filters_pagination_and_breakdown_in_sql(store: Store, sample: SampleEndpoint, auth_request: dict) -> None:
    seven = apps.create_app(store, AppProfile("Seven", "7"))
    eight = apps.create_app(store, AppProfile("Eight", "8"))
    ctx = FireContext(params={"workspace": "a"})
    for mode in ["ok", "ok", "500", "201", "ok"]:
        _fire(store, fire_install_request(auth_request, ctx, url=sample.install_url(mode)), seven.id)
    _fire(store, fire_install_request(auth_request, ctx, url=sample.install_url("ok")), eight.id, "endpoint")
    assert store.fires.count() == 6
    assert store.fires.count(FireFilter(app_ref=seven.id, outcome="failed")) == 2
    assert store.fires.breakdown(FireFilter(app_ref=seven.id)) == {"ok": 3, "http_status": 2}
    assert store.fires.count(FireFilter(target_kind="endpoint")) == 1
    page1 = store.fires.page(FireFilter(app_ref=seven.id), limit=2)
    page3 = store.fires.page(FireFilter(app_ref=seven.id), limit=2, offset=4)
    assert [f["id"] for f in page1] == [5, 4] and [f["id"] for f in page3] == [1]
    assert "detail" not in page1[0]  # lists never read the detail column
    future = datetime.now(UTC) + timedelta(hours=1)
    assert store.fires.count(FireFilter(since=future)) == 0
    assert store.fires.count(FireFilter(until=future, outcome="http_status")) == 2
    view = history.history(store, history.HistoryFilter(app_ref=seven.id), page=2, page_size=2)
    assert (view.total, view.pages, [r.id for r in view.rows]) == (5, 3, [3, 2])


def test_scope_changes_go_through_one_operation(store: Store) -> None:
    app = apps.create_app(store, AppProfile("Scoped", "9"))
    scopes.toggle_scope(store, app.id, "/fb/page/getTags")
    scopes.toggle_scope(store, app.id, "/fb/page/getInfo")
    assert service.get_app(store, app.id).scopes == ("/fb/page/getInfo", "/fb/page/getTags")
    scopes.toggle_scope(store, app.id, "/fb/page/getTags")
    assert service.get_app(store, app.id).scopes == ("/fb/page/getInfo",)
    with pytest.raises(ServiceError, match="Unknown scope"):
        scopes.change_scopes(store, app.id, ["/fb/nope"])
    assert service.get_app(store, app.id).scopes == ("/fb/page/getInfo",)


def test_per_day_counts_agree_with_the_fires(store: Store) -> None:
    """History's totals come from per-day counts; they must equal counting the fires themselves."""
    first = apps.seed_demo(store, 3000)
    second = apps.seed_demo(store, 500, app_name="Other")
    today = datetime.now(UTC).date()
    whole_days = dict(since=datetime.combine(today - timedelta(days=10), datetime.min.time(), UTC),
                      until=datetime.combine(today, datetime.max.time(), UTC))
    off_by_a_second = dict(since=whole_days["since"] + timedelta(seconds=1), until=whole_days["until"])
    for where in [FireFilter(), FireFilter(app_ref=first.id), FireFilter(app_ref=second.id, outcome="failed"),
                  FireFilter(app_ref=first.id, source="conformance"), FireFilter(outcome="timeout"),
                  FireFilter(app_ref=first.id, **whole_days), FireFilter(target_kind="sample")]:
        from_counts = store.fires.breakdown(where)
        shifted = FireFilter(**{**where.__dict__, **off_by_a_second}) if where.since else None
        counted = store.fires.breakdown(FireFilter(**{**where.__dict__, "run_id": None,
                                                      "answered_categories": tuple(c.value for c in Category)}))
        assert from_counts == counted, where
        if shifted is not None:  # a range that is not whole days is counted on the fires
            assert sum(store.fires.breakdown(shifted).values()) <= sum(from_counts.values())
    apps.delete_app(store, first.id)
    assert store.fires.count() == 500 and store.fires.count(FireFilter(app_ref=first.id)) == 0
