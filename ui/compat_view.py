"""The compatibility panel of the versions view: what a change between two versions breaks, for whom."""

from __future__ import annotations

import streamlit as st

from console.manifest.compat import BREAKING, REVIEW, CompatReport
from ui.findings_view import plain
from ui.text import code_span

BOXES = {BREAKING: (st.error, ":material/dangerous:"), REVIEW: (st.warning, ":material/rate_review:")}


def render_compat(report: CompatReport, old: int, new: int) -> None:
    """Breaking changes and those needing review as boxes; safe ones counted, listed on demand."""
    breaking, review = report.breaking, report.review
    safe = [c for c in report.changes if c not in breaking and c not in review]
    st.markdown(f"**Compatibility of version {old} → {new}:** {len(breaking)} breaking, {len(review)} needing "
                f"review, {len(safe)} safe")
    if not report.changes:
        st.caption("The same App JSON: nothing to judge.")
    for change in (*breaking, *review):
        box, icon = BOXES[change.cls]
        where = code_span(change.pointer or "/") + (f" in version {old}" if change.side == "old" else "")
        box(f"{plain(change.what)}: {plain(change.impact)}  \n{where}" if change.side else
            f"{plain(change.what)}: {plain(change.impact)}", icon=icon)
    if not breaking and report.changes:
        st.success("No change breaks installations or flows.", icon=":material/check_circle:")
    if safe:
        with st.popover(f"{len(safe)} safe change(s)"):
            st.code("\n".join(f"{c.pointer or '/'}: {c.what}" for c in safe), language=None)
    for note in report.notes:
        st.caption(plain(note))
