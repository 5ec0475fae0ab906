"""Streamlit AppTest: every page from a fresh database, and the journeys a user takes."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from console import keys, service
from console.fire.prepare import FireContext
from console.fire.send import fire_install_request
from console.manifest.document import parse_manifest
from console.manifest.validate import validate_manifest
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, firing, history, readiness
from console.service.apps import create_demo_app
from console.store import FireFilter, Store, open_store
from tests.conftest import ROOT

PAGES = ["pages/1_Scopes.py", "pages/2_Auth_section.py", "pages/3_Actions.py", "pages/4_Test_fire.py",
         "pages/5_Checklist.py", "pages/6_History.py"]


def open_page(page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    if page:
        at.switch_page(page)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at.run()


def page_text(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text])


def shown(markdown: str) -> str:
    """What a reader sees of Markdown that escapes every special character."""
    return re.sub(r"\\(.)", r"\1", markdown)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", [None, *PAGES])
def test_every_page_renders_from_a_fresh_database(db_url: str, page: str | None) -> None:
    at = open_page(page)
    no_exception(at)
    if page and "History" not in page:
        assert "Home page" in at.info[0].value  # a pointer to create an app first


@pytest.mark.parametrize("page", [None, *PAGES])
def test_every_page_renders_with_the_demo_app(db_url: str, store: Store, page: str | None) -> None:
    create_demo_app(store)
    no_exception(open_page(page))


def test_create_app_and_bad_profile(db_url: str, store: Store) -> None:
    at = open_page()
    at.text_input[0].set_value("My app")
    at.text_input[1].set_value("not valid!")
    at.button[1].click().run()  # Create app
    assert "App ID" in at.error[0].value and apps.list_apps(store) == []
    at.text_input[1].set_value("12345")
    at.button[1].click().run()
    no_exception(at)
    assert [a.name for a in apps.list_apps(store)] == ["My app"]
    assert shown(at.header[0].value) == "My app"


def test_journey_scopes_auth_section_download(db_url: str, store: Store) -> None:
    at = open_page()
    at.text_input[0].set_value("Journey app")
    at.text_input[1].set_value("777")
    at.button[1].click().run()
    app = apps.list_apps(store)[0]

    at = open_page("pages/1_Scopes.py")
    at.checkbox(key=f"scope_{app.id}_/fb/page/getInfo").check().run()
    at.checkbox(key=f"scope_{app.id}_/fb/sending/sendFlow").check().run()
    no_exception(at)
    assert service.get_app(store, app.id).scopes == ("/fb/page/getInfo", "/fb/sending/sendFlow")
    text = " ".join(m.value for m in at.markdown)
    assert "read your bot's name and settings" in text and "start your flows" in text
    assert any("SEND MESSAGES" in w.value for w in at.warning)
    assert any("immediately" in i.value for i in at.info)  # a dev app: re-keyed at once

    at = open_page("pages/2_Auth_section.py")
    url = at.text_input(key=f"auth_{app.id}_0_url")
    assert any("The request URL is missing" in e.value for e in at.error)
    url.set_value("https://example.com/manychat/installed").run()
    at.text_area(key=f"auth_{app.id}_0_headers_text").set_value(
        "Content-Type: application/json\nx-token-header: {{app_token}}").run()
    at.text_area(key=f"auth_{app.id}_0_params_text").set_value("workspace: Your workspace").run()
    no_exception(at)
    saved = service.get_app(store, app.id).manifest
    assert saved["auth"]["request"]["url"] == "https://example.com/manychat/installed"
    assert saved["auth"]["params"] == [{"name": "workspace", "title": "Your workspace"}]
    # The auth section is valid; no action yet is a warning while building (a listing needs one), shown with its fix.
    report = validate_manifest(saved)
    assert report.valid and [(i.pointer, i.code, i.severity) for i in report.issues if i.code == "actions.none"] \
        == [("/actions", "actions.none", "warning")]
    assert not at.error
    assert any("No action yet" in w.value and "Flow Builder" in w.value for w in at.warning)
    download = at.get("download_button")[0]
    assert download.label == "Download App JSON"
    full = next(c.value for c in at.code if c.value.startswith("{") and '"actions"' in c.value)
    shown = parse_manifest(full)  # the same text the download offers
    assert shown == saved
    request_as_sent = next(c.value for c in at.code if c.language == "http")
    assert "https://example.com/manychat/installed" in request_as_sent and "•" in request_as_sent


def test_bad_form_field_is_explained_and_saves_nothing(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    at = open_page("pages/2_Auth_section.py")
    at.text_area(key=f"auth_{app.id}_0_payload_text").set_value('{"app_token": ').run()
    no_exception(at)
    assert any("not valid JSON" in e.value for e in at.error)
    assert service.get_app(store, app.id).manifest == app.manifest


def test_import_bad_and_good_app_json(db_url: str, store: Store, demo_doc: dict) -> None:
    app = create_demo_app(store)
    at = open_page("pages/2_Auth_section.py")
    at.text_area(key=f"paste_{app.id}").set_value('{"auth": null,\n "actions": [}').run()
    at.button(key=f"preview_import_{app.id}").click().run()
    assert any("line 2" in e.value and "unchanged" in e.value for e in at.error)
    assert service.get_app(store, app.id).manifest == app.manifest
    demo_doc["x-extra"] = {"kept": True}
    del demo_doc["auth"]["request"]
    at.text_area(key=f"paste_{app.id}").set_value(json.dumps(demo_doc)).run()
    at.button(key=f"preview_import_{app.id}").click().run()
    assert service.get_app(store, app.id).manifest == app.manifest  # nothing saved before the confirmation
    at.button(key=f"confirm_import_{app.id}").click().run()
    no_exception(at)
    assert service.get_app(store, app.id).manifest == demo_doc
    assert any("manual" in i.value.lower() for i in at.info)


def test_fire_success_then_500_then_retry_to_success(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    at = open_page("pages/4_Test_fire.py")
    at.button(key="fire").click().run()
    no_exception(at)
    assert "App Setup: connected" in at.success[0].value
    assert "matches the key issued" in page_text(at)

    at.selectbox(key=f"sample_mode_{app.id}").set_value("500").run()
    at.button(key="fire").click().run()
    assert "App Setup: error (HTTP 500)" in at.error[0].value
    assert at.button(key="retry").label.endswith("with the same key")
    first_key = history.latest_fire(store, app.id).key_fingerprint
    at.selectbox(key=f"sample_mode_{app.id}").set_value("ok").run()
    at.button(key="retry").click().run()
    no_exception(at)
    assert "App Setup: connected" in at.success[0].value
    assert f"retry of #{history.recent_fires(store, app.id, 2)[1].id}, same key" in page_text(at)
    fires = history.recent_fires(store, app.id, limit=5)
    assert [f.status for f in fires] == [200, 500, 200]
    assert fires[0].key_fingerprint == first_key  # Retry re-sends the same key, as ManyChat does

    refreshed = open_page("pages/4_Test_fire.py")  # a new session: the latest verdict is still shown
    assert f"Fire #{fires[0].id}" in [h.value for h in refreshed.subheader]
    assert "connected" in refreshed.success[0].value


def test_checklist_with_a_seeded_history(db_url: str, store: Store, sample: SampleEndpoint) -> None:
    app = create_demo_app(store)
    ctx = FireContext(params={"workspace": "a"})
    for mode in ("500", "ok"):
        result = fire_install_request(app.manifest["auth"]["request"], ctx, url=sample.install_url(mode))
        store.fires.insert(firing.fire_row(result, firing.Fired(app.id, app.name, app.manifest, "page", "sample",
                                                                   "local")))
    at = open_page("pages/5_Checklist.py")
    no_exception(at)
    at.radio[0].set_value("sample").run()
    text = page_text(at)
    assert "The latest fire returned 200" in text and "rehearsal" in text and "fire #2" in text
    assert {s.value for s in at.subheader} >= {"Obtains the App Key server-side", "Captures only what it needs"}
    at.toggle[0].set_value(False).run()
    at.button[0].click().run()  # Run conformance
    no_exception(at)
    assert store.fires.count(FireFilter(app_ref=app.id, target_kind="sample")) == 19  # 2 + 14 + 3 rehearsals
    assert store.fires.count(FireFilter(app_ref=app.id, target_kind="sample", source="action")) == 3
    text = page_text(at)
    assert "Both fires with the same key got 200" in text
    assert "All 2 action(s) answered 200 and every mapping output was found." in text
    assert at.success and "Ready" in at.success[0].value
    assert [d.label for d in at.get("download_button")] == ["Report (Markdown)", "Report (HTML)", "Report (JSON)"]


def test_one_press_gathers_every_piece_of_evidence_at_the_sample(db_url: str, store: Store) -> None:
    """At the sample endpoint, one press of Run conformance gathers all the evidence: the conformance runs and
    every action and rpc source rehearsed. The demo is then READY; for a listing, only the two items that need
    the developer's own https endpoint (never the sample) are left."""
    app = create_demo_app(store)
    apps.save_settings(store, app.id, target="sample", for_listing=True)
    at = open_page("pages/5_Checklist.py")
    assert at.radio[0].value == "sample" and at.toggle[0].value is True
    assert at.error and "Not ready" in at.error[0].value
    at.button[0].click().run()  # Run conformance: one press
    no_exception(at)
    items = {i.id: i for i in readiness.checklist(store, service.must_get(store, app.id)).items}
    assert items["actions.rehearsed"].status == "pass" and items["actions.rehearsed"].required
    assert items["sources.rpc_answers"].status == "pass"
    failing = sorted(i.id for i in items.values() if i.required and i.status in ("fail", "not_run"))
    assert failing == ["endpoint.https", "fire.latest_200"], [(i.id, i.why) for i in items.values()
                                                              if i.required and i.status in ("fail", "not_run")]
    at.toggle[0].set_value(False).run()
    assert at.success and "Ready" in at.success[0].value  # nothing more to press


