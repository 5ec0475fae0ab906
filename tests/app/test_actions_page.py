"""AppTest: the Actions page — starter action, edit as a version with Undo, preview, rehearsal against the demo."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from console import service
from console.profile import AppProfile
from console.service import actions as action_service
from console.service import apps
from console.service.apps import create_demo_app
from console.store import Store
from tests.conftest import ROOT

PAGE = "pages/3_Actions.py"


def open_actions(app_ref: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.switch_page(PAGE)
    at.query_params["app"] = str(app_ref)
    return at.run()


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]
                    + [e.value for e in at.error] + [s.value for s in at.success] + [i.value for i in at.info])


def labelled(widgets: Any, label: str) -> Any:
    return next(w for w in widgets if w.label == label)


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Store:
    return service.open_console_store(sqlite_url)


def test_a_new_app_gets_a_starter_action_and_undo_takes_it_back(sqlite_store: Store) -> None:
    app = apps.create_app(sqlite_store, AppProfile("Shop", "1000042", "1.0", "dev"))
    at = open_actions(app.id)
    ok(at)
    assert "No action yet" in texts(at)
    at.selectbox(key=f"template_{app.id}").set_value("tag_subscriber")
    at.button(key=f"add_{app.id}").click().run()
    ok(at)
    app = service.get_app(sqlite_store, app.id)
    assert app is not None
    assert [a["name"] for a in app.manifest["actions"]] == ["tag_subscriber"]
    assert "/fb/subscriber/addTagByName" in app.scopes  # the template selected the scope its call needs
    assert "Tag the subscriber" in texts(at)  # the Flow Builder preview shows its title
    at.button(key=f"undo_{app.id}").click().run()
    ok(at)
    app = service.get_app(sqlite_store, app.id)
    assert app is not None and app.manifest["actions"] == []


def test_the_demo_rehearses_offline_and_the_preview_fills_the_rpc_dropdown(sqlite_store: Store) -> None:
    app = create_demo_app(sqlite_store)
    at = open_actions(app.id)
    ok(at)
    assert "not rehearsed yet" in texts(at)  # the rpc dropdown is empty until its source is rehearsed
    at.button(key=f"rs_{app.id}_shipping_options").click().run()
    ok(at)
    assert "3 option(s)" in texts(at)
    box = at.selectbox(key=f"preview_{app.id}_1_method")
    assert list(box.options) == ["standard", "express", "pickup"]
    at.button(key=f"FormSubmitter:rehearse_{app.id}_notify_order-Rehearse").click().run()
    ok(at)
    shown = texts(at)
    assert "every mapping output found" in shown, shown[-2000:]
    stored = action_service.recent_rehearsals(sqlite_store, app.id)
    assert stored[0].name == "notify_order" and stored[0].ok and stored[0].fire.source == "action"


def test_a_hostile_title_is_shown_as_text(sqlite_store: Store) -> None:
    app = create_demo_app(sqlite_store)
    document = dict(app.manifest)
    document["actions"] = [dict(document["actions"][0], title="**bold** <b>x</b> [link](http://e.x)")]
    apps.save_manifest(sqlite_store, app.id, document)
    at = open_actions(app.id)
    ok(at)
    assert any("\\*\\*bold\\*\\*" in m.value for m in at.markdown)  # escaped: shown as its characters


def test_an_edit_is_saved_as_a_version_and_its_finding_shows_next_to_the_field(sqlite_store: Store) -> None:
    app = apps.create_app(sqlite_store, AppProfile("Shop", "1000043", "1.0", "dev"))
    app = action_service.add_action(sqlite_store, app.id, "call_api")
    at = open_actions(app.id)
    ok(at)
    labelled(at.text_input, "URL").set_value("https://example.com/orders/[[nobody]]")
    labelled(at.text_area, "Payload (JSON; empty for none)").set_value("{not json")
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("FormSubmitter:action_"))).click().run()
    ok(at)
    assert "Not saved: the payload is not JSON" in texts(at)  # nothing saved, and it says why
    assert service.get_app(sqlite_store, app.id).manifest == app.manifest
    labelled(at.text_area, "Payload (JSON; empty for none)").set_value("")
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("FormSubmitter:action_"))).click().run()
    ok(at)
    saved = service.get_app(sqlite_store, app.id)
    assert saved is not None and saved.manifest["actions"][0]["requests"][0]["url"].endswith("[[nobody]]")
    assert any("nobody" in e.value for e in at.error)  # the unknown name, next to the URL field


@pytest.mark.parametrize("actions", [
    "not a list",
    [1, None, "x", {"name": 5, "forms": "nope", "requests": {"url": 1}}],
    [{"name": "a", "title": "A", "description": "d", "forms": [{"name": "f", "type": {"x": 1}, "source": "zz"}],
      "requests": [{"url": "https://[bad", "method": 7, "headers": "h", "mapping": [{"path": "$..["}, 3],
                    "payload": {"deep": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}}]}],
])
def test_any_saved_actions_render_and_rehearse_without_a_traceback(sqlite_store: Store, actions: Any) -> None:
    app = create_demo_app(sqlite_store)
    apps.save_manifest(sqlite_store, app.id, {**app.manifest, "actions": actions, "sources": {"s": 1}})
    at = open_actions(app.id)
    ok(at)
    rehearse = [b for b in at.button if b.key and b.key.startswith("FormSubmitter:rehearse_")]
    if rehearse:
        rehearse[0].click().run()
        ok(at)
