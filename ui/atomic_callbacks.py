"""The values a run starts with are applied and their callbacks run to the end before a newer request.

Streamlit 1.67 checks for a waiting rerun or stop at every ``st.session_state`` access and every
element a script sends; that includes the moment a run applies the widget values it was started
with and the on_change and on_click callbacks it then runs, before the page. A page link clicked
just after typing (the field's value, then the page request a moment later) can so stop a run
before it applied the typed value, or stop the field's autosave half-way: the page opens, the save
never happened, and what was typed is lost without a word. The console's callbacks are short and
bounded; each is one user action (a save, a fire) that must happen whole or not at all. So, while
Streamlit applies the values and runs the callbacks, its check for a waiting request stands aside,
and the check it makes right after them serves the request: the page asked for opens, with the save
done.

This wraps two methods of Streamlit (``SafeSessionState.on_script_will_rerun`` and
``ScriptRunner._maybe_handle_execution_control_request``); ``install`` says whether it could, and a
unit test fails when an upgrade of Streamlit moves either.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

LOG = logging.getLogger(__name__)
_MARK = "_console_whole_callbacks"
_running = threading.local()  # callbacks run in the session's script thread


def in_callbacks() -> bool:
    return bool(getattr(_running, "depth", 0))


def install() -> bool:
    """Wrap both methods once per process; False (and a warning) when Streamlit changed."""
    try:
        from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
        from streamlit.runtime.state.safe_session_state import SafeSessionState
    except ImportError:  # pragma: no cover - Streamlit is a dependency of the pages
        return False
    call_callbacks = getattr(SafeSessionState, "on_script_will_rerun", None)
    check = getattr(ScriptRunner, "_maybe_handle_execution_control_request", None)
    if call_callbacks is None or check is None:
        LOG.warning("Streamlit moved its callback runner: a page link clicked just after typing may lose the "
                    "typing.")
        return False
    if getattr(call_callbacks, _MARK, False):
        return True

    def whole_callbacks(self: Any, *args: Any, **kwargs: Any) -> Any:
        depth = getattr(_running, "depth", 0)
        _running.depth = depth + 1
        try:
            return call_callbacks(self, *args, **kwargs)
        finally:
            _running.depth = depth

    def check_after_callbacks(self: Any) -> None:
        if in_callbacks():  # the request waits for the check Streamlit makes right after the callbacks
            return
        check(self)

    setattr(whole_callbacks, _MARK, True)
    setattr(check_after_callbacks, _MARK, True)
    SafeSessionState.on_script_will_rerun = whole_callbacks  # type: ignore[method-assign]
    ScriptRunner._maybe_handle_execution_control_request = check_after_callbacks  # type: ignore[method-assign]
    return True
