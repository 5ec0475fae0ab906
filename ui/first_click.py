"""Keep the first click on a page link made while a text field has the focus.

That click does two things in the browser: it leaves the text field (whose new value Streamlit sends
when the field loses the focus) and it asks for another page. Streamlit 1.67's browser can send the
page request first and the field's value a moment later, aimed at the page the field is on: the
server runs that page again and the click is lost (a second click was needed). The console keeps
the person's intent: a field value that arrives within a moment of a page request, for another page,
is run on the page asked for. Its on_change callback still runs first (Streamlit runs the callbacks
of changed widgets before any page), so what was typed is saved as on any other change.

The other order loses the typing instead: the field's value first, the page request (which carries no
values) a moment later. When the value's rerun has not started yet (the page is still running, the
machine is busy), Streamlit folds the two requests into one and keeps only the newer one's values
(and any button click), so the page opens and what was typed is gone. A page request that arrives
while such a rerun is still waiting therefore carries the waiting values along, and the page opens
with what was typed saved.

This wraps one method of Streamlit's session (``AppSession.request_rerun``) and reads its waiting
rerun; ``install`` says whether it could, and unit tests fail when an upgrade of Streamlit moves either.
"""

from __future__ import annotations

import logging
import time
from typing import Any

LOG = logging.getLogger(__name__)
WINDOW_S = 1.5  # the field's value follows the click within milliseconds; generous for a loaded machine
_MARK = "_console_keeps_first_click"
# A button's click, a chat message, a one-shot JSON event: sent once, never carried along.
_TRIGGERS = frozenset({"trigger_value", "string_trigger_value", "chat_input_value", "json_trigger_value"})


def install() -> bool:
    """Wrap Streamlit's rerun requests once per process; False (and a warning) when Streamlit changed."""
    try:
        from streamlit.runtime.app_session import AppSession
    except ImportError:  # pragma: no cover - Streamlit is a dependency of the pages
        return False
    original = getattr(AppSession, "request_rerun", None)
    if original is None:
        LOG.warning("Streamlit's AppSession.request_rerun is gone: a page link clicked while typing may need a "
                    "second click.")
        return False
    if getattr(original, _MARK, False):
        return True

    def request_rerun(self: Any, client_state: Any) -> None:
        if client_state is not None:
            _follow_the_page_request(self, client_state)
        original(self, client_state)

    setattr(request_rerun, _MARK, True)
    AppSession.request_rerun = request_rerun  # type: ignore[method-assign]
    return True


def _follow_the_page_request(session: Any, client_state: Any) -> None:
    """Remember a page request; aim a field's value that follows it for another page at the page asked for."""
    if client_state.fragment_id:
        return
    now = time.monotonic()
    if not len(client_state.widget_states.widgets):  # a page request (a link or the sidebar) sends no values
        if client_state.page_script_hash:
            session._console_page_request = (now, client_state.page_script_hash, client_state.page_name,
                                             client_state.query_string)
            for value in waiting_values(session):
                client_state.widget_states.widgets.add().CopyFrom(value)
        return
    asked = getattr(session, "_console_page_request", None)
    if asked is None or now - asked[0] > WINDOW_S:
        return
    session._console_page_request = None
    if client_state.page_script_hash and client_state.page_script_hash != asked[1]:
        client_state.page_script_hash, client_state.page_name, client_state.query_string = asked[1:]



def waiting_values(session: Any) -> list[Any]:
    """The field values of the rerun this session has asked for and Streamlit has not started yet
    (buttons' clicks left out: Streamlit keeps those itself); none when nothing is waiting."""
    requests = getattr(getattr(session, "_scriptrunner", None), "_requests", None)
    lock = getattr(requests, "_lock", None)
    if requests is None or lock is None:
        return []
    from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

    with lock:
        if getattr(requests, "_state", None) != ScriptRequestType.RERUN:
            return []
        states = getattr(getattr(requests, "_rerun_data", None), "widget_states", None)
        if states is None:
            return []
        values = []
        for widget in states.widgets:
            if widget.WhichOneof("value") not in _TRIGGERS:
                value = type(widget)()
                value.CopyFrom(widget)
                values.append(value)
        return values
