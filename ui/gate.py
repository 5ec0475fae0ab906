"""The access gate: every page calls guard() (through page_setup) before it shows or does anything.

With CONSOLE_ACCESS_TOKEN set or people invited, a browser session must sign in with a token;
the session's identity is checked against the database on every run, so signing out or a revoke
in one console process ends the session in all of them.
"""

from __future__ import annotations

import streamlit as st

from console import service
from console.service import team
from console.store import Store
from ui import oidc, state


def _client() -> str:
    """Who a wrong token counts against (see console.team.client_key)."""
    try:
        headers = {str(k): v for k, v in st.context.headers.items() if isinstance(v, str)}
        ip_address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (e.g. a test runner): count against localhost
        headers, ip_address = {}, None
    return team.gate_client(headers, ip_address if isinstance(ip_address, str) else None)


def _sign_in_form(store: Store) -> None:
    st.title("🔒 App Key Console")
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
            st.error(str(exc), icon="⛔")
        else:
            state.hold_team_session(signed.session_token)
            state.set_actor(signed.actor)
            st.rerun()


def guard(store: Store) -> None:
    """Stop the page unless the console may start and this browser session may see it."""
    problem = team.gate_problem(store)
    if problem:
        st.error("The console refuses to start: " + problem, icon="⛔")
        st.stop()
    if not team.gate_enabled(store):
        state.set_actor(None)
        return
    session = state.team_session()
    actor = team.session_actor(store, session) if session else None
    if actor is None and not session:
        actor = oidc.resume(store, _client())  # signed in through the identity provider
        session = state.team_session()
    if actor is None:
        if session:
            st.warning("Your session ended (signed out or your token was revoked): sign in again.")
        state.forget_team_session()
        _sign_in_form(store)
        st.stop()
    state.set_actor(actor)
    with st.sidebar:
        st.caption("Signed in as")
        st.text(actor)
        if st.button("Sign out", icon="🚪", key="gate_sign_out"):
            team.sign_out(store, session)
            state.forget_team_session()
            oidc.logout()
            st.rerun()
