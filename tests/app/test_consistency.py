"""Issue 11 in AppTest: no work lost, one verdict everywhere, the fire page a developer expects."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from console import keys, service
from console.profile import AppProfile
from console.reproduce import snippets
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, readiness
from console.service import history as history_service
from console.store import Store
from tests.app.test_pages import no_exception, open_page, page_text, shown
from tests.ports import free_port


def test_create_once_then_the_form_is_empty_and_app_ids_are_unique(db_url: str, store: Store) -> None:
    at = open_page()
    at.text_input[0].set_value("Shop")
    at.text_input[1].set_value("4242")
    [b for b in at.button if b.label == "Create app"][0].click().run()
    no_exception(at)
    assert "Created the app 'Shop'" in at.success[0].value
    assert at.text_input[0].value == "" and at.text_input[1].value == ""  # pressing Create again makes no twin
    [b for b in at.button if b.label == "Create app"][0].click().run()
    assert [a.name for a in apps.list_apps(store)] == ["Shop"]
    at.text_input[0].set_value("Shop again")
    at.text_input[1].set_value("4242")
    [b for b in at.button if b.label == "Create app"][0].click().run()
    assert any("4242 is already used by the app 'Shop'" in e.value for e in at.error)
    assert at.text_input[0].value == "Shop again"  # a refused form keeps what was typed
    assert len(apps.list_apps(store)) == 1


def test_deleting_an_app_says_so(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    at = open_page(query={"app": str(app.id)})
    at.checkbox(key=f"confirm_delete_{app.id}").check().run()
    [b for b in at.button if b.label == "Delete app"][0].click().run()
    no_exception(at)
    assert f"Deleted the app '{app.name}'" in at.success[0].value
    assert apps.list_apps(store) == []


def test_home_checklist_report_and_check_show_one_verdict(db_url: str, store: Store, tmp_path) -> None:  # noqa: ANN001
    app = apps.create_app(store, AppProfile("Public http", "77", "1.0", "public"))
    doc = service.get_app(store, app.id).manifest
    doc["auth"]["request"]["url"] = "http://example.com/installed"
    apps.save_manifest(store, app.id, doc)
    checklist = open_page("pages/5_Checklist.py", {"app": str(app.id)})
    no_exception(checklist)
    verdict = readiness.checklist(store, service.get_app(store, app.id)).verdict
    assert not verdict.ready and "Not ready for a listing:" in checklist.error[0].value
    assert verdict.summary in shown(checklist.error[0].value)
    home = open_page(query={"app": str(app.id)})
    assert ":gray[:material/radio_button_unchecked: to do] **5. Checklist**" in [m.value for m in home.markdown]
    assert ":gray[:material/radio_button_unchecked: to do] **3. Actions**" in [m.value for m in home.markdown]
    assert f"Not ready for a listing: {verdict.summary}" in [t.value for t in home.text]  # the Checklist's words
    path = tmp_path / "app.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run([sys.executable, "-m", "console", "check", str(path), "--for-listing", "--json"],
                         capture_output=True, text=True, env={**os.environ, "CONSOLE_DATABASE_URL": db_url})
    assert out.returncode == 1 and json.loads(out.stdout)["ready"] is False


def test_scope_banner_belongs_to_the_app_and_goes_away_on_untick(db_url: str, store: Store) -> None:
    first, second = apps.create_demo_app(store), apps.create_demo_app(store)
    at = open_page("pages/1_Scopes.py", {"app": str(first.id)})
    box = f"scope_{first.id}_/fb/page/getFlows"
    at.checkbox(key=box).check().run()
    assert any("You changed the scopes" in i.value for i in at.info)
    at.checkbox(key=box).uncheck().run()
    assert not any("You changed the scopes" in i.value for i in at.info)
    at.checkbox(key=box).check().run()
    at.selectbox(key="sidebar_app").set_value(second.id).run()
    assert not any("You changed the scopes" in i.value for i in at.info)


def test_unticking_read_and_write_shows_no_endpoints(db_url: str, store: Store) -> None:
    apps.create_demo_app(store)
    at = open_page("pages/1_Scopes.py")
    at.get("button_group")[0].set_value([]).run()
    no_exception(at)
    assert "0 of 34 endpoints shown" in page_text(at)
    assert any("Select **read**, **write**" in i.value for i in at.info)


def test_each_sample_mode_keeps_its_own_number(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    at = open_page("pages/4_Test_fire.py", {"app": str(app.id)})
    at.selectbox(key=f"sample_mode_{app.id}").set_value("slow").run()
    at.number_input(key=f"sample_arg_{app.id}_slow").set_value(15).run()
    at.selectbox(key=f"sample_mode_{app.id}").set_value("flaky").run()
    assert at.number_input(key=f"sample_arg_{app.id}_flaky").value == 1  # not slow's 15
    at.selectbox(key=f"sample_mode_{app.id}").set_value("slow").run()
    assert at.number_input(key=f"sample_arg_{app.id}_slow").value == 15


def test_saved_targets_and_no_fire_without_a_url(db_url: str, store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_app(store, AppProfile("Manual", "88"), {"auth": {"type": "APIKEY"}, "actions": []})
    at = open_page("pages/4_Test_fire.py", {"app": str(app.id)})
    assert at.button(key="fire").disabled and "to enable Fire" in page_text(at)
    apps.save_target(store, app.id, "local", sample.install_url("ok"))
    at = open_page("pages/4_Test_fire.py", {"app": str(app.id)})
    assert not at.button(key="fire").disabled
    at.button(key="fire").click().run()
    no_exception(at)
    assert "App Setup: connected" in at.success[0].value
    assert history_service.latest_fire(store, app.id).url == sample.install_url("ok")


def test_the_code_to_reproduce_runs_when_pasted(sample: SampleEndpoint, auth_request: dict) -> None:
    from console.fire.prepare import FireContext
    from console.fire.send import fire_install_request

    key = keys.generate_app_key()
    result = fire_install_request(auth_request, FireContext(params={"workspace": "a"}), app_key=key,
                                  url=sample.install_url("ok"))
    code = snippets(result.request, result.key_masked)
    assert keys.mask_key(key) not in code.curl and "$APP_KEY" in code.curl and key not in code.curl
    env = {**os.environ, "APP_KEY": key}
    curl = subprocess.run(["bash", "-c", code.curl.split("\n", 1)[1] + " -s -o /dev/null -w '%{http_code}'"],
                          capture_output=True, text=True, env=env, timeout=30)
    assert curl.stdout == "200", curl.stderr
    python = subprocess.run([sys.executable, "-c", code.python], capture_output=True, text=True, env=env,
                            timeout=30)
    assert python.stdout.startswith("200"), python.stderr
    received = sample.received()[-2:]  # what the sample endpoint got from the pasted commands: the real key
    for got in received:
        assert got["headers"]["x-token-header"] == keys.fingerprint(key)
        assert got["payload"]["/app_token"] == keys.fingerprint(key)


def test_history_opens_compares_and_refires(db_url: str, store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    at = open_page("pages/4_Test_fire.py", {"app": str(app.id)})
    at.button(key="fire").click().run()
    at.selectbox(key=f"sample_mode_{app.id}").set_value("500").run()
    at.button(key="fire").click().run()
    first, second = sorted(f.id for f in history_service.recent_fires(store, app.id))
    history = open_page("pages/6_History.py", {"app": str(app.id), "fire": str(second)})
    no_exception(history)
    assert any(f"Re-fire #{second}" in b.label for b in history.button)
    [b for b in history.button if f"Re-fire #{second}" in b.label][0].click().run()
    no_exception(history)
    third = history_service.latest_fire(store, app.id)
    assert third.id > second and third.url == history_service.get_fire(store, second).url
    assert history.query_params["fire"] == str(third.id)





def test_the_sample_endpoint_inspector_shows_what_it_received_with_the_key_masked(
        db_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # A sample endpoint of this test's own (the pages keep one per port for the process): requests that earlier
    # tests in this process sent to the shared one cannot be the newest shown here.
    monkeypatch.setenv("CONSOLE_SAMPLE_PORT", str(free_port()))
    app = apps.create_demo_app(store)
    at = open_page("pages/4_Test_fire.py", {"app": str(app.id)})
    at.button(key="fire").click().run()
    no_exception(at)
    key = at.session_state["last_key"]
    shown = [c.value for c in at.code if " HTTP/1.1\n" in c.value]  # the newest request shows first
    assert shown and shown[0].startswith("POST /install/ok "), (shown[:1], [e.value for e in at.error])
    raw = shown[0]
    assert "User-Agent: ManyChat-AppKeyConsole" in raw and "Content-Length:" in raw  # every header as received
    assert key not in " ".join(c.value for c in at.code) and keys.mask_key(key) in raw
    bodies = [c.value for c in at.code if '"app_token"' in c.value]
    assert bodies and all(key not in b for b in bodies)


def test_import_accepts_app_json_only_and_says_why(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    at = open_page("pages/2_Auth_section.py", {"app": str(app.id)})
    for pasted in ('{"foo": 1}', "[1, 2, 3]"):
        at.text_area(key=f"paste_{app.id}").set_value(pasted).run()
        at.button(key=f"preview_import_{app.id}").click().run()
        no_exception(at)
        assert any("Import takes a whole App JSON document" in e.value for e in at.error), pasted
        assert not [b for b in at.button if b.key == f"confirm_import_{app.id}"]  # nothing to confirm
        assert service.get_app(store, app.id).manifest == app.manifest


def test_an_unsaved_field_error_stays_with_its_field_and_its_app(db_url: str, store: Store) -> None:
    first, second = apps.create_demo_app(store), apps.create_demo_app(store)
    at = open_page("pages/2_Auth_section.py", {"app": str(first.id)})
    payload = at.text_area(key=f"auth_{first.id}_0_payload_text")
    good = payload.value
    payload.set_value('{"app_token": ').run()
    assert [e.value for e in at.error if "Not saved until fixed" in e.value]
    at.selectbox(key="sidebar_app").set_value(second.id).run()  # another app: its page has no such error
    assert not [e.value for e in at.error if "Not saved until fixed" in e.value]
    at.selectbox(key="sidebar_app").set_value(first.id).run()
    at.text_area(key=f"auth_{first.id}_0_payload_text").set_value(good).run()  # fixed: the error goes away
    assert not [e.value for e in at.error if "Not saved until fixed" in e.value]


def test_one_error_count_on_home_the_auth_page_and_validate(db_url: str, store: Store, tmp_path) -> None:  # noqa: ANN001
    """An http:// URL is a warning while building: Home, the Auth section page and `validate` count the same."""
    app = apps.create_app(store, AppProfile("Counted", "78", "1.0", "public"))
    doc = service.get_app(store, app.id).manifest
    doc["auth"]["request"]["url"] = "http://example.com/installed"
    doc["auth"]["request"]["payload"]["x"] = "{{nope}}"  # one real error
    apps.save_manifest(store, app.id, doc)
    apps.save_settings(store, app.id, for_listing=True)  # the listing toggle does not change the count
    expected = readiness.validate_app(service.get_app(store, app.id)).error_count
    assert expected == 1
    home = open_page(query={"app": str(app.id)})
    no_exception(home)
    assert any(f"{expected} error(s) to fix" in m.value for m in [*home.markdown, *home.text, *home.caption])
    auth = open_page("pages/2_Auth_section.py", {"app": str(app.id)})
    no_exception(auth)
    assert any(f"**Validation of the whole App JSON:** {expected} error(s)" in m.value for m in auth.markdown)
    path = tmp_path / "app.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run([sys.executable, "-m", "console", "validate", str(path), "--json"],
                         capture_output=True, text=True, env={**os.environ, "CONSOLE_DATABASE_URL": db_url})
    issues = json.loads(out.stdout)["issues"]
    assert sum(1 for i in issues if i["severity"] == "error") == expected


def test_an_auth_schema_error_is_shown_once_and_reads_well(db_url: str, store: Store) -> None:
    app = apps.create_app(store, AppProfile("Twice", "79", "1.0", "dev"))
    doc = service.get_app(store, app.id).manifest
    doc["auth"]["request"] = []
    apps.save_manifest(store, app.id, doc)
    at = open_page("pages/2_Auth_section.py", {"app": str(app.id)})
    no_exception(at)
    shown_errors = [e.value for e in at.error if "must be of type" in e.value]
    assert len(shown_errors) == 1
    assert "to an object" in shown(shown_errors[0])  # not "to a object"


def test_a_url_in_a_hint_shows_without_backslashes() -> None:
    from ui.findings_view import plain

    shown_hint = plain("Enter the full address of your install endpoint, e.g. https://example.com/manychat/installed.")
    assert "`https://example.com/manychat/installed`" in shown_hint and "example\\.com" not in shown_hint
    assert plain("*x* [y](z)") == "\\*x\\* \\[y\\]\\(z\\)"  # everything else still escaped
