"""Every write from a page checks the session inside the widget callback, before anything is stored,
and widget events that arrive while signed out are dropped, not replayed for whoever signs in next.

Before: with Grace's Auth page open, `team revoke Grace`, then an edit of the Request URL: version 9 was
saved as Grace and only then did the page say her session ended.
"""

from __future__ import annotations

import pytest

from console import service
from console.service import apps, team, versions
from console.store import Store
from tests.app.test_pages import no_exception
from tests.app.test_team_gate import SHARED, assert_gated, open_app, sign_in
from ui.auth_builder import widget_key


def test_a_revoked_persons_edit_is_not_saved(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store, name="Gated")
    token = team.invite_person(store, "Grace")
    at = sign_in(open_app("pages/2_Auth_section.py", {"app": str(app.id)}), token)
    no_exception(at)
    before = service.get_app(store, app.id)
    count = len(versions.list_versions(store, app.id))
    team.revoke_person(store, "Grace")  # from the CLI, or in another console process
    at.text_input(key=widget_key(before, "url")).set_value("https://evil.example/installed")
    at.run()
    after = service.get_app(store, app.id)
    assert after.manifest == before.manifest and len(versions.list_versions(store, app.id)) == count
    assert_gated(at)
    assert "session ended" in at.warning[0].value


def test_a_revoked_persons_scope_toggle_is_not_saved(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store, name="Gated")
    token = team.invite_person(store, "Grace")
    at = sign_in(open_app("pages/1_Scopes.py", {"app": str(app.id)}), token)
    before = service.get_app(store, app.id).scopes
    team.revoke_person(store, "Grace")
    at.checkbox[0].set_value(not at.checkbox[0].value)
    at.run()
    assert service.get_app(store, app.id).scopes == before
    assert_gated(at)
    assert "session ended" in at.warning[0].value


def test_an_event_from_before_sign_in_is_dropped_not_credited_to_the_next_person(
        sqlite_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    app = apps.create_demo_app(store, name="Gated")
    at = sign_in(open_app("pages/1_Scopes.py", {"app": str(app.id)}), SHARED, "Ada")
    before = service.get_app(store, app.id).scopes
    # the server restarts: this browser session's sign-in is gone, the page is still open in the browser
    del at.session_state["team_session"]
    at.checkbox[0].set_value(not at.checkbox[0].value)
    at.run()
    assert_gated(at)
    at = sign_in(at, SHARED, "Someone Else")
    no_exception(at)
    assert service.get_app(store, app.id).scopes == before
    assert not [a for a in team.activity_for_app(store, app.id) if a.actor.startswith("Someone Else")]


def test_a_fire_clicked_while_signed_out_is_not_sent_after_sign_in(sqlite_url: str, store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_ACCESS_TOKEN", SHARED)
    app = apps.create_demo_app(store, name="Gated")
    at = sign_in(open_app("pages/4_Test_fire.py", {"app": str(app.id)}), SHARED, "Ada")
    no_exception(at)
    fires = store.fires.count()
    del at.session_state["team_session"]  # the server restarted; the page is still open in the browser
    at.button(key="fire").click()
    at.run()
    assert_gated(at)
    at = sign_in(at, SHARED, "Someone Else")
    no_exception(at)
    at.run()
    assert not [a for a in team.activity_for_app(store, app.id) if a.actor.startswith("Someone Else")]
    assert store.fires.count() == fires
