"""A save carries the revision it was based on (SQLite and PostgreSQL): a stale save of another field is
merged three-way, a stale save of the same field is refused with who, when, the difference and what
keeping mine saves; None (the CLI) saves as before."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from console.profile import AppProfile
from console.service import apps as apps_service
from console.service import scopes as scopes_service
from console.service.merge import StaleSave, merge3
from console.store import Store

PROFILE = AppProfile("Shared", "5151", "1.0", "dev")


def _with(doc: dict[str, Any], **request: Any) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    changed["auth"]["request"].update(request)
    return changed


def test_a_stale_save_of_another_field_keeps_the_url_changed_since(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc, actor="ann")
    opened = app.revision
    apps_service.save_manifest(store, app.id, _with(demo_doc, url="https://new.example.com/hook"), actor="bob",
                               based_on=opened)
    headers = [*demo_doc["auth"]["request"]["headers"], "X-Team: blue"]
    saved = apps_service.save_manifest(store, app.id, _with(demo_doc, headers=headers), actor="ann",
                                       based_on=opened)
    assert saved.manifest["auth"]["request"]["url"] == "https://new.example.com/hook"
    assert saved.manifest["auth"]["request"]["headers"][-1] == "X-Team: blue"
    assert saved.revision == opened + 2


def test_a_stale_save_of_the_same_field_is_refused_with_who_when_and_the_difference(
        store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc, actor="ann")
    opened = app.revision
    apps_service.save_manifest(store, app.id, _with(demo_doc, url="https://bob.example.com/"), actor="bob",
                               based_on=opened)
    with pytest.raises(StaleSave) as refused:
        apps_service.save_manifest(store, app.id, _with(demo_doc, url="https://ann.example.com/"), actor="ann",
                                   based_on=opened)
    error = refused.value
    assert "changed by bob at" in str(error) and "since you opened it" in str(error)
    [clash] = error.clashes
    assert clash.pointer == "/auth/request/url"
    assert "bob.example.com" in clash.theirs and "ann.example.com" in clash.mine
    assert apps_service.must_get(store, app.id).manifest["auth"]["request"]["url"] == "https://bob.example.com/"
    kept = apps_service.save_manifest(store, app.id, error.keep_mine, actor="ann", based_on=error.revision)
    assert kept.manifest["auth"]["request"]["url"] == "https://ann.example.com/"


def test_no_base_saves_as_before(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc, actor="ann")
    apps_service.save_manifest(store, app.id, _with(demo_doc, url="https://bob.example.com/"), actor="bob")
    saved = apps_service.save_manifest(store, app.id, _with(demo_doc, url="https://cli.example.com/"))
    assert saved.manifest["auth"]["request"]["url"] == "https://cli.example.com/"


def test_scopes_merge_tick_by_tick(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc, actor="ann")
    opened = app.revision
    scopes_service.toggle_scope(store, app.id, "/fb/page/getInfo", actor="bob", based_on=opened)
    after = scopes_service.toggle_scope(store, app.id, "/fb/subscriber/getInfo", actor="ann", based_on=opened)
    assert {"/fb/page/getInfo", "/fb/subscriber/getInfo"} <= set(after.scopes)
    # both ticked the same scope since the page was opened: it stays ticked (not toggled back off)
    again = scopes_service.toggle_scope(store, app.id, "/fb/page/getInfo", actor="ann", based_on=opened)
    assert "/fb/page/getInfo" in again.scopes


def test_settings_and_profile_merge_other_fields_and_refuse_the_same(store: Store, demo_doc: dict[str, Any]) -> None:
    app = apps_service.create_app(store, PROFILE, demo_doc, actor="ann")
    opened = app.revision
    apps_service.save_settings(store, app.id, actor="bob", based_on=opened, connect_timeout=2.0)
    saved = apps_service.save_settings(store, app.id, actor="ann", based_on=opened, page_id="123")
    assert saved.settings["connect_timeout"] == 2.0 and saved.settings["page_id"] == "123"
    with pytest.raises(StaleSave, match="settings was changed by bob"):
        apps_service.save_settings(store, app.id, actor="ann", based_on=opened, connect_timeout=3.0)

    opened = apps_service.must_get(store, app.id).revision
    apps_service.update_profile(store, app.id, AppProfile("Renamed", "5151", "1.0", "dev"), actor="bob",
                                based_on=opened)
    saved = apps_service.update_profile(store, app.id, AppProfile("Shared", "5151", "2.0", "dev"), actor="ann",
                                        based_on=opened)
    assert (saved.name, saved.version) == ("Renamed", "2.0")
    with pytest.raises(StaleSave, match="profile was changed by bob") as refused:
        apps_service.update_profile(store, app.id, AppProfile("Ann's name", "5151", "1.0", "dev"), actor="ann",
                                    based_on=opened)
    assert [clash.pointer for clash in refused.value.clashes] == ["/name"]
    assert apps_service.must_get(store, app.id).name == "Renamed"


def test_merge3_per_pointer() -> None:
    base = {"a": 1, "b": {"c": 1, "d": 1}}
    merged, _, clashes = merge3(base, {"a": 2, "b": {"c": 1, "d": 1}}, {"a": 1, "b": {"c": 1, "d": 5, "e": 0}})
    assert merged == {"a": 2, "b": {"c": 1, "d": 5, "e": 0}} and clashes == []
    _, mine, clashes = merge3(base, {"a": 2, "b": base["b"]}, {"a": 3, "b": base["b"]})
    assert [c.pointer for c in clashes] == ["/a"] and mine["a"] == 3


def test_a_stale_restore_keeps_the_changes_made_since(store: Store, demo_doc: dict[str, Any]) -> None:
    from console.service import versions as versions_service

    app = apps_service.create_app(store, PROFILE, demo_doc, actor="ann")
    headers = [*demo_doc["auth"]["request"]["headers"], "X-Team: blue"]
    opened = apps_service.save_manifest(store, app.id, _with(demo_doc, headers=headers), actor="ann").revision
    apps_service.save_manifest(store, app.id, _with(demo_doc, headers=headers, url="https://bob.example.com/"),
                               actor="bob", based_on=opened)
    restored = versions_service.restore_version(store, app.id, 1, author="ann", based_on=opened)  # drop X-Team
    assert restored.manifest["auth"]["request"]["url"] == "https://bob.example.com/"  # bob's URL stays
    assert "X-Team: blue" not in restored.manifest["auth"]["request"]["headers"]
