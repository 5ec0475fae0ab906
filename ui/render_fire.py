"""Render helpers for fires and findings, shared by pages. They draw; they decide nothing."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence

import streamlit as st

from console.diagnosis import diagnose
from console.manifest.findings import ValidationIssue
from console.outcome import FireRecord, SentRequest
from console.readiness import STATUS_LABELS, ChecklistItem
from console.report import STATUS_ICONS
from ui.text import md

SEVERITY_ICONS = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}


def render_issues(issues: Sequence[ValidationIssue]) -> None:
    """Findings next to a field: severity, message, fix hint, pointer and code."""
    for issue in issues:
        text = f"{md(issue.message)} {md(issue.hint)}  \n{md(issue.pointer or '/')} · {md(issue.code)}"
        if issue.severity == "error":
            st.error(text, icon=SEVERITY_ICONS["error"])
        elif issue.severity == "warning":
            st.warning(text, icon=SEVERITY_ICONS["warning"])
        else:
            st.info(text, icon=SEVERITY_ICONS["info"])


def render_verdict(fire: FireRecord) -> None:
    """The outcome drawn like ManyChat's App Setup block, with the diagnosis."""
    verdict = diagnose(fire.category, fire.status)
    detail = fire.detail
    if fire.ok:
        st.success(f"**App Setup: connected.** {verdict.title}. {verdict.explanation}", icon="✅")
    else:
        status = f"HTTP {fire.status}" if fire.status is not None else fire.category.value
        st.error(f"**App Setup: error ({status}).** {verdict.title}.  \n"
                 f"{verdict.explanation}  \n**Next step:** {verdict.next_step}", icon="⛔")
        if detail is not None and detail.message:
            st.text(detail.message)
    if detail is not None and detail.delivery is not None:
        icon = {"proven": "🔐", "mismatch": "⚠️", "missing": "⛔"}.get(detail.delivery.status, "❔")
        st.markdown(f"{icon} **Key delivery:**")
        st.text(detail.delivery.message)


def curl_command(request: SentRequest, plain_key: str = "", masked_key: str = "") -> str:
    """A cURL command for the request as sent; with ``plain_key`` the masked key is revealed in it."""

    def reveal(text: str) -> str:
        return text.replace(masked_key, plain_key) if plain_key and masked_key else text

    parts = ["curl", "-i", "-X", request.method]
    for name, value in request.headers:
        parts += ["-H", reveal(f"{name}: {value}")]
    if request.body is not None:
        parts += ["--data-raw", reveal(request.body)]
    parts.append(reveal(request.url))
    return " \\\n  ".join(shlex.quote(p) for p in parts)


def render_fire_tabs(fire: FireRecord, curl: str) -> None:
    """Timeline, request, response and cURL of one fire."""
    detail = fire.detail
    if detail is None:
        st.info("The detail of this fire was not loaded.")
        return
    timeline, request_tab, response_tab, curl_tab = st.tabs(["Timeline", "Request", "Response", "cURL"])
    with timeline:
        rows = detail.timeline
        st.dataframe([{"at (ms)": f"{at:.1f}", "event": event} for at, event in rows]
                     or [{"at (ms)": "0", "event": "—"}], hide_index=True, width="stretch")
        st.caption(f"Fired at {fire.fired_at:%Y-%m-%d %H:%M:%S} UTC · total {fire.elapsed_ms:.0f} ms · "
                   f"key fingerprint `{fire.key_fingerprint}`")
    with request_tab:
        request = detail.request
        st.code(f"{request.method} {request.url}\n" + "\n".join(
            f"{name}: {value}" for name, value in request.headers), language="http")
        if request.body is not None:
            st.code(pretty_json(request.body), language="json")
    with response_tab:
        response = detail.response
        if response is None:
            st.info("No response: nothing came back (see the timeline).")
        else:
            st.code(f"HTTP {fire.status}\n" + "\n".join(
                f"{name}: {value}" for name, value in response.headers), language="http")
            if response.truncated:
                st.warning("The body was cut at 64 KiB.")
            st.code(pretty_json(response.body)[:8000] or "(empty body)", language="json")
    with curl_tab:
        st.code(curl, language="bash")


def pretty_json(text: str) -> str:
    """JSON text indented for reading; any other text as it is."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (json.JSONDecodeError, TypeError):
        return text


def render_checklist(items: Sequence[ChecklistItem], fire_link: str) -> None:
    """Items grouped by review criterion, each with status, why and evidence links."""
    group = None
    for item in items:
        if item.group != group:
            group = item.group
            st.subheader(group)
        required = "required" if item.required else "optional"
        with st.container(border=True):
            st.markdown(f"{STATUS_ICONS[item.status]} **{md(item.title)}** · *{STATUS_LABELS[item.status]}* · "
                        f"{required}  \n{md(item.why)}")
            links = [
                f"[{md(e.label)}]({fire_link}?fire={int(e.ref)})" if e.kind == "fire" and e.ref.isdigit()
                else f"{md(e.ref or '/')} {md(e.label)}"
                for e in item.evidence
            ]
            if links:
                st.caption("Evidence: " + " · ".join(links))
