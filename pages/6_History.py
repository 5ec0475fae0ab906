"""History: every stored fire, filtered and aggregated in SQL, charted, and inspectable."""

from datetime import UTC, datetime, timedelta

import streamlit as st

from console.service import history
from ui import page_setup, state
from ui.charts import latency_line, outcome_bars
from ui.frame import page_link
from ui.render_fire import render_fire_tabs, render_verdict
from ui.render_history import render_compare, render_history_table, render_refire

PAGE_SIZE = 25
page = page_setup("History")
store = page.store
st.title(":material/history: History")
state.show_notice()

names = history.app_names(store)
f1, f2, f3, f4, f5 = st.columns([3, 2, 2, 2, 3])  # the date range needs room: "2026/11/01 – 2026/12/01"
app_choice = f1.selectbox("App", [None, *names], format_func=lambda i: "all apps" if i is None else names[i],
                          index=1 + list(names).index(page.app.id) if page.app and page.app.id in names else 0)
target = f2.selectbox("Target", [None, *history.TARGET_KINDS], format_func=lambda t: t or "all targets")
outcome = f3.selectbox("Outcome", [None, *history.OUTCOMES], format_func=lambda o: o or "all")
source = f4.selectbox("Source", [None, *history.SOURCES], format_func=lambda s: s or "all sources")
today = datetime.now(UTC).date()
days = f5.date_input("Time range (UTC)", (today - timedelta(days=30), today))
where = history.HistoryFilter(app_ref=app_choice, target_kind=target, outcome=outcome, source=source,
                              first_day=days[0] if len(days) > 0 else None,
                              last_day=days[-1] if len(days) > 1 else None)

number = state.history_page()
view = history.history(store, where, page=number, page_size=PAGE_SIZE)
ok = view.breakdown.get("ok", 0)
m1, m2, m3 = st.columns(3)
m1.metric("Fires", f"{view.total:,}")
m2.metric("Succeeded (200)", f"{ok:,}")
m3.metric("Success rate", f"{ok / view.total:.0%}" if view.total else "—")

if not view.total:
    st.info("**No fires match these filters yet.** What to do first: fire once on the Test fire page (step 3), "
            "or run conformance on the Checklist (step 4); or widen the filters above.", icon=":material/info:")
    page_link(4, "Go to Test fire", page.app, icon=":material/rocket_launch:")
    if not st.query_params.get("fire"):
        st.stop()  # no blank charts, no empty table, no "Fire #" to fill: nothing to look at yet
c1, c2 = st.columns(2)
outcome_bars(c1, view.breakdown, "Outcomes", "fires")
latency_line(c2, view.points, f"Latency over time (latest {len(view.points)})")
if view.pages > 1:
    st.number_input(f"Page (of {view.pages:,})", 1, view.pages, min(number, view.pages), key=state.HISTORY_PAGE)
chosen = render_history_table(view.rows)
if len(chosen) == 2:
    render_compare(store, chosen[0], chosen[1])
elif len(chosen) == 1:
    st.query_params["fire"] = str(chosen[0])  # the address bar follows: the link can be shared

st.subheader("Fire detail", anchor=False)
wanted = st.query_params.get("fire", "")
valid_link = wanted.isascii() and wanted.isdigit() and len(wanted) < 12
if wanted and not valid_link:
    st.warning("The link's fire number is not a fire number (expected digits, e.g. ?fire=12).")
fire_id = st.number_input("Fire #", min_value=0, value=int(wanted) if valid_link else 0, step=1,
                          help="Or click a row above; select two rows to compare them")
if fire_id and str(fire_id) != wanted:
    st.query_params["fire"] = str(fire_id)
fire = history.get_fire(store, int(fire_id)) if fire_id else None
if fire_id and fire is None:
    st.warning(f"There is no fire #{fire_id}.")
elif fire is not None and fire.detail is not None:
    st.text(f"fired by {fire.actor}")  # a person's name: text, never Markdown
    st.text(f"{fire.app_name} · {fire.source} · target {fire.target_kind}"
            + ((f" · rehearsal of the {fire.step.replace(':', ' ', 1)}" if fire.source == "action"
                else f" · conformance step {fire.step}") if fire.step else "") + f"\nFired at {fire.url}")
    if fire.source == "action":  # an action rehearsal: its verdict, re-run and comparison live on the Actions page
        st.text(f"{fire.detail.message}\nRe-run and compare it on the Actions page (Rehearsals tab).")
    else:
        render_verdict(fire)
        render_refire(store, fire)
    render_fire_tabs(fire)
