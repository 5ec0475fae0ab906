"""render_* helpers shared by pages. They draw; they decide nothing."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any

import streamlit as st

from console.diagnosis import diagnose
from console.manifest import ValidationIssue
from console.readiness import STATUS_LABELS, ChecklistItem
from console.report import STATUS_ICONS

SEVERITY_ICONS = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}


def render_issues(issues: Sequence[ValidationIssue]) -> None:
    """Findings next to a field: severity, message, fix hint, pointer and code."""
    for issue in issues:
        text = f"{issue.message} {issue.hint}  \n`{issue.pointer or '/'}` · `{issue.code}`"
        if issue.severity == "error":
            st.error(text, icon=SEVERITY_ICONS["error"])
        elif issue.severity == "warning":
            st.warning(text, icon=SEVERITY_ICONS["warning"])
        else:
            st.info(text, icon=SEVERITY_ICONS["info"])


def render_verdict(detail: dict[str, Any]) -> None:
    """The outcome drawn like ManyChat's App Setup block, with the diagnosis."""
    verdict = diagnose(detail["category"], detail["status"])
    if detail["ok"]:
        st.success(f"**App Setup: connected.** {verdict.title}. {verdict.explanation}", icon="✅")
    else:
        status = f"HTTP {detail['status']}" if detail["status"] is not None else detail["category"]
        st.error(f"**App Setup: error ({status}).** {verdict.title}.  \n{detail['message']}  \n"
                 f"{verdict.explanation}  \n**Next step:** {verdict.next_step}", icon="⛔")
    delivery = detail.get("delivery")
    if delivery:
        icon = {"proven": "🔐", "mismatch": "⚠️"}.get(delivery["status"], "❔")
        st.markdown(f"{icon} **Key delivery:** {delivery['message']}")


def curl_command(request: dict[str, Any]) -> str:
    """A cURL command for the request as sent (with whatever key the request dict holds)."""
    parts = ["curl", "-i", "-X", request["method"]]
    for name, value in request["headers"].items():
        parts += ["-H", f"{name}: {value}"]
    if request.get("body") is not None:
        parts += ["--data-raw", request["body"]]
    parts.append(request["url"])
    return " \\\n  ".join(shlex.quote(p) for p in parts)


def render_fire_tabs(detail: dict[str, Any], curl: str) -> None:
    """Timeline, request, response and cURL of one fire."""
    timeline, request_tab, response_tab, curl_tab = st.tabs(["Timeline", "Request", "Response", "cURL"])
    with timeline:
        rows = detail.get("timeline") or []
        st.table([{"at (ms)": f"{at:.1f}", "event": event} for at, event in rows] or [{"at (ms)": "0", "event": "—"}])
        st.caption(f"Fired at {detail.get('fired_at', '')} UTC · total {detail['elapsed_ms']:.0f} ms · "
                   f"key fingerprint `{detail['key_fingerprint']}`")
    with request_tab:
        request = detail["request"]
        st.code(f"{request['method']} {request['url']}\n" + "\n".join(
            f"{name}: {value}" for name, value in request["headers"].items()), language="http")
        if request.get("body") is not None:
            st.code(pretty_json(request["body"]), language="json")
    with response_tab:
        response = detail.get("response")
        if response is None:
            st.info("No response: nothing came back (see the timeline).")
        else:
            st.code(f"HTTP {detail['status']}\n" + "\n".join(
                f"{name}: {value}" for name, value in response["headers"].items()), language="http")
            if response.get("truncated"):
                st.warning("The body was cut at 64 KiB.")
            st.code(pretty_json(response["body"])[:8000] or "(empty body)", language="json")
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
            st.markdown(f"{STATUS_ICONS[item.status]} **{item.title}** · *{STATUS_LABELS[item.status]}* · "
                        f"{required}  \n{item.why}")
            links = [
                f"[{e.label}]({fire_link}?fire={e.ref})" if e.kind == "fire" else f"`{e.ref or '/'}` {e.label}"
                for e in item.evidence
            ]
            if links:
                st.caption("Evidence: " + " · ".join(links))
