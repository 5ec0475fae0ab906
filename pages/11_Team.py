"""Team: members and their roles per app, the shared token, separation of duties, the webhook and its
deliveries, and the audit log (filters, pages without a cap, CSV/JSON export). Changes are for admins."""

import streamlit as st

from console import audit, roles, service
from console.service import apps as apps_service
from console.service import conversation, review, team
from ui import page_setup, state
from ui.tables import dataframe

page = page_setup("Team")
store, actor = page.store, state.actor()
st.title("Team")
is_admin = review.role_of(store, actor, None) == "admin"
st.caption("Members sign in with the company's identity provider or a personal token. Roles: viewer (reads "
           "everything, fires nothing), editor (changes the app, fires), reviewer (fires, signs off, requests "
           "changes), admin (people, roles, settings). A console without an access gate makes everyone an admin.")
if not is_admin:
    st.info("Only an admin changes members, roles and settings; you can read them.", icon=":material/visibility:")


def act(fn, *args, **kwargs) -> None:  # noqa: ANN001 - any review write
    try:
        fn(*args, actor=actor, **kwargs)
    except service.ServiceError as exc:
        st.session_state["team_error"] = str(exc)
    else:
        st.session_state.pop("team_error", None)


if st.session_state.get("team_error"):
    st.error(st.session_state["team_error"], icon=":material/block:")

# ---------------------------------------------------------------- members and roles
st.subheader("Members and roles")
members = review.members(store)
apps = {a.id: a.name for a in apps_service.list_apps(store)}
dataframe([{"name": m.name, "active": m.active, "signs in with": m.email or "personal token",
            "role (every app)": m.console_role,
            "per app": ", ".join(f"#{a} {apps.get(a, '(deleted)')}: {r}" for a, r in m.app_roles)}
           for m in members])
active = [m.name for m in members if m.active]
if is_admin and active:
    with st.form("team_role"):
        c1, c2, c3 = st.columns(3)
        who = c1.selectbox("Member", active, key="team_role_who")
        app_choice = c2.selectbox("App", [0, *apps], format_func=lambda ref: "every app" if ref == 0 else
                             f"#{ref} {apps[ref]}", key="team_role_app")
        role = c3.selectbox("Role", [*roles.ROLES, "none"], key="team_role_role")
        if st.form_submit_button("Give role", icon=":material/manage_accounts:"):
            act(review.set_role, store, who, "all" if app_choice == 0 else app_choice, role)
            st.rerun()
if is_admin:
    c1, c2 = st.columns(2)
    with c1.form("team_invite", clear_on_submit=True):
        name = st.text_input("Invite by name (a personal token)", max_chars=40)
        if st.form_submit_button("Invite", icon=":material/person_add:"):
            try:
                token = team.invite_person(store, name, actor=actor)
            except service.ServiceError as exc:
                st.error(str(exc), icon=":material/block:")
            else:
                st.success("Personal token, shown only now (the console keeps its hash):", icon=":material/key:")
                st.code(token, language=None)
    with c2.form("team_revoke"):
        gone = st.selectbox("Revoke", active, key="team_revoke_who")
        if st.form_submit_button("Revoke", icon=":material/person_remove:"):
            act(team.revoke_person, store, gone)
            st.rerun()

# ---------------------------------------------------------------- settings and the webhook
st.subheader("Settings")
settings = review.team_settings(store)
c1, c2, c3 = st.columns(3)
shared = c1.toggle("Shared token signs people in", value=settings.shared_token_on, disabled=not is_admin)
duties = c2.toggle("Separation of duties", value=settings.separation_of_duties, disabled=not is_admin,
                   help="Nobody signs off an App JSON holding their own changes since the last sign-off")
default = c3.selectbox("Role of new members", roles.ROLES, index=roles.ROLES.index(settings.default_role),
                       disabled=not is_admin)
if is_admin and shared != settings.shared_token_on:
    act(review.set_shared_token, store, shared)
    st.rerun()
if is_admin and duties != settings.separation_of_duties:
    act(review.set_team_setting, store, "separation_of_duties", duties)
    st.rerun()
if is_admin and default != settings.default_role:
    act(review.set_team_setting, store, "default_role", default)
    st.rerun()

st.subheader("Webhook")
st.text(f"Sends to: {settings.webhook_destination or 'nowhere yet'} ({settings.webhook_format})")
if is_admin:
    with st.form("team_webhook", clear_on_submit=True):
        url = st.text_input("Webhook URL (empty removes it)", type="password",
                            help="A Slack incoming webhook or any URL taking a JSON POST")
        fmt = st.radio("Body", ["slack", "json"], horizontal=True,
                       format_func={"slack": 'Slack: {"text": …}', "json": "JSON event"}.__getitem__)
        if st.form_submit_button("Save webhook", icon=":material/webhook:"):
            act(review.set_webhook, store, url, fmt)
            st.rerun()
deliveries = review.webhook_deliveries(store)
if deliveries:
    dataframe([{"when (UTC)": d.at.strftime("%Y-%m-%d %H:%M:%S"), "event": d.event, "to": d.destination,
                "outcome": d.outcome, "attempts": d.attempts, "HTTP": d.http_status, "error": d.error}
               for d in deliveries])

# ---------------------------------------------------------------- the audit log
st.subheader("Audit log")
f1, f2, f3, f4 = st.columns(4)
since = f1.text_input("Since", placeholder="7d, 12h, 2026-11-30", key="audit_since")
who_filter = f2.text_input("Who", key="audit_who")
kinds = f3.multiselect("What", audit.KINDS, placeholder="everything", key="audit_kinds")
text = f4.text_input("Text", key="audit_text")
try:
    where = conversation.audit_filter(since=since or None, actor=who_filter.strip() or None,
                                      actions=tuple(kinds), text=text or None)
except service.ServiceError as exc:
    st.error(str(exc), icon=":material/block:")
    st.stop()
pages: list[int | None] = st.session_state.setdefault("audit_pages", [None])
if st.session_state.get("audit_where") != where:
    st.session_state["audit_where"], pages[:] = where, [None]
shown = conversation.audit_page(store, where, pages[-1], 50, actor=actor)
st.caption(f"{shown.total} entr{'y' if shown.total == 1 else 'ies'} · page {len(pages)}")
dataframe([{"when (UTC)": e.at.strftime("%Y-%m-%d %H:%M:%S"), "who": e.actor, "what": e.action,
            "app": e.app_name, "summary": e.summary, "detail": "" if e.detail is None else str(e.detail)[:500]}
           for e in shown.entries])
p1, p2, p3, p4 = st.columns(4)
if p1.button("Newer", icon=":material/chevron_left:", disabled=len(pages) == 1):
    pages.pop()
    st.rerun()
if p2.button("Older", icon=":material/chevron_right:", disabled=shown.next_before is None):
    pages.append(shown.next_before)
    st.rerun()
p3.download_button("Export CSV", lambda: "".join(conversation.audit_export(store, where, "csv", actor=actor)),
                   "audit.csv", "text/csv", icon=":material/download:", key="audit_csv")
p4.download_button("Export JSON", lambda: "".join(conversation.audit_export(store, where, "json",
                                                                                    actor=actor)),
                   "audit.json", "application/json", icon=":material/download:", key="audit_json")
