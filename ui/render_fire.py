"""Render helpers for fires and findings, shared by pages. They draw; they decide nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import streamlit as st

from console import keys
from console.diagnosis import diagnose
from console.manifest.findings import ValidationIssue
from console.outcome import FireRecord
from console.readiness import STATUS_LABELS, ChecklistItem
from console.report import STATUS_ICONS
from console.reproduce import snippets
from ui.tables import dataframe
from ui.text import md

SEVERITY_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}
# Streamlit's colours for a status: word, colour and icon together (never emoji).
STATUS_COLOURS_MD = {"pass": "green", "fail": "red", "not_run": "gray", "not_provable": "violet", "review": "orange"}


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


def scroll_into_view(anchor: str, max_width: int = 768) -> None:
    """On a narrow screen (a phone), scroll the element with this id to the top (once, after an action)."""
    import streamlit.components.v1 as components

    components.html(f"""<script>
const doc = window.parent.document;
if (window.parent.innerWidth <= {max_width}) {{
  const el = doc.getElementById({json.dumps(anchor)});
  if (el) el.scrollIntoView({{behavior: "smooth", block: "start"}});
}}
</script>""", height=0)


def render_verdict(fire: FireRecord) -> None:
    """The outcome drawn like ManyChat's App Setup block, with the diagnosis."""
    detail = fire.detail
    verdict = diagnose(fire.category, fire.status, detail.message if detail else "")
    if fire.ok:
        st.success(f"**App Setup: connected.** {verdict.title}. {verdict.explanation}", icon=":material/check_circle:")
    elif fire.status == 200:  # e.g. an oversized 200: ManyChat's documented reading vs the console's own
        st.warning(f"**App Setup (ManyChat, documented): connected, HTTP 200.** **The console's reading:** "
                   f"{verdict.title}.  \n{verdict.explanation}  \n**Next step:** {verdict.next_step}",
                   icon=":material/warning:")
        if detail is not None and detail.message:
            st.text(detail.message)
    else:
        status = f"HTTP {fire.status}" if fire.status is not None else fire.category.value
        st.error(f"**App Setup: error ({status}).** {verdict.title}.  \n"
                 f"{verdict.explanation}  \n**Next step:** {verdict.next_step}", icon=":material/error:")
        if detail is not None and detail.message:
            st.text(detail.message)
    if detail is not None and detail.delivery is not None:
        icon = {"proven": ":material/lock:", "mismatch": ":material/warning:",
                "missing": ":material/error:"}.get(detail.delivery.status, ":material/help:")
        st.markdown(f"{icon} **Key delivery:**")
        st.text(detail.delivery.message)


def render_fire_tabs(fire: FireRecord, plain_key: str = "") -> None:
    """Timeline, request, response and the code to reproduce one fire (the key only when revealed)."""
    detail = fire.detail
    if detail is None:
        st.info("The detail of this fire was not loaded.")
        return
    code = snippets(detail.request, detail.key_masked, plain_key)
    tabs = st.tabs(["Timeline", "Request", "Response", "cURL", "Python", "HTTPie"])
    with tabs[0]:
        dataframe([{"at (ms)": f"{at:.1f}", "event": event} for at, event in detail.timeline]
                  or [{"at (ms)": "0", "event": "—"}])
        st.text(f"Fired at {fire.fired_at:%Y-%m-%d %H:%M:%S} UTC · total {fire.elapsed_ms:.0f} ms · "
                f"key {detail.key_masked} (fingerprint {fire.key_fingerprint})")
    with tabs[1]:
        request = detail.request
        st.code(f"{request.method} {request.url}\n" + "\n".join(
            f"{name}: {value}" for name, value in request.headers), language="http", wrap_lines=True)
        if request.body is not None:
            st.code(pretty_json(request.body, fire.key_fingerprint), language="json", wrap_lines=True)
    with tabs[2]:
        response = detail.response
        if response is None:
            st.info("No response: nothing came back (see the timeline).")
        else:
            st.code(f"HTTP {fire.status}\n" + "\n".join(
                f"{name}: {value}" for name, value in response.headers), language="http", wrap_lines=True)
            if response.truncated:
                st.warning("The body was cut at 64 KiB.")
            st.code(pretty_json(response.body, fire.key_fingerprint)[:8000] or "(empty body)", language="json",
                    wrap_lines=True)
    for tab, text, language in ((tabs[3], code.curl, "bash"), (tabs[4], code.python, "python"),
                                (tabs[5], code.httpie, "bash")):
        with tab:
            st.code(text, language=language)
            if not plain_key and "APP_KEY" in text:
                st.caption("The key is masked: set APP_KEY to the installation's key before running this.")


def render_recent(fires: Sequence[FireRecord]) -> None:
    """A few fires as a table (no clipped columns, a dash where there is no HTTP status); none: what to do."""
    if not fires:
        st.caption("No fire yet for this app. Press **Fire** above: each fire is listed here and kept in History.")
        return
    dataframe([{"#": f.id, "when (UTC)": f.fired_at.strftime("%m-%d %H:%M:%S"), "target": f.target_kind,
                "HTTP status": "—" if f.status is None else str(f.status), "outcome": f.category.value,
                "elapsed (ms)": round(f.elapsed_ms)} for f in fires],
              column_config={"#": st.column_config.NumberColumn(width="small")})


def pretty_json(text: str, key_fingerprint: str = "") -> str:
    """JSON text indented for reading (any other text as it is); the fire's key never shows, even decoded."""
    try:
        shown = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (json.JSONDecodeError, TypeError):
        shown = text
    return keys.mask_fingerprinted(shown, key_fingerprint)


def render_checklist(items: Sequence[ChecklistItem], fire_href: Callable[[str], str]) -> None:
    """Items grouped by review criterion, each with status, why and evidence links.

    What an item says may quote the App JSON or an endpoint, so it is shown as text.
    """
    group = None
    for item in items:
        if item.group != group:
            group = item.group
            st.subheader(group, anchor=False)
        required = "required" if item.required else "optional"
        with st.container(border=True):
            colour = STATUS_COLOURS_MD[item.status]
            st.markdown(f":{colour}[:material/{STATUS_ICONS[item.status]}: **{STATUS_LABELS[item.status]}**] · "
                        f"**{md(item.title)}** · {required}")
            st.text(item.why)
            links = [f"[{md(e.label)}]({fire_href(e.ref)})" for e in item.evidence
                     if e.kind == "fire" and e.ref.isdigit()]
            if links:
                st.caption("Evidence: " + " · ".join(links))
            findings = [f"{e.ref or '/'} {e.label}" for e in item.evidence if e.kind != "fire"]
            if findings:
                st.text("Evidence: " + " · ".join(findings))
