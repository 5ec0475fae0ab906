"""Pages against hostile input: any saved manifest renders, endpoint content is text, bad
configuration and links get a clear message, never an exception."""

from __future__ import annotations

import copy
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from console import service
from console.profile import AppProfile
from console.service import apps, history
from console.store import Store
from tests import hostile
from tests.conftest import ROOT

PAGES = [None, "pages/1_Scopes.py", "pages/2_Auth_section.py", "pages/3_Actions.py", "pages/4_Test_fire.py",
         "pages/5_Checklist.py", "pages/6_History.py"]
MARKDOWN_KINDS = ("markdown", "caption", "error", "warning", "info", "success", "header", "subheader", "title")
LIVE_MARKDOWN = re.compile(r"(?<!\\)!\[|(?<!\\)\]\((?!History\?(?:app=\d+&)?fire=\d+\))|(?<!\\)<(?:b|script|img)\b")


def open_page(page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    if page:
        at.switch_page(page)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def markdown_sources(at: AppTest) -> list[str]:
    return [str(getattr(e, "value", "")) for kind in MARKDOWN_KINDS for e in at.get(kind)]


@pytest.mark.parametrize("url", ["https://[example.com/install", "A://[]", "http://x:99999/i", "https://a b/"])
def test_any_saved_manifest_renders_and_can_be_deleted(db_url: str, store: Store, demo_doc: dict,
                                                       url: str) -> None:
    demo_doc["auth"]["request"]["url"] = url
    app = apps.create_app(store, AppProfile("Broken URL", "5"), demo_doc)
    for page in PAGES:
        no_exception(open_page(page, {"app": str(app.id)}))
    at = open_page(None, {"app": str(app.id)})
    at.checkbox(key=f"confirm_delete_{app.id}").check().run()
    [b for b in at.button if b.label == "Delete app"][0].click().run()
    no_exception(at)
    assert service.get_app(store, app.id) is None


def test_a_deep_payload_saved_earlier_renders_and_fires_as_a_finding(db_url: str, store: Store,
                                                                     demo_doc: dict) -> None:
    deep: list = []
    for _ in range(500):
        deep = [deep]
    demo_doc["auth"]["request"]["payload"]["deep"] = deep
    app = apps.create_app(store, AppProfile("Deep", "6"), demo_doc)
    for page in PAGES:
        no_exception(open_page(page, {"app": str(app.id)}))
    at = open_page("pages/4_Test_fire.py", {"app": str(app.id)})
    at.button(key="fire").click().run()
    no_exception(at)
    latest = history.latest_fire(store, app.id)
    assert latest is not None and latest.category == "invalid_request"


@pytest.mark.parametrize(("pasted", "needle"), [
    ("[" * 100_000, "nested"),
    ('{"auth": {"request": {"payload": {"n": NaN}}}, "actions": []}', "/auth/request/payload/n"),
    ('{"auth": {"n": ' + "9" * 5000 + "}, \"actions\": []}", "5000 digits"),
])
def test_import_refuses_what_is_not_json_with_a_clear_message(db_url: str, store: Store, demo_doc: dict,
                                                              pasted: str, needle: str) -> None:
    app = apps.create_app(store, AppProfile("Import", "7"), demo_doc)
    at = open_page("pages/2_Auth_section.py", {"app": str(app.id)})
    at.text_area(key=f"paste_{app.id}").set_value(pasted).run()
    at.button(key=f"preview_import_{app.id}").click().run()
    no_exception(at)
    assert any(needle in e.value for e in at.error), [e.value for e in at.error]
    assert service.get_app(store, app.id).manifest == demo_doc  # unchanged


def test_import_warns_about_duplicate_keys(db_url: str, store: Store, demo_doc: dict) -> None:
    app = apps.create_app(store, AppProfile("Dup", "8"), demo_doc)
    at = open_page("pages/2_Auth_section.py", {"app": str(app.id)})
    text = json.dumps(demo_doc)[:-1] + ', "actions": []}'
    at.text_area(key=f"paste_{app.id}").set_value(text).run()
    at.button(key=f"preview_import_{app.id}").click().run()
    no_exception(at)
    assert any("actions" in w.value and "more than once" in w.value for w in at.warning)


def test_endpoint_content_is_shown_as_text_not_markdown(db_url: str, store: Store, demo_doc: dict) -> None:
    with hostile.hostile(hostile.markdown_location()) as server:
        doc = copy.deepcopy(demo_doc)
        doc["auth"]["request"]["url"] = server.url + "/install"
        app = apps.create_app(store, AppProfile("![x](http://127.0.0.1:1/p.png) <b>x</b>", "9"), doc)
        at = open_page("pages/4_Test_fire.py", {"app": str(app.id)})
        at.button(key="fire").click().run()
    no_exception(at)
    fire = history.latest_fire(store, app.id)
    assert fire is not None and fire.category == "redirect" and fire.detail is not None
    assert "pixel.png" in (fire.detail.location or "")
    shown = " ".join(t.value for t in at.text)
    assert "![x](" in shown  # the Location is shown, as plain text
    for page in ("pages/4_Test_fire.py", "pages/6_History.py", None, "pages/5_Checklist.py", "pages/1_Scopes.py"):
        view = open_page(page, {"app": str(app.id), "fire": str(fire.id)})
        no_exception(view)
        for source in markdown_sources(view):
            assert not LIVE_MARKDOWN.search(source), (page, source)


def test_a_bad_sample_port_stops_test_fire_with_a_message(db_url: str, store: Store,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    apps.create_demo_app(store)
    monkeypatch.setenv("CONSOLE_SAMPLE_PORT", "99999")
    at = open_page("pages/4_Test_fire.py")
    no_exception(at)
    assert any("sample endpoint cannot start" in e.value for e in at.error)
    assert any("CONSOLE_SAMPLE_PORT" in t.value and "65535" in t.value for t in at.text)


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_mode_stops_every_page_naming_the_valid_values(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                  page: str | None) -> None:
    monkeypatch.setenv("CONSOLE_MODE", "teams")
    at = open_page(page)
    no_exception(at)
    assert any("cannot start" in e.value for e in at.error)
    assert any("local, team" in t.value for t in at.text)
    assert not at.button  # nothing can be fired


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-1", "1e3", "٣"])
def test_bad_fire_links_get_a_message(db_url: str, value: str) -> None:
    at = open_page("pages/6_History.py", {"fire": value})
    no_exception(at)
    assert any("not a fire number" in w.value for w in at.warning)
