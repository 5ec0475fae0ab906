"""The built-in sample endpoint's inspector: the last requests it received, as received (keys masked)."""

from __future__ import annotations

import streamlit as st

from console.sandbox.sample_endpoint import SampleEndpoint
from ui.render_fire import pretty_json


def render_inspector(endpoint: SampleEndpoint) -> None:
    entries = endpoint.inspected()
    with st.expander(f"Sample endpoint inspector: the last {len(entries)} request(s) it received",
                     icon=":material/search:"):
        if not entries:
            st.caption("Nothing received yet: fire at the built-in sample endpoint.")
            return
        labels = [f"{e['received_at']} UTC · {e['method']} {e['target']}" for e in entries]
        newest = f"{entries[0]['received_at']}_{len(entries)}"  # a new request shows first, even if another was picked
        index = st.selectbox("Request", range(len(entries)), format_func=labels.__getitem__,
                             key=f"inspect_pick_{newest}")
        entry = entries[index]
        st.code(f"{entry['method']} {entry['target']} HTTP/1.1\n"
                + "\n".join(f"{name}: {value}" for name, value in entry["headers"]), language="http", wrap_lines=True)
        st.code(pretty_json(entry["body"]) or "(empty body)", language="json", wrap_lines=True)
        st.caption(f"{entry['body_bytes']} bytes of body · answered in mode {entry['mode']} · "
                   "values that look like keys are masked")
