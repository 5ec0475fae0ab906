"""The access gate: every page calls guard() (through page_setup) before it shows or does anything.

With CONSOLE_ACCESS_TOKEN set or people invited, a browser session must sign in with a token;
the session's identity is checked against the database on every run, so signing out or a revoke
in one console process ends the session in all of them.
"""

from __future__ import annotations

import streamlit as st

from console import service
from console.config import listen_notice, listen_problem
from console.service import team
from console.store import Store
from ui import oidc, state

GATE_WIDGETS = "gate_"  # in the keys of the sign-in form's widgets (gate_token, gate_name, gate_sign_in)


def _client() -> str:
    """Who a wrong token counts against (see console.team.client_key)."""
    try:
        # Streamlit keeps repeated header lines apart: every X-Forwarded-For line counts, in order.
        lines = [v for v in st.context.headers.get_all("X-Forwarded-For") if isinstance(v, str)]
        headers = {"X-Forwarded-For": ", ".join(line for line in lines if line.strip())}
        ip_address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (e.g. a test runner): count against localhost
        headers, ip_address = {}, None
    return team.gate_client(headers, ip_address if isinstance(ip_address, str) else None)


def _listen_address() -> str | None:
    """The address this Streamlit server listens on (``server.address``; None: every interface)."""
    value = st.get_option("server.address")
    return value if isinstance(value, str) else None


def _sign_in_form(store: Store) -> None:
    st.title(":material/lock: App Key Console")
    st.write("This console is shared by a team. Sign in with your personal token, or with the team's "
             "shared token and your name.")
    oidc.login_button()
    with st.form("gate_sign_in"):
        token = st.text_input("Access token", type="password", key="gate_token")
        name = st.text_input("Your name (only with the team's shared token)", max_chars=40, key="gate_name")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            signed = team.sign_in(store, token, name, _client())
        except service.ServiceError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            state.hold_team_session(signed.session_token)
            state.set_actor(signed.actor)
            st.rerun()


def write_allowed(store: Store) -> bool:
    """For a widget callback, before it stores anything: is this browser session still signed in?

    Callbacks run before the page script (and so before guard()): the actor remembered from the last
    run may have been revoked or signed out since, in any console process. Checked against the
    database here; when the session ended (or never began: an event from a page opened before a
    restart), the event is dropped and the page says so."""
    if not team.gate_enabled(store):
        return True
    session = state.team_session()
    actor = team.session_actor(store, session) if session else None
    if actor is None:
        state.forget_team_session()
        state.mark_session_ended()
        return False
    state.set_actor(actor)
    return True


def guard(store: Store) -> None:
    """Stop the page unless the console may start and this browser session may see it."""
    problem = team.gate_problem(store)
    gate_on = team.gate_enabled(store)
    address = _listen_address()
    problem = problem or listen_problem(address, gate_on)
    if problem:
        st.error("The console refuses to start: " + problem, icon=":material/error:")
        st.stop()
    notice = listen_notice(address, gate_on)
    if notice:
        st.sidebar.caption(notice)
    if not gate_on:
        state.set_actor(None)
        return
    session = state.team_session()
    actor = team.session_actor(store, session) if session else None
    if actor is None and not session:
        actor = oidc.resume(store, _client())  # signed in through the identity provider
        session = state.team_session()
    if actor is None:
        ended = state.take_session_ended() or bool(session)
        # Nothing of a signed-out session survives into the next sign-in: no held key, no widget event
        # (a click on a page left open across a restart is dropped, not replayed for whoever signs in).
        state.forget_all_but_gate(GATE_WIDGETS)
        if ended:
            st.warning("Your session ended (signed out or your token was revoked): sign in again.")
        _sign_in_form(store)
        st.stop()
    state.set_actor(actor)
    with st.sidebar:
        st.caption("Signed in as")
        st.text(actor)
        if st.button("Sign out", icon=":material/logout:", key="gate_sign_out"):
            team.sign_out(store, session)
            state.forget_team_session()
            oidc.logout()
            st.rerun()