def test_history_filters_and_detail(db_url: str, store: Store, sample: SampleEndpoint) -> None:
    app = create_demo_app(store)
    key = keys.generate_app_key()
    result = fire_install_request(app.manifest["auth"]["request"], FireContext(params={"workspace": "a"}),
                                  app_key=key, url=sample.install_url("401"))
    fire_id = store.fires.insert(firing.fire_row(result, firing.Fired(app.id, app.name, app.manifest, "page",
                                                                         "sample", "local")))
    at = open_page("pages/6_History.py", {"fire": str(fire_id)})
    no_exception(at)
    assert at.metric[0].value == "1"
    assert "credentials ManyChat does not send" in at.error[0].value
    assert all(key not in c.value for c in at.code)
    at.selectbox[2].set_value("ok").run()  # Outcome
    assert at.metric[0].value == "0"


def test_refresh_keeps_the_current_app(db_url: str) -> None:
    from console.profile import AppProfile

    store = open_store(db_url)
    create_demo_app(store)
    second = create_demo_app(store)
    assert second.name == "Demo: Order Notifier (2)"  # loading the demo again does not duplicate a name
    apps.update_profile(store, second.id, AppProfile("Second app", "2"))
    at = open_page()
    assert shown(at.header[0].value) == "Demo: Order Notifier"
    at.selectbox(key="sidebar_app").set_value(second.id).run()
    assert at.query_params["app"] == str(second.id)  # the address bar names the app
    again = open_page(query={"app": str(second.id)})  # a refresh: a new session with the same URL
    assert again.selectbox(key="sidebar_app").value == second.id and shown(again.header[0].value) == "Second app"


