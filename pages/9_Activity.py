"""Activity: who changed what and when in this app (fires, scopes, App JSON, runs, sign-offs)."""

import streamlit as st

from console.service import team
from ui import page_link, page_setup, require_app, state
from ui.tables import arrow_table

ACTIONS = {"app_created": "app created", "profile_changed": "profile", "scopes_changed": "scopes",
           "app_json_changed": "App JSON", "settings_changed": "settings", "fire": "fire",
           "conformance_run": "conformance run", "signoff": "sign-off", "sandbox_install": "sandbox install",
           "sandbox_uninstall": "sandbox uninstall", "reinstalled": "sandbox reinstall",
           "sandbox_retry": "sandbox retry", "sandbox_rekey": "re-keyed", "sandbox_republish": "republished",
           "sandbox_review_approved": "review approved", "sandbox_review_rejected": "review rejected",
           "sandbox_rules": "sandbox rules", "burst_started": "burst"}

page = page_setup("Activity")
app = require_app(page)
st.title(":material/receipt_long: Activity")
st.caption("Every change to this app and every fire, conformance run and sign-off: when, by whom, and a link "
           "to the evidence. Names are those signed in at the access gate; `cli` for the command line, "
           "`local` when the console has no gate.")

rows = team.activity_for_app(page.store, app.id, limit=500)
shown = st.multiselect("What", list(ACTIONS), format_func=ACTIONS.__getitem__, placeholder="everything")
people = sorted({r.actor for r in rows})
who = st.multiselect("Who", people, placeholder="everyone")
rows = [r for r in rows if (not shown or r.action in shown) and (not who or r.actor in who)]
links = state.app_link_params(app.id)


def evidence(record: object) -> str:
    """A link to what proves the row (its fire, burst run or the sign-offs); empty when there is none."""
    fire_id = getattr(record, "fire_id", None)
    if fire_id:
        return f"History?fire={fire_id}&app={links['app']}"
    if getattr(record, "run_id", None):
        return f"Burst?run={getattr(record, 'run_id', '')}&app={links['app']}"
    if getattr(record, "signoff_id", None):
        return f"Checklist?app={links['app']}"
    return ""


if not rows:
    st.info("Nothing recorded yet (or nothing matches the filters).")
else:
    st.dataframe(arrow_table([{
        "when (UTC)": r.at.strftime("%Y-%m-%d %H:%M:%S"), "who": r.actor, "what": ACTIONS.get(r.action, r.action),
        "detail": r.summary, "evidence": evidence(r),
    } for r in rows]), hide_index=True, width="stretch", column_config={
        "evidence": st.column_config.LinkColumn("evidence", display_text=r"(fire=\d+|run=[\w-]+|Checklist)"),
    })
c1, c2 = st.columns(2)
with c1:
    page_link(6, "All fires in History", app, icon=":material/history:")
with c2:
    page_link(5, "Sign-offs on the Checklist", app, icon=":material/draw:")
