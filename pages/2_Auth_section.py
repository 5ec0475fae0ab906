"""Step 2: build the App JSON auth section, see findings for the whole document; import, versions, undo."""

import json
from typing import Any

import streamlit as st

from console import keys
from console.manifest.document import METHODS
from console.service import auth_section, versions
from ui import page_setup, require_app, stale, state
from ui.auth_builder import FORM, apply_widgets, initial, reload_form, unsaved_problems, widget_key
from ui.findings_view import render_findings, render_outline, render_unsaved
from ui.sample_values import render_sample_values
from ui.text import md
from ui.versions_view import render_import, render_undo, render_versions

page = page_setup("Auth section")
app = require_app(page)
store = page.store
st.title("2 · Auth section")
st.caption("How ManyChat delivers the App Key: the install request it sends to your endpoint right after "
           "installation (server-side, recommended), or manual copy by the installer.")
stale.opened(FORM, app)  # the revision the fields below are filled from: each save is based on it
stale.render(FORM, app, lambda: reload_form(app))
render_undo(store, app)
render_import(store, app)
render_versions(store, app)

form = initial(app)
view = auth_section.auth_view(app, server_side=form.delivery == "server")
outline = view.outline
at = outline.fields.get
change: dict[str, Any] = {"on_change": apply_widgets, "args": (store, app.id)}
unsaved = unsaved_problems(app)  # shown next to the field they concern, only while it holds the text
left, right = st.columns(2, gap="large")
with left:
    render_findings(outline.section("auth").issues)
    delivery = st.radio("Delivery of the App Key", ["server", "manual"], key=widget_key(app, "delivery"),
                        index=["server", "manual"].index(form.delivery), horizontal=True, **change,
                        format_func={"server": "Server-side (install request)", "manual": "Manual copy"}.get)
    if delivery == "server":
        st.text_input("Request URL", value=form.url, key=widget_key(app, "url"), **change,
                      placeholder="https://example.com/manychat/installed")
        render_findings(at("/auth/request/url", ()))
        method = form.method if form.method in METHODS else "POST"
        st.selectbox("Method", METHODS, index=METHODS.index(method), key=widget_key(app, "method"), **change)
        render_findings(at("/auth/request/method", ()))
        st.text_area("Headers (one 'Name: value' per line)", value=form.headers_text, **change,
                     key=widget_key(app, "headers_text"), height=90)
        render_findings(at("/auth/request/headers", ()))
        st.text_area("Payload (JSON)", value=form.payload_text, key=widget_key(app, "payload_text"), **change,
                     height=160)
        render_unsaved(unsaved, "/auth/request/payload")
        render_findings(at("/auth/request/payload", ()) + at("/auth/request", ()))
        st.text_area("Mapping (JSON array)", value=form.mapping_text, key=widget_key(app, "mapping_text"),
                     height=68, **change)
        render_unsaved(unsaved, "/auth/request/mapping")
        render_findings(at("/auth/request/mapping", ()))
    elif (held := versions.held_request(store, app.id)) is not None:
        st.info("The install request is kept while Manual is selected; switch back to Server-side to bring it "
                "back as it was.", icon=":material/push_pin:")
        st.code(json.dumps(held, indent=2, ensure_ascii=False), language="json")
    st.text_area("Installer params (one 'name: Title' per line)", value=form.params_text, **change,
                 key=widget_key(app, "params_text"), height=68)
    render_unsaved(unsaved, "/auth/params")
    render_findings(at("/auth/params", ()))
    c1, c2 = st.columns(2)
    c1.text_area("Connection headers ('Name: value')", value=form.connection_headers_text, height=68,
                 key=widget_key(app, "connection_headers_text"), **change)
    c2.text_area("Connection query string ('name=value')", value=form.connection_qs_text, height=68,
                 key=widget_key(app, "connection_qs_text"), **change)
    render_unsaved(unsaved, "/auth/connection")
    render_findings(at("/auth/connection", ()))

with right:
    auth_tab, app_tab, sent_tab = st.tabs(["Generated auth", "Full App JSON", "Request as it would be sent"])
    with auth_tab:
        st.code(view.auth_json, language="json", wrap_lines=True)
    with app_tab:
        st.code(view.app_json, language="json", wrap_lines=True)
    with sent_tab:
        st.caption("Rendered with sample values and a fresh App Key (shown masked).")
        sample_key = state.preview_key(keys.generate_app_key)
        render_sample_values(store, app)
        sent = auth_section.request_as_sent(app, sample_key)
        if sent.manual:
            st.info("Manual delivery: ManyChat shows the key to the installer; nothing is sent.")
        elif sent.text is not None:
            st.code(sent.text, language="http", wrap_lines=True)
        else:
            st.warning(f"Cannot render the request yet: {md(sent.problem)}")
    verdict = "valid" if view.report.valid else f"{view.errors} error(s)"
    st.markdown(f"**Validation of the whole App JSON:** {verdict} · {outline.shown} finding(s) in all, each shown "
                "next to its field or in the outline below")
    st.download_button("Download App JSON", view.app_json, file_name=view.file_name, mime="application/json",
                       icon=":material/download:", type="primary" if view.report.valid else "secondary")

st.subheader("The whole App JSON: actions, triggers, sources")
st.caption("Findings for every part of the document, each with its item. Scopes are cross-checked with page 1.")
render_outline(store, app, outline)
