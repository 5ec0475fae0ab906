"""Findings on page 2: as plain text next to their field, and the outline of the whole document
(auth, actions, triggers, sources) with each item's findings and the one-click scope fix."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import streamlit as st

from console.manifest.findings import ValidationIssue
from console.manifest.outline import Outline, OutlineItem
from console.manifest.scope_check import api_calls, missing_scopes, unused_scopes
from console.service import scopes
from console.store import AppRecord, Store
from ui import state
from ui.refusal import attempt
from ui.text import code_span

SEVERITY_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


_URL = re.compile(r"https?://[^\s`]+?(?=[.,;:)]?(?:\s|$))")


def plain(text: str) -> str:
    """Text from a document or an endpoint, escaped so Markdown shows it as it is. A URL becomes inline
    code: escaped inside an autolink its backslashes would show (https://example\\.com)."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(_MARKDOWN.sub(r"\\\1", text[last:match.start()]))
        parts.append(code_span(match.group(0)))
        last = match.end()
    parts.append(_MARKDOWN.sub(r"\\\1", text[last:]))
    return "".join(parts)


def render_findings(issues: Sequence[ValidationIssue]) -> None:
    for issue in issues:
        where = f"{code_span(issue.pointer or '/')} · {code_span(issue.code)}"
        text = f"{plain(issue.message)} {plain(issue.hint)}  \n{where}"
        box = {"error": st.error, "warning": st.warning}.get(issue.severity, st.info)
        box(text, icon=SEVERITY_ICONS.get(issue.severity, ":material/info:"))


def render_unsaved(problems: Sequence[ValidationIssue], pointer: str) -> None:
    """The fields under ``pointer`` that hold text which does not read: not saved until fixed."""
    for issue in problems:
        if issue.pointer == pointer or issue.pointer.startswith(pointer + "/"):
            st.error(f"**Not saved until fixed:** {plain(issue.message)} {plain(issue.hint)}",
                     icon=":material/pan_tool:")


def _badge(errors: int, count: int) -> str:
    if not count:
        return ":green[:material/check_circle: no findings]"
    return (f":red[:material/error: {errors} error(s)], {count - errors} other" if errors
            else f":orange[:material/warning: {count} finding(s)]")


def _render_scope_fixes(store: Store, app: AppRecord, issues: Sequence[ValidationIssue]) -> None:
    wanted = {call.pointer: call.path for call in missing_scopes(app.manifest, app.scopes)}
    for issue in issues:
        path = wanted.get(issue.pointer) if issue.code == "scopes.missing" else None
        if path and st.button(f"Add the scope {path}", key=f"add_scope_{app.id}_{issue.pointer}"):
            if attempt(scopes.add_scope, store, app.id, path, actor=state.actor()) is not None:
                st.toast(f"Scope {path} added")
                st.rerun()


def _render_item(store: Store, app: AppRecord, item: OutlineItem, document_part: object) -> None:
    with st.expander(f"{plain(item.label)} · {_badge(item.errors, len(item.issues))}", expanded=item.errors > 0):
        render_findings(item.issues)
        _render_scope_fixes(store, app, item.issues)
        st.code(json.dumps(document_part, indent=2, ensure_ascii=False), language="json")


def render_outline(store: Store, app: AppRecord, outline: Outline) -> None:
    """Every section with its own findings and each item (action, trigger, source) with its findings."""
    for section in outline.sections:
        if section.key == "auth":
            continue  # the auth section's own findings are shown once, at the top of its form
        if not section.items and not section.issues and section.key in ("triggers", "sources"):
            continue
        st.markdown(f"**{section.title}** ({len(section.items)}) · {_badge(section.errors, section.count)}"
                    if section.key else f"**Whole app** · {_badge(section.errors, section.count)}")
        render_findings(section.issues)
        _render_scope_fixes(store, app, section.issues)
        raw = app.manifest.get(section.key) if section.key else None
        for item in section.items:
            token = item.pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
            part = raw.get(token) if isinstance(raw, dict) else (
                raw[int(token)] if isinstance(raw, list) and token.isdigit() and int(token) < len(raw) else None)
            _render_item(store, app, item, part)


def render_scope_cross_check(store: Store, app: AppRecord) -> None:
    """On the Scopes page: endpoints the App JSON calls without their scope (one click adds each),
    and selected scopes that no request calls (candidates to drop)."""
    missing = dict.fromkeys(call.path for call in missing_scopes(app.manifest, app.scopes))
    for path in missing:
        st.error(f"The App JSON calls {plain(path)} but it is not selected: with the App Key ManyChat answers 401 "
                 "\"Wrong access token\".", icon=":material/error:")
        if st.button(f"Add this scope: {path}", key=f"scopes_add_{app.id}_{path}"):
            if attempt(scopes.add_scope, store, app.id, path, actor=state.actor()) is not None:
                st.rerun()
    unused = unused_scopes(app.manifest, app.scopes)
    if unused and len(unused) == len(app.scopes) and not api_calls(app.manifest):
        st.caption("Nothing calls the ManyChat API yet: no action or request of the App JSON does, so no scope "
                   "can be judged unused. Once actions call it (or your server calls the sandbox), the scopes "
                   "nobody calls are listed here as candidates to drop.")
    elif unused:
        st.caption("Candidates to drop (no request of the App JSON calls them; keep those your own server calls "
                   "with the App Key): " + ", ".join(unused))
