"""The access gate on every page and deep link (AppTest), team mode, and what signed-in people do."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from console import service
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, bursts, firing, readiness, review, scopes, team
from console.store import Store
from tests.app.test_pages import PAGES, no_exception, page_text
from tests.conftest import ROOT

SHARED = "team-shared-token-0123456789"
ALL_PAGES = [None, *PAGES, "pages/9_Activity.py"]
GATE_TITLE = ":material/lock: App Key Console"


def open_app(page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    if page:
        at.switch_page(page)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at.run()


def button(at: AppTest, label: str):  # noqa: ANN201 - an AppTest element
    return next(b for b in at.button if b.label == label)


def sign_in(at: AppTest, token: str, name: str = "") -> AppTest:
    at.text_input(key="gate_token").set_value(token)
    at.text_input(key="gate_name").set_value(name)
    return button(at, "Sign in").click().run()


def assert_gated(at: AppTest, *secrets: str) -> None:
    no_exception(at)
    assert [t.value for t in at.title] == [GATE_TITLE]
    assert not at.dataframe and not at.number_input and not at.selectbox and not at.checkbox
    text = page_text(at)
    for secret in secrets:
        assert secret not in text


@pytest.fixture
def fired(store: Store, sample: SampleEndpoint) -> tuple[int, int, str]:
    app = apps.create_demo_app(store, name="Secret Project X")
    outcome = firing.fire_for_app(store, app, sample.base_url, AddressPolicy("local", ()))
    return app.id, outcome.record.id, app.name


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_and_deep_link_asks_for_the_token_first(db_url: str, store: Store, page: str | None,
                                                           fired: tuple[int, int, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    app_ref, fire_id, name = fired
    before = store.activity.for_app(app_ref)
    at = open_app(page, {"app": str(app_ref), "fire": str(fire_id)})
    assert_gated(at, name, "Demo", f"#{fire_id}")
    at = sign_in(at, SHARED[:-1], "Ada")
    assert_gated(at, name)
    assert "not valid" in at.error[0].value
    assert store.activity.for_app(app_ref) == before  # the gate did nothing on the page's behalf

    at = sign_in(at, SHARED, "Ada")
    no_exception(at)
    assert GATE_TITLE not in [t.value for t in at.title]
    assert "Ada (shared token)" in [t.value for t in at.text]  # signed in as, in the sidebar
    assert at.query_params["app"] in (str(app_ref), [str(app_ref)])  # the deep link survived the sign-in
    if page == "pages/6_History.py":
        assert at.number_input[-1].value == fire_id and f"{name} · page · target sample" in page_text(at)
        assert "fired by local" in [t.value for t in at.text]  # fired before the gate: no person
    if page is None:
        assert at.header[0].value == name


def test_sign_out_and_revoke_end_the_session(db_url: str, store: Store, fired: tuple[int, int, str]) -> None:
    token = team.invite_person(store, "Grace")  # a personal invite turns the gate on by itself
    at = open_app("pages/6_History.py")
    assert_gated(at)
    at = sign_in(at, token)
    assert [t.value for t in at.title] == [":material/history: History"] and "Grace" in [t.value for t in at.text]
    at = button(at, "Sign out").click().run()
    assert_gated(at)
    at = sign_in(at, token)
    assert [t.value for t in at.title] == [":material/history: History"]
    team.revoke_person(store, "Grace")  # e.g. from the CLI, or in another console process
    at.run()
    assert_gated(at)
    assert "session ended" in at.warning[0].value


def test_the_slow_down_shows_on_the_page(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    at = open_app()
    for _ in range(3):
        at = sign_in(at, "wrong", "Ada")
    assert "wait 1 s" in at.error[0].value
    at = sign_in(at, SHARED, "Ada")  # the right token, too soon
    assert_gated(at)
    assert "wait" in at.error[0].value


@pytest.mark.parametrize("page", ALL_PAGES)
def test_team_mode_without_a_gate_refuses_to_start(sqlite_url: str, page: str | None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_MODE", "team")
    at = open_app(page)
    no_exception(at)
    assert not at.title and not at.button and not at.text_input
    assert "refuses to start" in at.error[0].value and "CONSOLE_ACCESS_TOKEN" in at.error[0].value


def _reveal(at: AppTest):  # noqa: ANN202 - an AppTest toggle
    """The reveal toggle of the fire shown (one per fire: a new fire starts unrevealed)."""
    return next(t for t in at.toggle if t.label.startswith("Reveal the key"))


def test_team_mode_never_reveals_a_key(sqlite_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ALLOWED_HOSTS", "127.0.0.1")  # the sample endpoint on loopback
    apps.create_demo_app(store)
    at = open_app("pages/4_Test_fire.py")
    button(at, "Fire").click().run()
    assert not _reveal(at).disabled  # local mode: this session's own key may be revealed
    monkeypatch.setenv("CONSOLE_MODE", "team")
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    at = sign_in(open_app("pages/4_Test_fire.py"), SHARED, "Ada")
    button(at, "Fire").click().run()
    no_exception(at)
    assert "matches the key issued" in page_text(at)  # fired in team mode (loopback allowed above)
    assert _reveal(at).disabled


def test_a_signed_in_reviewer_is_recorded_and_signs_off(db_url: str, store: Store) -> None:
    token = team.invite_person(store, "Ada")
    review.set_role(store, "Ada", "all", "admin")  # new members are viewers: she edits the scopes and signs off
    app = apps.create_demo_app(store)
    # the sample endpoint fails once, then recovers: recovery is proven (never-failing is not provable)
    apps.save_settings(store, app.id, sample_mode="flaky", sample_arg=1)
    at = sign_in(open_app("pages/1_Scopes.py"), token)
    at.checkbox(key=f"scope_{app.id}_/fb/page/getInfo").uncheck().run()
    at.switch_page("pages/5_Checklist.py").run()
    at.toggle[0].set_value(False).run()  # not for a listing: the sample endpoint is http
    button(at, "Run conformance").click().run()
    at.text_area(key=f"signoff_comment_{app.id}_0").set_value("**bold** <b>not html</b>")
    button(at, "Sign off").click().run()
    no_exception(at)
    assert at.success and "Signed off" in at.success[-1].value, [e.value for e in at.error]
    assert any("comment: **bold** <b>not html</b>" in t.value for t in at.text)  # as text, never Markdown
    fresh = service.get_app(store, app.id)
    assert fresh is not None
    views = readiness.signoffs_for_app(store, fresh)
    assert [(v.record.actor, v.record.decision, v.stale) for v in views] == [("Ada", "approved", False)]

    team.invite_person(store, "Bob")
    review.set_role(store, "Bob", "all", "editor")
    scopes.change_scopes(store, app.id, [], actor="Bob")  # a teammate changes the scopes
    at.run()
    assert "stale: the scopes changed since" in at.warning[0].value

    at.switch_page("pages/9_Activity.py").run()
    no_exception(at)
    table = at.dataframe[0].value
    assert {"Ada", "Bob"} <= set(table["who"])
    rows = table.set_index("what")
    assert rows.loc["sign-off", "who"] == "Ada" and "**bold**" in rows.loc["sign-off", "detail"]
    fire_links = [link for link in table["evidence"] if isinstance(link, str) and "fire=" in link]
    assert fire_links and all(link.startswith("History?fire=") and f"app={app.id}" in link for link in fire_links)


def test_a_viewer_is_refused_on_the_sandbox_and_burst_pages(db_url: str, store: Store) -> None:
    """Pages 6 and 7 pass the signed-in person to the service: a viewer's install, sandbox rules and burst are
    refused with a message (never a traceback) and nothing is stored."""
    token = team.invite_person(store, "Vic")  # new members are viewers
    app = apps.create_demo_app(store)
    at = sign_in(open_app("pages/7_Sandbox.py"), token)
    button(at, "Install on this page").click().run()
    no_exception(at)
    assert any("Not allowed" in e.value and "Nothing was changed" in e.value for e in at.error)
    assert not store.installations.for_app(app.id)
    at.toggle(key="sb_limits").set_value(not at.toggle(key="sb_limits").value).run()
    no_exception(at)
    assert any("Not allowed" in e.value for e in at.error)
    at.switch_page("pages/8_Burst.py").run()
    button(at, "Start burst").click().run()
    no_exception(at)
    assert any("Not allowed" in e.value and "Nothing was changed" in e.value for e in at.error)
    assert not bursts.recent_bursts(store, app.id)
    actions = {entry.action for entry in team.activity_for_app(store, app.id)}
    assert not actions & {"installed", "burst", "sandbox_rules"}
