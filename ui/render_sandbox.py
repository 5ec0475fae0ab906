"""Render helpers for the Sandbox page: installations, a delivery, the call log, least privilege, try a call.

They draw; the decisions are in console.service. Anything an endpoint or a user controls is shown
as text, code or a dataframe, never as Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import streamlit as st

from console import keys
from console.catalog import SCOPES
from console.sandbox.client import CallAnswer
from console.sandbox.usage import LeastPrivilege
from console.service import history
from console.store import CallRecord, InstallationRecord, Store
from ui.render_fire import render_verdict
from ui.tables import dataframe

DELIVERY_LABELS = {"delivered": "delivered (200)", "failed": "needs retry", "pending": "sending",
                   "manual": "manual copy"}
TRY_PATHS = [s.path for s in SCOPES] + ["/apps/wh"]


def render_delivery(store: Store, installation: InstallationRecord) -> None:
    """The installation's last install request, drawn like ManyChat's App Setup block."""
    if installation.delivery == "manual":
        st.info("Manual delivery: the App JSON has no auth.request, so the installer copies the key by hand.",
                icon=":material/pan_tool:")
        return
    if not installation.installed:  # the last install request's green card would contradict "uninstalled"
        st.info("Uninstalled: its App Key no longer works (the sandbox answers 500). Reinstall for a new key.",
                icon=":material/link_off:")
        return
    fire = history.get_fire(store, installation.last_fire_ref) if installation.last_fire_ref else None
    if fire is None:
        st.warning("No install request result is stored for this installation yet.")
        return
    render_verdict(fire)


def render_show_once(installation_id: int, key: str) -> None:
    st.warning(f"App Key of installation #{installation_id}: copy it now. It is shown this once; the console "
               "keeps only a hash of it.", icon=":material/key:")
    st.code(key, language=None)


def render_installations(rows: Sequence[InstallationRecord], held: dict[int, str], total: int | None = None) -> None:
    if total is not None and total > len(rows):
        st.caption(f"The newest {len(rows):,} of {total:,} installations.")
    dataframe([{"#": i.id, "page_id": i.page_id, "status": i.status,
                "key": keys.mask_key(held[i.id]) if i.id in held else "(not held in this session)",
                "fingerprint": i.key_fingerprint, "delivery": DELIVERY_LABELS.get(i.delivery, i.delivery),
                "updated (UTC)": i.updated_at.strftime("%Y-%m-%d %H:%M:%S")} for i in rows])


def render_calls(calls: Sequence[CallRecord]) -> None:
    if not calls:
        st.caption("No calls yet: call the sandbox with an installation's App Key.")
        return
    dataframe([{"time (UTC)": c.called_at.strftime("%H:%M:%S"), "method": c.method, "path": c.path,
                "key": c.key_fingerprint or "(none)", "installation": c.installation_ref, "status": c.status,
                "outcome": c.outcome, "note": c.note} for c in calls])


def render_least_privilege(usage: LeastPrivilege) -> None:
    dataframe([{"scope": path, "granted": path in usage.granted,
                "calls that used it": usage.used.get(path, 0),
                "refused (401) for lack of it": usage.missing.get(path, 0)}
               for path in [*usage.granted, *[p for p in usage.missing if p not in usage.granted]]])
    if not usage.exercised:
        st.caption("No call has passed the scope check yet: 'unused' proves nothing until the app calls the sandbox.")
    elif usage.unused:
        st.warning("Granted but never used (candidates to drop):")
        st.text("\n".join(usage.unused))
    else:
        st.success("Every granted scope was used.")
    if usage.missing:
        st.error("Calls were refused with 401 for lack of these scopes (add them, or stop calling):")
        st.text("\n".join(usage.missing))


def render_answer(answer: CallAnswer) -> None:
    if answer.status is None:
        st.error(answer.message)
        return
    st.text(f"HTTP {answer.status}")
    try:
        st.code(json.dumps(json.loads(answer.body), indent=2, ensure_ascii=False), language="json")
    except ValueError:
        st.code(answer.body, language=None)
