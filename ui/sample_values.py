"""The sample values the install request is rendered and fired with (shared by steps 2 and 3)."""

from __future__ import annotations

import streamlit as st

from console import service
from console.fire.prepare import sample_value
from console.manifest.document import param_names
from console.service import apps
from console.store import AppRecord, Store
from ui import state
from ui.refusal import attempt
from ui.text import md


def render_sample_values(store: Store, app: AppRecord) -> None:
    """Inputs for each installer param and page_id; a change is saved at once."""
    settings = service.settings_of(app)
    values = dict(settings.param_values)
    for name in param_names(app.manifest):
        label = f"Sample value of {md('[[' + name + ']]')}"
        values[name] = st.text_input(label, value=values.get(name, sample_value(name)), key=f"sample_{app.id}_{name}")
    page_id = st.text_input("Sample page_id", value=settings.page_id, key=f"page_id_{app.id}").strip()
    if values != settings.param_values or page_id != settings.page_id:
        if attempt(apps.save_settings, store, app.id, actor=state.actor(), param_values=values,
                   page_id=page_id) is not None:
            st.rerun()
