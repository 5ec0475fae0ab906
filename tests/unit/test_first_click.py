"""The page request wins over a field value that follows it, and carries a value that still waits (the
browser tests drive the real cases)."""

from __future__ import annotations

import pytest
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

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


class _Runner:
    def __init__(self) -> None:
        self._requests = ScriptRequests()


def _rerun(state: ClientState) -> RerunData:
    return RerunData(query_string=state.query_string, widget_states=state.widget_states,
                     page_script_hash=state.page_script_hash)


def _typed(requests: ScriptRequests) -> list[str]:
    states = requests._rerun_data.widget_states
    return [w.string_value for w in states.widgets if w.WhichOneof("value") == "string_value"] if states else []


def test_a_page_request_that_follows_a_waiting_value_keeps_what_was_typed() -> None:
    """The value first, the click a moment later, while the value's rerun still waits: the page opens
    with the value (Streamlit alone folds the two into the page request and drops the value)."""
    alone = ScriptRequests()  # Streamlit by itself: the typing is lost
    alone.request_rerun(_rerun(_request("auth", typed="X-Trace: 1")))
    alone.request_rerun(_rerun(_request("scopes")))
    assert alone._rerun_data.page_script_hash == "scopes" and _typed(alone) == []

    session = _Session()
    session._scriptrunner = _Runner()  # type: ignore[attr-defined]
    requests = session._scriptrunner._requests  # type: ignore[attr-defined]
    value = _request("auth", typed="X-Trace: 1")
    click = value.widget_states.widgets.add()
    click.id, click.trigger_value = "$$ID-save", True
    first_click._follow_the_page_request(session, value)
    requests.request_rerun(_rerun(value))
    page = _request("scopes", query="app=1")
    first_click._follow_the_page_request(session, page)
    assert [w.WhichOneof("value") for w in page.widget_states.widgets] == ["string_value"]  # never the click
    requests.request_rerun(_rerun(page))
    assert requests._rerun_data.page_script_hash == "scopes"
    assert _typed(requests) == ["X-Trace: 1"]
    kept = {w.id: w.WhichOneof("value") for w in requests._rerun_data.widget_states.widgets}
    assert kept == {"$$ID-headers": "string_value", "$$ID-save": "trigger_value"}  # the click once, by Streamlit


def test_a_page_request_with_nothing_waiting_carries_nothing() -> None:
    session = _Session()
    session._scriptrunner = _Runner()  # type: ignore[attr-defined]
    page = _request("scopes")
    first_click._follow_the_page_request(session, page)
    assert not len(page.widget_states.widgets)
    assert first_click.waiting_values(_Session()) == []  # no script runner yet
