"""AppTest of page 2's versions view: the compatibility panel says what a change between two versions breaks."""

from __future__ import annotations

import copy

from console.service.apps import create_demo_app, save_manifest
from console.store import Store
from tests.app.test_app_json import PAGE, texts
from tests.app.test_pages import no_exception, open_page
from ui.findings_view import plain


def test_versions_view_shows_what_breaks(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    newer = copy.deepcopy(app.manifest)
    removed = newer["actions"].pop(0)["name"]
    newer["auth"]["request"]["url"] = "https://example.com/v2/installed"
    save_manifest(store, app.id, newer, source="page", actor="local")
    at = open_page(PAGE)
    no_exception(at)
    errors = " ".join(texts(at, "error"))
    assert plain(f"flows using action `{removed}` stop working") in errors  # shown as text, not Markdown
    assert "every deployed endpoint at the old address stops receiving the key" in errors
    assert any("breaking" in m.value and "needing review" in m.value for m in at.markdown)
    same = open_page(PAGE)
    same.selectbox(key=f"diff_old_{app.id}").set_value(same.selectbox(key=f"diff_new_{app.id}").value).run()
    no_exception(same)
    assert not any("stop working" in e for e in texts(same, "error"))
