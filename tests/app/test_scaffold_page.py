"""The Endpoint code page: every generated file as code, a zip, warnings, and a clear refusal."""

from __future__ import annotations

import io
import json
import zipfile

from console.profile import AppProfile
from console.service.apps import create_app, create_demo_app
from console.service.scaffold import preview_scaffold
from console.store import Store
from tests.app.test_pages import no_exception, open_page

PAGE = "pages/10_Endpoint_code.py"


def codes(at) -> str:  # noqa: ANN001 - AppTest
    """The code on the page with each of the project's files picked in turn (one file is shown at a time)."""
    shown = [block.value for block in at.code]
    picker = at.pills(key=f"scaffold_file_{at.segmented_control(key='scaffold_lang').value}") if at.pills else None
    for path in [] if picker is None else picker.options:
        picker.set_value(path).run()
        no_exception(at)
        shown += [block.value for block in at.code]
    return "\n".join(shown)


def test_fresh_database_points_to_home(db_url: str) -> None:
    at = open_page(PAGE)
    no_exception(at)
    assert "Home page" in at.info[0].value


def test_every_file_is_shown_as_code_in_both_languages(db_url: str, store: Store) -> None:
    app = create_demo_app(store)
    at = open_page(PAGE, {"app": str(app.id)})
    no_exception(at)
    assert "from fastapi import FastAPI" in at.code[-1].value  # the main file is the one shown first
    shown = codes(at)
    assert "FIELDS = [" in shown and "from fastapi import FastAPI" in shown and "fastapi==" in shown
    assert "uvicorn app:app" in shown  # the run command
    assert all(f.text.rstrip() in shown for f in preview_scaffold(app.manifest, "python", app.name).files)
    assert not at.warning  # the demo app sends page_id
    at.segmented_control(key="scaffold_lang").set_value("node").run()
    no_exception(at)
    assert "Start the install endpoint" in at.code[-1].value  # server.js
    shown = codes(at)
    assert "require('express')" in shown and '"sql.js"' in shown and "node server.js" in shown
    assert all(f.text.rstrip() in shown for f in preview_scaffold(app.manifest, "node", app.name).files)


def test_the_zip_holds_the_files_shown(db_url: str, store: Store) -> None:
    from console.scaffold.render import zip_bytes

    app = create_demo_app(store)
    scaffold = preview_scaffold(app.manifest, "python", app.name)
    with zipfile.ZipFile(io.BytesIO(zip_bytes(scaffold, "x"))) as archive:
        assert sorted(archive.namelist()) == sorted(f"x/{f.path}" for f in scaffold.files)
        assert archive.read("x/app.py").decode() == next(f.text for f in scaffold.files if f.path == "app.py")


def test_manual_delivery_is_refused_with_a_reason(db_url: str, store: Store) -> None:
    manifest = {"auth": {"type": "APIKEY", "params": []}, "actions": []}
    app = create_app(store, AppProfile("Manual **bold**", "1000002", "1.0"), manifest)
    at = open_page(PAGE, {"app": str(app.id)})
    no_exception(at)
    assert at.error and "manual delivery" in at.text[0].value
    assert not at.code


def test_no_page_id_warns_and_markdown_from_the_app_json_stays_text(db_url: str, store: Store) -> None:
    manifest = {"auth": {"type": "APIKEY", "request": {
        "url": "https://example.com/**hook**/[x](javascript:alert(1))", "method": "POST",
        "headers": ["x-key: {{app_token}}"], "payload": {"note": "<b>hi</b> \"\"\" ''' `"}}}, "actions": []}
    app = create_app(store, AppProfile("Hostile", "1000003", "1.0"), manifest)
    at = open_page(PAGE, {"app": str(app.id)})
    no_exception(at)
    assert at.warning and "page_id" in " ".join(t.value for t in at.text)
    assert json.dumps("<b>hi</b> \"\"\" ''' `")[1:-1] in codes(at) or "<b>hi</b>" in codes(at)
    assert all("**hook**" not in m.value for m in at.markdown)


def test_the_sidebar_lists_the_page_with_a_material_icon(db_url: str, store: Store) -> None:
    from ui.frame import ICONS, pages

    assert pages()[10] == ("pages/10_Endpoint_code.py", "10 · Endpoint code")
    assert ICONS[10].startswith(":material/")
    app = create_demo_app(store)
    at = open_page(PAGE, {"app": str(app.id)})
    no_exception(at)
    links = [element.proto for element in at.get("page_link")]
    shown = [(link.page, link.label) for link in links]
    assert shown[-2] == ("Endpoint_code", "10 · Endpoint code")  # page 10: after pages 1-9 (not between 1 and 2),
    assert shown[-1][0] == "Team"  # before page 11
