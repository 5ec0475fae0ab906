"""Sign-in through the company's identity provider with Streamlit's own st.login / st.user
(configured in .streamlit/secrets.toml, [auth]). The provider vouches for the person's e-mail and
name; the console turns that into a session like a token's, so a revoke ends it in every process."""

from __future__ import annotations

import streamlit as st

from console import service
from console.identity import oidc_configured
from console.service import conversation
from console.store import Store
from ui import state


def configured() -> bool:
    return oidc_configured()


def _logged_in() -> bool:
    try:
        return bool(st.user.get("is_logged_in"))
    except Exception:  # noqa: BLE001 - no [auth] section: Streamlit refuses st.user access
        return False


def resume(store: Store, client: str) -> str | None:
    """The actor of a person the identity provider signed in (a console session started for them), or None."""
    if not configured() or not _logged_in():
        return None
    email = str(st.user.get("email") or "")
    name = str(st.user.get("name") or st.user.get("preferred_username") or "")
    verified = st.user.get("email_verified")
    try:
        signed = conversation.oidc_sign_in(store, email, name, client, verified=verified is not False)
    except service.ServiceError as exc:
        st.error(str(exc), icon=":material/block:")
        st.button("Sign out of the identity provider", on_click=st.logout, key="oidc_refused_logout")
        st.stop()
    state.hold_team_session(signed.session_token)
    return str(signed.actor)


def login_button() -> None:
    """Offer the identity provider on the sign-in form (when it is configured)."""
    if configured():
        st.button("Sign in with your company account", icon=":material/badge:", type="primary",
                  on_click=st.login, key="oidc_login")
        st.caption("Or use a token:")


def logout() -> None:
    """End the identity provider's cookie too (after the console's session ended)."""
    if configured() and _logged_in():
        st.logout()
