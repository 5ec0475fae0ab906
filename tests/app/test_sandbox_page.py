"""AppTest of the Sandbox page: install, the App Setup result with Retry, the key shown once, uninstall and
reinstall, the public review, try a call with a held key, the call log and least privilege."""

from __future__ import annotations

import copy

from streamlit.testing.v1 import AppTest

from console import keys
from console.profile import AppProfile
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, sandbox, scopes
from console.store import Store
from tests.conftest import ROOT

PAGE = "pages/7_Sandbox.py"
SCOPES = ("/fb/page/getInfo", "/fb/page/getTags")


def open_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.switch_page(PAGE)
    return at.run()


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [t.value for t in at.text] + [c.value for c in at.caption]
                    + [e.value for e in at.error] + [s.value for s in at.success] + [w.value for w in at.warning]
                    + [i.value for i in at.info] + [c.value for c in at.code])


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def make_app(store: Store, demo_doc: dict, url: str | None, kind: str = "dev") -> int:
    doc = copy.deepcopy(demo_doc)
    if url is None:
        del doc["auth"]["request"]
    else:
        doc["auth"]["request"]["url"] = url
    return apps.create_app(store, AppProfile("Sandboxed", "4242", "1.0", kind), doc, SCOPES).id


def test_page_renders_from_a_fresh_database(db_url: str) -> None:
    at = open_page()
    no_exception(at)
    assert "Home page" in at.info[0].value


def test_install_try_a_call_uninstall_reinstall(db_url: str, store: Store, sample: SampleEndpoint,
                                                demo_doc: dict) -> None:
    app_ref = make_app(store, demo_doc, sample.install_url("ok"))
    at = open_page()
    no_exception(at)
    assert "read your bot's name and settings; see your tags" in texts(at)  # the installer view
    at.text_input(key="sb_page").set_value("555")
    at.button(key="sb_install").click().run()
    no_exception(at)
    [installation] = store.installations.for_app(app_ref)
    assert installation.page_id == "555" and installation.delivery == "delivered"
    assert "App Setup: connected" in at.success[0].value
    key_fp = installation.key_fingerprint
    assert sample.received()[-1]["payload"]["/app_token"] == key_fp
    assert not at.code  # delivered server-side: the key is not shown
    table = at.dataframe[0].value
    assert "•" in str(table["key"][0]) and table["fingerprint"][0] == key_fp  # masked, held in this session

    at.selectbox(key="sb_try_key").set_value(installation.id)
    at.selectbox(key="sb_try_path").set_value("/fb/page/getInfo")
    at.button(key="sb_try_call").click().run()
    no_exception(at)
    assert "HTTP 200" in texts(at) and "Sandbox page 555" in at.code[-1].value
    at.selectbox(key="sb_try_path").set_value("/fb/page/getFlows")
    at.button(key="sb_try_call").click().run()
    assert "HTTP 401" in texts(at) and '"Wrong access token"' in at.code[-1].value
    assert "/fb/page/getFlows" in texts(at)  # least privilege: refused for lack of it
    calls = sandbox.sandbox_calls(store, app_ref)
    assert [c.status for c in reversed(calls)] == [200, 401] and {c.key_fingerprint for c in calls} == {key_fp}
    log = at.dataframe[-1].value
    assert list(log["status"]) == [401, 200] and set(log["key"]) == {key_fp}

    at.button(key="sb_uninstall").click().run()
    no_exception(at)
    assert store.installations.get(installation.id).status == "uninstalled"
    at.button(key="sb_reinstall").click().run()
    no_exception(at)
    again = store.installations.get(installation.id)
    assert again.installed and again.key_fingerprint != key_fp and again.delivery == "delivered"


def test_failed_delivery_then_retry_with_the_held_key(db_url: str, store: Store, sample: SampleEndpoint,
                                                      demo_doc: dict) -> None:
    app_ref = make_app(store, demo_doc, sample.install_url("flaky", 1, "page-test"))
    at = open_page()
    at.text_input(key="sb_page").set_value("556")
    at.button(key="sb_install").click().run()
    no_exception(at)
    assert "App Setup: error (HTTP 500)" in at.error[0].value
    [installation] = store.installations.for_app(app_ref)
    assert installation.delivery == "failed"
    at.button(key="sb_retry").click().run()
    no_exception(at)
    after = store.installations.get(installation.id)
    assert after.delivery == "delivered" and after.key_fingerprint == installation.key_fingerprint  # same key
    assert "App Setup: connected" in at.success[0].value
    assert [r["payload"]["/app_token"] for r in sample.received()] == [installation.key_fingerprint] * 2


