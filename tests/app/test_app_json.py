"""AppTest of page 2 for the whole App JSON: import asks with a diff before replacing, a fragment is
merged, the request survives a switch to Manual and back, undo brings back every earlier state."""

from __future__ import annotations

import copy
import json

from console import service
from console.service import apps, readiness, versions
from console.service.apps import create_demo_app
from console.store import Store
from tests.app.test_pages import no_exception, open_page

PAGE = "pages/2_Auth_section.py"


def texts(at, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def test_import_shows_the_diff_and_asks_before_replacing(db_url: str, store: Store, demo_doc: dict) -> None:
    app = create_demo_app(store)
    at = open_page(PAGE)
    incoming = copy.deepcopy(demo_doc)
    incoming["auth"] = None
    incoming["actions"] = []
    at.text_area(key=f"paste_{app.id}").set_value(json.dumps(incoming)).run()
    at.button(key=f"preview_import_{app.id}").click().run()
    no_exception(at)
    errors = " ".join(texts(at, "error"))
    assert "DROPS THE WHOLE AUTH SECTION" in errors and "DROPS EVERY ACTION" in errors
    diff = next(c.value for c in at.code if "- /auth/params" in c.value or "~ /auth" in c.value)
    assert "/actions/0" in diff
    assert service.get_app(store, app.id).manifest == demo_doc  # nothing saved yet
    at.button(key=f"cancel_import_{app.id}").click().run()
    assert service.get_app(store, app.id).manifest == demo_doc
    assert not any("DROPS" in e for e in texts(at, "error"))


def test_commented_fragment_is_cleaned_and_merged_on_confirmation(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    at = open_page(PAGE)
    fragment = ('"request": {\n  // ManyChat\'s own snippet style\n  "url": "https://new.example.com/installed",\n'
                '  "method": "POST",\n  "headers": ["Content-Type: application/json"],\n'
                '  "payload": {"app_token": "{{app_token}}"}\n},')
    at.text_area(key=f"paste_{app.id}").set_value(fragment).run()
    at.button(key=f"preview_import_{app.id}").click().run()
    no_exception(at)
    assert any("bare \"request\" fragment" in i for i in texts(at, "info"))
    assert any("line 2, column 3" in w for w in texts(at, "warning"))
    assert any("~ /auth/request/url" in c.value for c in at.code)
    at.button(key=f"confirm_import_{app.id}").click().run()
    no_exception(at)
    saved = service.get_app(store, app.id).manifest
    assert saved["auth"]["request"]["url"] == "https://new.example.com/installed"
    assert saved["auth"]["params"] == app.manifest["auth"]["params"] and saved["actions"] == app.manifest["actions"]
    assert versions.list_versions(store, app.id)[0].source == "import"


def test_manual_and_back_keeps_the_request_and_undo_walks_back(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    original = copy.deepcopy(app.manifest["auth"]["request"])
    at = open_page(PAGE)
    at.text_input(key=f"auth_{app.id}_0_url").set_value("https://changed.example.com/i").run()
    changed = service.get_app(store, app.id).manifest["auth"]["request"]
    assert changed["url"] == "https://changed.example.com/i"

    at.radio(key=f"auth_{app.id}_0_delivery").set_value("manual").run()
    no_exception(at)
    assert "request" not in service.get_app(store, app.id).manifest["auth"]
    assert any("kept while Manual is selected" in i for i in texts(at, "info"))
    at.radio(key=f"auth_{app.id}_0_delivery").set_value("server").run()
    no_exception(at)
    assert service.get_app(store, app.id).manifest["auth"]["request"] == changed  # URL, headers, payload kept

    at.radio(key=f"auth_{app.id}_0_delivery").set_value("manual").run()
    assert "request" not in service.get_app(store, app.id).manifest["auth"]
    at.button(key=f"undo_{app.id}").click().run()  # back to before the switch
    no_exception(at)
    assert service.get_app(store, app.id).manifest["auth"]["request"] == changed
    at.button(key=f"undo_{app.id}").click().run()  # and further back: every earlier state
    at.button(key=f"undo_{app.id}").click().run()
    at.button(key=f"undo_{app.id}").click().run()
    no_exception(at)
    assert service.get_app(store, app.id).manifest["auth"]["request"] == original
    url_field = [t for t in at.text_input if t.label == "Request URL"][0]
    assert url_field.value == original["url"]  # the form shows the state that came back


def test_findings_of_the_whole_document_are_all_shown(db_url: str, store: Store, demo_doc: dict) -> None:
    doc = copy.deepcopy(demo_doc)
    doc["actions"].append(copy.deepcopy(doc["actions"][0]))  # a duplicate action name
    doc["actions"][1]["requests"][0]["method"] = "FETCH"
    doc["actions"][1]["requests"][0]["url"] = "https://api.manychat.com/fb/subscriber/addTag"
    doc["triggers"] = [{"title": "no name"}]
    app = create_demo_app(store)
    apps.save_manifest(store, app.id, doc)
    at = open_page(PAGE)
    no_exception(at)
    report = readiness.validate_app(service.get_app(store, app.id))
    errors = [i for i in report.issues if i.severity == "error"]
    assert {i.code for i in errors} >= {"actions.duplicate", "method.invalid", "scopes.missing", "schema.required"}
    shown = " ".join(texts(at, "error"))
    for issue in errors:
        assert f"`{issue.pointer or '/'}` · `{issue.code}`" in shown, f"{issue.code} at {issue.pointer} not shown"
    assert f"{len(errors)} error(s)" in " ".join(texts(at, "markdown"))
    at.button(key=f"add_scope_{app.id}_/actions/1/requests/0/url").click().run()
    no_exception(at)
    assert "/fb/subscriber/addTag" in service.get_app(store, app.id).scopes
    assert not any("scopes.missing" in e for e in texts(at, "error"))


def test_scopes_page_adds_the_scope_an_action_calls(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    doc = copy.deepcopy(app.manifest)
    doc["actions"][0]["requests"][0]["url"] = "https://api.manychat.com/fb/subscriber/findByName?name=Ann"
    apps.save_manifest(store, app.id, doc)
    at = open_page("pages/1_Scopes.py")
    no_exception(at)
    assert any("/fb/subscriber/findByName" in e and "Wrong access token" in e for e in texts(at, "error"))
    assert any("Candidates to drop" in c for c in texts(at, "caption"))
    at.button(key=f"scopes_add_{app.id}_/fb/subscriber/findByName").click().run()
    no_exception(at)
    assert "/fb/subscriber/findByName" in service.get_app(store, app.id).scopes
    assert not any("Wrong access token" in e for e in texts(at, "error"))


def test_a_preview_is_dropped_when_the_input_changes(db_url: str, store: Store, demo_doc: dict) -> None:
    app = create_demo_app(store)
    at = open_page(PAGE)
    at.text_area(key=f"paste_{app.id}").set_value('{"auth": null, "actions": []}').run()
    at.button(key=f"preview_import_{app.id}").click().run()
    assert any("DROPS EVERY ACTION" in e for e in texts(at, "error"))
    at.text_area(key=f"paste_{app.id}").set_value(json.dumps(demo_doc)).run()
    assert not any("DROPS" in e for e in texts(at, "error"))
    assert not [b for b in at.button if b.key == f"confirm_import_{app.id}"]
    assert service.get_app(store, app.id).manifest == demo_doc
