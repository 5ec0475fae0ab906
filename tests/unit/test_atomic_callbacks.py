"""A rerun asked for while Streamlit applies a run's values and runs their callbacks waits until they are
done (the browser test of a sidebar click just after typing drives the real case)."""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.runtime.state.safe_session_state import SafeSessionState
from streamlit.testing.v1 import AppTest

from ui import atomic_callbacks

# An autosaving field whose callback sees a page request arrive half-way (as a sidebar click just after
# typing does), then reads session state: a point where Streamlit checks for a waiting request.
SCRIPT = '''
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ui import atomic_callbacks

if WHOLE:
    atomic_callbacks.install()


def autosave():
    ctx = get_script_run_ctx()
    ctx.script_requests.request_rerun(RerunData(query_string="", page_script_hash=ctx.page_script_hash))
    typed = st.session_state["headers"]
    with open(SAVED, "a") as out:
        out.write(typed + "\\n")


st.text_area("Headers", key="headers", on_change=autosave)
'''


def _app(tmp_path: Path, *, whole: bool) -> tuple[AppTest, Path]:
    saved = tmp_path / "saved.txt"
    saved.write_text("")
    script = SCRIPT.replace("WHOLE", repr(whole)).replace("SAVED", repr(str(saved)))
    return AppTest.from_string(script, default_timeout=30), saved


def test_the_install_wraps_streamlits_callbacks_once() -> None:
    assert atomic_callbacks.install() is True  # fails when a Streamlit upgrade moves either method
    wrapped = SafeSessionState.on_script_will_rerun, ScriptRunner._maybe_handle_execution_control_request
    assert atomic_callbacks.install() is True
    assert (SafeSessionState.on_script_will_rerun, ScriptRunner._maybe_handle_execution_control_request) == wrapped


def test_a_page_request_during_the_autosave_waits_until_it_is_saved(tmp_path: Path) -> None:
    at, saved = _app(tmp_path, whole=True)
    at.run()
    at.text_area(key="headers").input("X-Trace: 1").run()
    assert saved.read_text() == "X-Trace: 1\n"  # the callback ran to its end; the waiting rerun ran after it
    assert not at.exception and at.text_area(key="headers").value == "X-Trace: 1"
    assert not atomic_callbacks.in_callbacks()


def test_a_page_request_before_the_values_are_applied_waits_for_them(tmp_path: Path) -> None:
    """The click's request arrives after the value's run began and before it applied the value."""
    at, saved = _app(tmp_path, whole=True)
    at.run()
    original = ScriptRunner._maybe_handle_execution_control_request
    asked: list[bool] = []

    def click_arrives(runner: ScriptRunner) -> None:  # at Streamlit's first check of the value's run
        if not asked and runner._execing:  # the first check once the run began
            asked.append(True)
            runner._requests.request_rerun(RerunData(query_string="", page_script_hash="other page"))
        original(runner)

    ScriptRunner._maybe_handle_execution_control_request = click_arrives  # type: ignore[method-assign,assignment]
    try:
        at.text_area(key="headers").input("X-Trace: 2").run()
    finally:
        ScriptRunner._maybe_handle_execution_control_request = original  # type: ignore[method-assign]
    assert asked and saved.read_text().startswith("X-Trace: 2\n")


def test_the_console_runs_one_request_at_a_time_per_session() -> None:
    """Fast reruns start a second run beside the one in progress on the same session state: a page link
    clicked just after typing then opened while the autosave read the field as it was before."""
    import tomllib

    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["fastReruns"] is False
