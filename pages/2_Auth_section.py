"""Step 2: build and validate the App JSON auth section; import and export App JSON."""

import json

import streamlit as st

from console import keys, service
from console.fire.prepare import InvalidRequest, masked_request, render_request, template_values
from console.manifest.document import METHODS, auth_of, dump_manifest, request_of
from console.manifest.validate import validate_manifest
from console.profile import file_slug
from ui import page_setup, require_app, state
from ui.auth_builder import apply_widgets, import_manifest, initial, widget_key
from ui.render_fire import pretty_json, render_issues
from ui.sample_values import render_sample_values
from ui.text import md

page = page_setup("Auth section")
app = require_app(page)
store = page.store
st.title("2 · Auth section")
st.caption("How ManyChat delivers the App Key: the install request it sends to your endpoint right after "
           "installation (server-side, recommended), or manual copy by the installer.")

with st.expander("Import App JSON (upload or paste)"):
    upload = st.file_uploader("App JSON file", type=["json"], key=f"upload_{app.id}")
    pasted = st.text_area("…or paste App JSON", height=120, key=f"paste_{app.id}")
    if st.button("Import", disabled=upload is None and not pasted.strip()):
        error = import_manifest(store, app, upload.getvalue() if upload is not None else pasted)
        if error:
            st.error(f"Not imported (the saved app is unchanged): {md(error)}")
        else:
            st.toast("App JSON imported")
            st.rerun()
render_issues(state.pop_import_warnings())

report = validate_manifest(app.manifest)
form = initial(app)
change = {"on_change": apply_widgets, "args": (store, app.id)}
form_issues = state.auth_issues()
left, right = st.columns(2, gap="large")
with left:
    render_issues(report.at("/auth") if auth_of(app.manifest) is None else
                  [i for i in report.issues if i.pointer in ("", "/auth")])
    delivery = st.radio("Delivery of the App Key", ["server", "manual"], key=widget_key(app, "delivery"),
                        index=["server", "manual"].index(form.delivery), horizontal=True, **change,
                        format_func={"server": "Server-side (install request)", "manual": "Manual copy"}.get)
    if delivery == "server":
        st.text_input("Request URL", value=form.url, key=widget_key(app, "url"), **change,
                      placeholder="https://example.com/manychat/installed")
        render_issues(report.at("/auth/request/url"))
        method = form.method if form.method in METHODS else "POST"
        st.selectbox("Method", METHODS, index=METHODS.index(method), key=widget_key(app, "method"), **change)
        render_issues(report.at("/auth/request/method"))
        st.text_area("Headers (one 'Name: value' per line)", value=form.headers_text, **change,
                     key=widget_key(app, "headers_text"), height=90)
        render_issues(report.at("/auth/request/headers"))
        st.text_area("Payload (JSON)", value=form.payload_text, key=widget_key(app, "payload_text"), **change,
                     height=160)
        render_issues(report.at("/auth/request/payload") + [i for i in report.issues if i.pointer == "/auth/request"])
        st.text_area("Mapping (JSON array)", value=form.mapping_text, key=widget_key(app, "mapping_text"),
                     height=68, **change)
        render_issues(report.at("/auth/request/mapping"))
    st.text_area("Installer params (one 'name: Title' per line)", value=form.params_text, **change,
                 key=widget_key(app, "params_text"), height=68)
    render_issues(report.at("/auth/params"))
    c1, c2 = st.columns(2)
    c1.text_area("Connection headers ('Name: value')", value=form.connection_headers_text, height=68,
                 key=widget_key(app, "connection_headers_text"), **change)
    c2.text_area("Connection query string ('name=value')", value=form.connection_qs_text, height=68,
                 key=widget_key(app, "connection_qs_text"), **change)
    render_issues(report.at("/auth/connection"))
    if form_issues:
        st.error("Not saved until fixed:", icon="✋")
        render_issues(form_issues)

with right:
    auth_tab, app_tab, sent_tab = st.tabs(["Generated auth", "Full App JSON", "Request as it would be sent"])
    with auth_tab:
        st.code(json.dumps(auth_of(app.manifest), indent=2, ensure_ascii=False), language="json")
    with app_tab:
        st.code(dump_manifest(app.manifest), language="json")
    with sent_tab:
        st.caption("Rendered with sample values and a fresh App Key (shown masked).")
        sample_key = state.preview_key(keys.generate_app_key)
        render_sample_values(store, app)
        request = request_of(app.manifest)
        if request is None:
            st.info("Manual delivery: ManyChat shows the key to the installer; nothing is sent.")
        else:
            try:
                values = template_values(sample_key, service.fire_context(app))
                rendered = masked_request(render_request(request, values), sample_key)
                lines = [f"{rendered.method} {rendered.url}"] + [f"{n}: {v}" for n, v in rendered.headers]
                st.code("\n".join(lines) + "\n\n" + pretty_json(rendered.body or ""), language="http")
            except InvalidRequest as exc:
                st.warning(f"Cannot render the request yet: {md(exc)}")
    errors = sum(1 for i in report.issues if i.severity == "error")
    verdict = "valid" if report.valid else f"{errors} error(s)"
    st.markdown(f"**Validation:** {verdict} · {len(report.issues)} finding(s) in all")
    slug = file_slug(app.name)
    st.download_button("Download App JSON", dump_manifest(app.manifest), file_name=f"{slug}.app.json",
                       mime="application/json", icon="⬇️", type="primary" if report.valid else "secondary")
