"""The page request wins over a field value that follows it (the browser test drives the real case)."""

from __future__ import annotations

import pytest
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession

from ui import first_click


class _Session:
    pass


def _request(page: str, *, typed: str | None = None, query: str = "") -> ClientState:
    state = ClientState(page_script_hash=page, query_string=query)
    if typed is not None:
        widget = state.widget_states.widgets.add()
        widget.id, widget.string_value = "$$ID-headers", typed
    return state


def test_install_wraps_streamlits_rerun_requests_once() -> None:
    assert first_click.install() is True  # fails when a Streamlit upgrade moves request_rerun
    wrapped = AppSession.request_rerun
    assert first_click.install() is True and AppSession.request_rerun is wrapped


def test_a_value_that_follows_a_page_request_runs_on_the_page_asked_for() -> None:
    session = _Session()
    first_click._follow_the_page_request(session, _request("scopes", query="app=1"))  # the click
    late = _request("auth", typed="X-Trace: 1")  # the field's value, from the page it was on
    first_click._follow_the_page_request(session, late)
    assert (late.page_script_hash, late.query_string) == ("scopes", "app=1")
    assert late.widget_states.widgets[0].string_value == "X-Trace: 1"  # the value itself is kept (saved)


def test_values_on_the_page_itself_and_late_ones_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    session = _Session()
    first_click._follow_the_page_request(session, _request("scopes"))
    same = _request("scopes", typed="x")  # typing on the page just opened
    first_click._follow_the_page_request(session, same)
    assert same.page_script_hash == "scopes"
    first_click._follow_the_page_request(session, _request("scopes"))
    clock = iter([100.0, 100.0 + first_click.WINDOW_S + 1])
    monkeypatch.setattr(first_click.time, "monotonic", lambda: next(clock))
    session = _Session()
    first_click._follow_the_page_request(session, _request("scopes"))
    later = _request("auth", typed="x")  # long after: an ordinary change on the page the person is on
    first_click._follow_the_page_request(session, later)
    assert later.page_script_hash == "auth"
