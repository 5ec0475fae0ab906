"""Endpoint code: an install endpoint generated from this app's own auth.request (Python or Node)."""

import streamlit as st

from console.service.scaffold import ScaffoldError, preview_scaffold
from ui import page_link, page_setup, require_app
from ui.render_scaffold import LANGUAGES, render_scaffold_preview

page = page_setup("Endpoint code")
app = require_app(page)
st.title(":material/code: Endpoint code")
st.caption("A small, tested install endpoint that reads the App Key exactly where this app's auth.request puts "
           "it, stores it encrypted, answers 200 at once with a delivery receipt (so the Checklist can prove "
           "delivery) and calls ManyChat with it. The same project as python -m console scaffold.")

lang = st.segmented_control("Language", list(LANGUAGES), format_func=LANGUAGES.__getitem__, default="python",
                            key="scaffold_lang") or "python"
try:
    scaffold = preview_scaffold(app.manifest, lang, app.name)
except ScaffoldError as exc:
    st.error("This App JSON cannot be turned into an install endpoint yet.", icon=":material/error:")
    st.text(str(exc))
    page_link(2, "Edit the auth section", app, icon=":material/edit:")
    st.stop()
render_scaffold_preview(scaffold, app.name)