def test_manual_delivery_shows_the_key_once(db_url: str, store: Store, demo_doc: dict) -> None:
    app_ref = make_app(store, demo_doc, None)
    at = open_page()
    at.button(key="sb_install").click().run()
    no_exception(at)
    [installation] = store.installations.for_app(app_ref)
    shown = at.code[0].value
    assert keys.fingerprint(shown) == installation.key_fingerprint and "shown this once" in texts(at)
    at.run()
    assert shown not in texts(at)  # gone from the screen on the next run
    assert "•" in str(at.dataframe[0].value["key"][0])


def test_public_app_republish_approve_and_reject(db_url: str, store: Store, sample: SampleEndpoint,
                                                 demo_doc: dict) -> None:
    app_ref = make_app(store, demo_doc, sample.install_url("ok"), kind="public")
    at = open_page()
    at.button(key="sb_install").click().run()
    [installation] = store.installations.for_app(app_ref)
    scopes.change_scopes(store, app_ref, [*SCOPES, "/fb/page/getFlows"])
    at.run()
    assert "Status: republish needed" in texts(at)
    assert at.button(key="sb_approve").disabled
    at.button(key="sb_republish").click().run()
    assert "Status: in review" in texts(at)
    at.button(key="sb_reject").click().run()
    no_exception(at)
    assert "Status: review rejected" in texts(at)
    assert store.installations.get(installation.id).key_fingerprint == installation.key_fingerprint
    at.button(key="sb_republish").click().run()
    at.button(key="sb_approve").click().run()
    no_exception(at)
    assert "Status: live" in texts(at) and "Granted now: /fb/page/getInfo, /fb/page/getTags, /fb/page/getFlows" \
        in texts(at)
    rekeyed = store.installations.get(installation.id)
    assert rekeyed.key_fingerprint != installation.key_fingerprint and rekeyed.delivery == "delivered"
    assert sample.received()[-1]["payload"]["/app_token"] == rekeyed.key_fingerprint


def test_sandbox_rules_are_visible_settings(db_url: str, store: Store, demo_doc: dict) -> None:
    app_ref = make_app(store, demo_doc, None)
    at = open_page()
    assert at.toggle(key="sb_rule").value is True and at.toggle(key="sb_limits").value is False
    at.toggle(key="sb_rule").set_value(False).run()
    no_exception(at)
    assert sandbox.sandbox_overview(store, app_ref).state.replaced_key_rule is False


def test_many_installations_list_the_newest_and_count_every_one(db_url: str, store: Store, demo_doc: dict) -> None:
    app_ref = make_app(store, demo_doc, None)
    sandbox_row = store.installations.ensure_sandbox_app(app_ref, list(SCOPES))
    assert sandbox_row.app_ref == app_ref
    total = sandbox.SHOWN_INSTALLATIONS + 30
    for number in range(total):  # the first 3 failed their delivery: older than the newest listed
        made = store.installations.insert(app_ref=app_ref, page_id=f"page{number:03d}",
                                          key_hash=f"{number:064x}", key_fingerprint=f"fp_{number:012x}",
                                          fire_url=None, delivery="failed" if number < 3 else "delivered")
        if number == 0:
            oldest = made
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.switch_page(PAGE)
    at.session_state["sb_chosen"] = oldest  # chosen in this session before the list grew
    at.run()
    no_exception(at)
    assert f"The newest {sandbox.SHOWN_INSTALLATIONS} of {total} installations." in texts(at)
    picker = at.selectbox(key="sb_chosen")
    assert len(picker.options) == sandbox.SHOWN_INSTALLATIONS + 1  # the newest, and the one chosen before
    assert f"#{oldest} on page page000" in picker.options
    assert at.button(key="sb_retry_all").label == "Retry all failed (3)"  # every failed one, listed or not
