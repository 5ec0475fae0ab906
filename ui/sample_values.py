"""The sample values the install request is rendered and fired with (shared by steps 2 and 3)."""

from __future__ import annotations

import streamlit as st

from console import service
from console.fire.prepare import sample_value
from console.manifest.document import param_names
from console.service import apps
from console.service.merge import StaleSave
from console.store import AppRecord, Store
from ui import stale, state
from ui.text import md

FORM = "sample_values"


def render_sample_values(store: Store, app: AppRecord) -> None:
    """Inputs for each installer param and page_id; a change is saved at once."""
    settings = service.settings_of(app)
    values = dict(settings.param_values)
    generation = state.form_generation(f"sample_values_{app.id}")  # a new one redraws the fields from the app
    based_on = stale.opened(FORM, app)  # the revision these fields were filled from
    stale.render(FORM, app, lambda: _redraw(app))
    for name in param_names(app.manifest):
        label = f"Sample value of {md('[[' + name + ']]')}"
        values[name] = st.text_input(label, value=values.get(name, sample_value(name)),
                                     key=f"sample_{app.id}_{name}_{generation}")
    page_id = st.text_input("Sample page_id", value=settings.page_id, key=f"page_id_{app.id}_{generation}").strip()
    if values == settings.param_values and page_id == settings.page_id:
        stale.saved(FORM, app)  # the fields show the app as it is
        return
    if state.widget_value(f"stale_{FORM}_{app.id}") is not None:
        return  # a refusal waits for the person's choice
    try:
        after = apps.save_settings(store, app.id, actor=state.actor(), param_values=values, page_id=page_id,
                                   based_on=based_on)
    except StaleSave as exc:  # another session changed the same value since: the choice is shown
        stale.refuse(FORM, app.id, exc, lambda chosen, revision: apps.save_settings(
            store, app.id, actor=state.actor(), based_on=revision, param_values=chosen.get("param_values", {}),
            page_id=chosen.get("page_id", page_id)))
        st.rerun()
    except service.ServiceError as exc:
        st.error(str(exc), icon=":material/block:")  # refused (a role) or out of range: nothing was saved
        return
    saved = service.settings_of(after)
    if (saved.param_values, saved.page_id) != (values, page_id):  # others' changes merged in: show them
        _redraw(app)
    else:
        stale.saved(FORM, after)
    st.rerun()


def _redraw(app: AppRecord) -> None:
    state.next_form_generation(f"sample_values_{app.id}")
    stale.forget(FORM, app.id)
