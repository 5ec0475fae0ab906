"""Step 5: conformance runs, the readiness checklist and the report for an App Store listing."""

import streamlit as st

from console import service
from console.service import apps, conversation, evidence, firing, readiness, review
from console.service.merge import StaleSave
from ui import page_setup, require_app, stale, state
from ui.frame import page_url
from ui.render_fire import render_checklist
from ui.render_signoff import render_signoff
from ui.resources import address_policy, sample_endpoint
from ui.review_view import render_item_comments, render_since_signoff
from ui.text import md

page = page_setup("Checklist")
app = require_app(page)
store = page.store
settings = service.settings_of(app)
st.title("5 · Checklist")
st.caption("Is the app ready for an App Store listing? Every item is decided by evidence: a finding in the "
           "App JSON or a stored fire.")

targets = {"endpoint": "My endpoint (auth.request.url)", "sample": "Built-in sample endpoint (rehearsal)"}
c1, c2 = st.columns([3, 2])
target = c1.radio("Checked target", list(targets), format_func=targets.__getitem__, horizontal=True,
                  index=list(targets).index(settings.checklist_kind),
                  key=f"checklist_target_{app.id}_{state.form_generation('checklist')}")
chosen = state.listing_mode()  # this person's mode (the URL's ?listing=), not the app's: a colleague's stays theirs
shown_mode = settings.for_listing if chosen is None else chosen
for_listing = c2.toggle("For an App Store listing", value=shown_mode, key=f"for_listing_{app.id}",
                        help="Your view (this tab and its link): makes https, server-side delivery and a 200 "
                             "from your endpoint required. Home follows it; others keep their own.")
if for_listing != shown_mode or chosen is None:
    state.choose_listing_mode(for_listing)
stale.render("checklist", app, lambda: state.next_form_generation("checklist"))  # theirs: the radio redrawn
if (target != settings.checklist_kind and state.widget_value(f"stale_checklist_{app.id}") is None
        and review.role_of(store, state.actor(), app.id) in ("editor", "admin")):  # a viewer's choice is not stored
    try:  # based on the target this radio was drawn with: another's change since is not undone
        app = apps.save_settings(store, app.id, actor=state.actor(), checklist_target=target,
                                 based_on=stale.opened("checklist", app))
        stale.saved("checklist", app)
    except StaleSave as exc:
        stale.refuse("checklist", app.id, exc, lambda chosen, revision: apps.save_settings(
            store, app.id, actor=state.actor(), based_on=revision, checklist_target=chosen["checklist_target"]))
        st.rerun()

sample = sample_endpoint()
url = service.fired_url(app, sample.base_url, target) or "(no URL yet: set it in step 2)"
if st.button("Run conformance", icon=":material/science:", type="primary",
             help=f"Fires up to {firing.MAX_CONFORMANCE_FIRES} install requests at the target, then rehearses "
                  "every action and rpc source there; each one is stored"):
    bar = st.progress(0.0, text=f"Firing at {md(url)} …")

    def advance(item, index):  # noqa: ANN001 - a progress callback
        bar.progress(min(index / firing.MAX_CONFORMANCE_FIRES, 1.0),
                     text=f"{item.step}: fire {index} → {item.result.category.value}")

    def rehearsed(run):  # noqa: ANN001 - a progress callback
        bar.progress(1.0, text=f"Rehearsed the {run.rehearsal.kind} {md(run.rehearsal.name)}: "
                               f"{run.rehearsal.result.category.value}")

    try:
        evidence.gather_evidence(store, app.id, sample.base_url, address_policy(), target, on_fire=advance,
                                 on_rehearsal=rehearsed, actor=state.actor())
        bar.progress(1.0, text="Conformance runs and rehearsals done")
    except service.ServiceError as exc:
        st.error(md(str(exc)), icon=":material/error:")

check = readiness.readiness(store, app, target, for_listing)  # as chosen above: a reviewer's choice is not stored
items = check.items
if check.verdict.ready:
    st.success(f"**{readiness.verdict_words(True, for_listing)}:** every required item passes.",
               icon=":material/check_circle:")
else:
    st.error(f"**{readiness.verdict_words(False, for_listing)}:** {md(check.verdict.summary)}.",
             icon=":material/error:")
if check.stale.any:  # evidence belongs to the App JSON and URL it was gathered at
    renew = ", ".join(item.title for item in check.needs_new)
    st.warning(md(check.stale.message + (f" Needs new evidence: {renew}." if renew else "")), icon=":material/update:")

signoffs = readiness.signoffs_for_app(store, app)
files = readiness.report_files(store, app, check, f"{targets[target]}: {url}", for_listing, signoffs,
                               times=state.report_times(app.id))  # one report, one "Generated" time
md_name, html_name, json_name = files.names()
d1, d2, d3 = st.columns(3)
DOWNLOAD = ":material/download:"
d1.download_button("Report (Markdown)", files.markdown, md_name, "text/markdown", icon=DOWNLOAD, width="stretch")
d2.download_button("Report (HTML)", files.html, html_name, "text/html", icon=DOWNLOAD, width="stretch")
d3.download_button("Report (JSON)", files.json, json_name, "application/json", icon=DOWNLOAD, width="stretch")

render_since_signoff(store, app)
render_checklist(items, lambda fire_id: page_url(6, app, fire=fire_id))
with st.expander("How readiness is decided", icon=":material/rule:"):
    st.markdown("Whether an item is required depends on the mode alone (building, or for an App Store listing). "
                "A required item that fails, has not run or is not provable is never ready. Evidence counts only "
                "for the App JSON and URL it was gathered at.\n\n" + readiness.model_table())
st.subheader("Comments per item")
every_thread = conversation.threads(store, app.id)  # one read for every item's comments
for item in items:
    render_item_comments(store, app, item.id, item.title, every_thread)

render_signoff(store, app, target, for_listing, signoffs)
