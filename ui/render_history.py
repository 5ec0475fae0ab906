"""History's table (click a row to open it, two to compare), the side-by-side compare and re-fire."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from console import service
from console.outcome import FireRecord
from console.service import firing, history
from console.store import Store
from ui import state
from ui.render_fire import pretty_json, render_verdict
from ui.resources import address_policy, sample_endpoint
from ui.tables import dataframe

COLUMNS = ["#", "fired at (UTC)", "app", "source", "by", "target", "URL fired", "HTTP status", "outcome",
           "elapsed (ms)", "step", "key"]


def render_history_table(rows: Sequence[FireRecord]) -> list[int]:
    """The page of fires; the ids of the rows the user selected (one opens it, two compare them)."""
    event = dataframe([{
        "#": f.id, "fired at (UTC)": f.fired_at.strftime("%Y-%m-%d %H:%M:%S"), "app": f.app_name,
        "source": f.source, "by": f.actor, "target": f.target_kind, "URL fired": f.url,
        "HTTP status": "—" if f.status is None else str(f.status), "outcome": f.category.value,
        "elapsed (ms)": round(f.elapsed_ms, 1), "step": f.step or "", "key": f.key_fingerprint,
    } for f in rows], COLUMNS, on_select="rerun", selection_mode="multi-row", key="history_table")
    picked = [rows[i].id for i in event.selection.rows if 0 <= i < len(rows)]
    if len(picked) > 2:
        st.info("Select one fire to open it, or two to compare them.")
        return []
    return picked


def render_compare(store: Store, first_id: int, second_id: int) -> None:
    """Two fires side by side: verdict, request and response."""
    st.subheader(f"Fire #{first_id} and fire #{second_id} side by side", anchor=False)
    for column, fire_id in zip(st.columns(2), (first_id, second_id), strict=True):
        fire = history.get_fire(store, fire_id)
        with column:
            if fire is None or fire.detail is None:
                st.warning(f"There is no fire #{fire_id}.")
                continue
            st.text(f"#{fire.id} · {fire.fired_at:%Y-%m-%d %H:%M:%S} UTC · {fire.elapsed_ms:.0f} ms · "
                    f"{fire.source} · {fire.target_kind}\\n{fire.url}")
            render_verdict(fire)
            request = fire.detail.request
            st.code(f"{request.method} {request.url}\\n" + "\\n".join(f"{n}: {v}" for n, v in request.headers)
                    + ("\\n\\n" + pretty_json(request.body, fire.key_fingerprint) if request.body is not None
                       else ""), language="http", wrap_lines=True)
            response = fire.detail.response
            st.code("(no response)" if response is None else f"HTTP {fire.status}\\n" + "\\n".join(
                f"{n}: {v}" for n, v in response.headers)
                + "\\n\\n" + pretty_json(response.body, fire.key_fingerprint)[:4000],
                language="http", wrap_lines=True)


def render_refire(store: Store, fire: FireRecord) -> None:
    """Fire the app's install request again at the URL this fire went to, with a fresh key."""
    if fire.app_ref is None:
        st.caption("Made on the command line: re-fire it with `python -m console fire`.")
        return
    if st.button(f"Re-fire #{fire.id} with its settings", icon=":material/replay:", key=f"refire_{fire.id}",
                 help="Sends the app's current install request to the URL this fire went to, with a fresh key"):
        try:
            outcome = firing.refire(store, fire.id, sample_endpoint().base_url, address_policy(), actor=state.actor())
        except service.ServiceError as exc:
            st.error(str(exc))
            return
        state.notify(f"Re-fired #{fire.id} as #{outcome.record.id}: {outcome.record.category.value}.")
        st.query_params["fire"] = str(outcome.record.id)
        st.rerun()