def test_two_sessions_keep_their_own_app(db_url: str) -> None:
    store = open_store(db_url)
    first, second = create_demo_app(store), create_demo_app(store)
    alice = open_page(query={"app": str(first.id)})
    bob = open_page(query={"app": str(second.id)})
    bob.selectbox(key="sidebar_app").set_value(first.id).run()  # Bob switches...
    bob.selectbox(key="sidebar_app").set_value(second.id).run()
    alice.run()  # ...Alice's view does not move
    assert shown(alice.header[0].value) == first.name and shown(bob.header[0].value) == second.name
    on_scopes = open_page("pages/1_Scopes.py", {"app": str(second.id)})  # a deep link shows the linked app
    assert on_scopes.selectbox(key="sidebar_app").value == second.id
    missing = open_page(query={"app": "999"})
    assert any("no app #999" in w.value for w in missing.warning)


HOSTILE = {
    "auth": {"type": "BASIC", "params": "workspace", "connection": [1],
             "request": {"url": 5, "method": 7, "headers": "x: y", "payload": 3, "mapping": {}}},
    "actions": {"not": "a list"},
}


@pytest.mark.parametrize("page", [None, *PAGES])
def test_wrong_types_everywhere_never_crash_a_page(db_url: str, store: Store, page: str | None) -> None:
    app = create_demo_app(store)
    apps.save_manifest(store, app.id, HOSTILE)
    at = open_page(page)
    no_exception(at)
    if page == "pages/2_Auth_section.py":
        assert any("must be of type" in e.value for e in at.error)
    if page == "pages/4_Test_fire.py":
        at.button(key="fire").click().run()
        no_exception(at)
        assert "App Setup: error" in at.error[0].value
