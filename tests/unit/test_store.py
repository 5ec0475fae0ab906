"""Persistence in a real SQLite file: apps survive a reopen; keys are never stored in plain text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console import keys
from console.callback import FireContext, fire_install_request
from console.profile import AppProfile
from console.sandbox import SampleEndpoint
from console.store import FireFilter, Store, StoreError, open_store


def test_apps_survive_a_restart(db_url: str, demo_doc: dict) -> None:
    first = open_store(db_url)
    app = first.create_app(AppProfile("Shop", "42", "1.2", "public"), demo_doc, ["/fb/page/getInfo"],
                           {"target": "sample"})
    first.engine.dispose()
    again = open_store(db_url).get_app(app.id)
    assert again is not None
    assert (again.name, again.app_id, again.version, again.kind) == ("Shop", "42", "1.2", "public")
    assert again.manifest == demo_doc and again.scopes == ("/fb/page/getInfo",) and again.settings["target"] == "sample"


@pytest.mark.parametrize(("profile", "field"), [
    (AppProfile("", "42"), "Name"), (AppProfile("x", "4 2"), "App ID"),
    (AppProfile("x", "42", "v1"), "Version"), (AppProfile("x", "42", "1", "prod"), "Kind"),
])
def test_bad_profiles_are_refused_and_change_nothing(store: Store, demo_doc: dict, profile: AppProfile,
                                                     field: str) -> None:
    with pytest.raises(StoreError, match=field):
        store.create_app(profile, demo_doc)
    assert store.list_apps() == []


def test_rename_and_delete(store: Store, demo_doc: dict) -> None:
    app = store.create_app(AppProfile("Old", "1"), demo_doc)
    store.update_app(app.id, profile=AppProfile("New", "1", "2.0", "public"))
    assert store.get_app(app.id).name == "New"
    with pytest.raises(StoreError, match="Version"):
        store.update_app(app.id, profile=AppProfile("New", "1", "x"))
    assert store.get_app(app.id).version == "2.0"
    store.delete_app(app.id)
    assert store.get_app(app.id) is None


def test_fires_store_fingerprints_not_keys(db_url: str, store: Store, sample: SampleEndpoint,
                                           auth_request: dict) -> None:
    key = keys.generate_app_key()
    result = fire_install_request(auth_request, FireContext(params={"workspace": "a"}), app_key=key,
                                  url=sample.install_url("ok"))
    fire_id = store.record_fire(result, app_ref=None, app_name="cli", source="cli", target_kind="sample")
    stored = store.get_fire(fire_id)
    assert stored.ok and stored.status == 200 and stored.key_fingerprint == keys.fingerprint(key)
    assert stored.detail["request"]["headers"]["x-token-header"] == keys.mask_key(key)
    raw = Path(db_url.removeprefix("sqlite:///")).read_bytes()
    assert key.encode() not in raw and keys.fingerprint(key).encode() in raw


def test_filters_pagination_and_breakdown_in_sql(store: Store, sample: SampleEndpoint, auth_request: dict) -> None:
    ctx = FireContext(params={"workspace": "a"})
    for mode in ["ok", "ok", "500", "201", "ok"]:
        result = fire_install_request(auth_request, ctx, url=sample.install_url(mode))
        store.record_fire(result, app_ref=7, app_name="a", source="page", target_kind="sample")
    result = fire_install_request(auth_request, ctx, url=sample.install_url("ok"))
    store.record_fire(result, app_ref=8, app_name="b", source="page", target_kind="endpoint")
    assert store.count_fires() == 6
    assert store.count_fires(FireFilter(app_ref=7, outcome="failed")) == 2
    assert store.outcome_breakdown(FireFilter(app_ref=7)) == {"ok": 3, "http_status": 2}
    assert store.count_fires(FireFilter(target_kind="endpoint")) == 1
    page1 = store.list_fires(FireFilter(app_ref=7), limit=2)
    page3 = store.list_fires(FireFilter(app_ref=7), limit=2, offset=4)
    assert [f.id for f in page1] == [5, 4] and [f.id for f in page3] == [1]
    future = datetime.now(UTC) + timedelta(hours=1)
    assert store.count_fires(FireFilter(since=future)) == 0
    assert store.count_fires(FireFilter(until=future, outcome="http_status")) == 2


def test_settings_round_trip(store: Store) -> None:
    assert store.get_setting("current_app", "none") == "none"
    store.set_setting("current_app", "3")
    store.set_setting("current_app", "4")
    assert store.get_setting("current_app") == "4"
