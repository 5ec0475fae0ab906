"""Activity: who changed what and when in this app (fires, scopes, App JSON, runs, sign-offs)."""

import streamlit as st

from console.service import team
from ui import page_link, page_setup, require_app, state
from ui.tables import dataframe

ACTIONS = {"app_created": "app created", "profile_changed": "profile", "scopes_changed": "scopes",
           "app_json_changed": "App JSON", "settings_changed": "settings", "fire": "fire",
           "conformance_run": "conformance run", "signoff": "sign-off", "sandbox_install": "sandbox install",
           "sandbox_uninstall": "sandbox uninstall", "reinstalled": "sandbox reinstall",
           "sandbox_retry": "sandbox retry", "sandbox_rekey": "re-keyed", "sandbox_republish": "republished",
           "sandbox_review_approved": "review approved", "sandbox_review_rejected": "review rejected",
           "sandbox_rules": "sandbox rules", "burst_started": "burst"}

PAGE_SIZE = 100  # entries a page (Newer / Older to move): a rerun reads one page, however long the log
WHO_KEY, PAGE_KEY = "activity_who", "activity_page"

page = page_setup("Activity")
app = require_app(page)
st.title(":material/receipt_long: Activity")
st.caption("Every change to this app and every fire, conformance run and sign-off: when, by whom, and a link "
           "to the evidence. Names are those signed in at the access gate; `cli` for the command line, "
           "`local` when the console has no gate.")

shown = st.multiselect("What", list(ACTIONS), format_func=ACTIONS.__getitem__, placeholder="everything")
who_key = f"{WHO_KEY}_{app.id}"  # each app its own choice: another app's people are not carried over
chosen = [name for name in st.session_state.get(who_key) or [] if isinstance(name, str)]
people = sorted(set(team.activity_actors(page.store, app.id)) | set(chosen))  # a chosen name stays a choice
who = st.multiselect("Who", people, placeholder="everyone (pick, or type a name)", key=who_key,
                     accept_new_options=True,
                     help="The names in the newest entries are listed; type any other name to find its entries")
filters = (app.id, tuple(shown), tuple(who))
if st.session_state.get(PAGE_KEY, (None, 1))[0] != filters:  # new filters: back to the newest entries
    st.session_state[PAGE_KEY] = (filters, 1)
number = st.session_state[PAGE_KEY][1]
found = team.activity_page(page.store, app.id, actions=shown, actors=who, page=number, page_size=PAGE_SIZE)
if not found.entries and number > 1:  # the entries this page showed are gone (deleted): the newest again
    number = 1
    st.session_state[PAGE_KEY] = (filters, number)
    found = team.activity_page(page.store, app.id, actions=shown, actors=who, page=number, page_size=PAGE_SIZE)
rows = found.entries
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
    if number == 1 and not found.has_older:
        st.caption(f"Newest first · {len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")
    else:
        st.caption(f"Newest first · page {number} · entries {(number - 1) * PAGE_SIZE + 1:,}–"
                   f"{(number - 1) * PAGE_SIZE + len(rows):,}" + ("" if found.has_older else " (the oldest)"))
    dataframe([{
        "when (UTC)": r.at.strftime("%Y-%m-%d %H:%M:%S"), "who": r.actor, "what": ACTIONS.get(r.action, r.action),
        "detail": r.summary, "evidence": evidence(r),
    } for r in rows], column_config={
        "evidence": st.column_config.LinkColumn("evidence", display_text=r"(fire=\d+|run=[\w-]+|Checklist)"),
    })


def turn(by: int) -> None:
    st.session_state[PAGE_KEY] = (filters, max(1, number + by))


if number > 1 or found.has_older:
    n1, n2, _ = st.columns([1, 1, 4])
    n1.button("Newer", icon=":material/chevron_left:", disabled=number == 1, on_click=turn, args=(-1,),
              key="activity_newer", width="stretch")
    n2.button("Older", icon=":material/chevron_right:", disabled=not found.has_older, on_click=turn, args=(1,),
              key="activity_older", width="stretch")
c1, c2 = st.columns(2)
with c1:
    page_link(6, "All fires in History", app, icon=":material/history:")
with c2:
    page_link(5, "Sign-offs on the Checklist", app, icon=":material/draw:")
