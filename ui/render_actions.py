"""The Actions page's editor: the list of actions, one form per action, the sources. Streamlit glue only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import streamlit as st

from console.actions.model import FIELD_TYPES, text_of
from console.actions.templates import TEMPLATE_LABELS, TEMPLATES
from console.manifest.document import METHODS, as_dict, as_list
from console.manifest.findings import ValidationIssue
from console.manifest.lint_mapping import VALUE_TYPES
from console.service import ServiceError
from console.service import actions as action_service
from console.signoff import document_hash
from console.store import AppRecord, Store
from ui import state
from ui.findings_view import render_findings
from ui.text import md

SOURCE_TYPES = ("enum:static", "enum:rpc")


def at(issues: Sequence[ValidationIssue], pointer: str, exact: bool = False) -> list[ValidationIssue]:
    """The findings of the field at ``pointer`` (and, unless ``exact``, of everything under it)."""
    return [i for i in issues if i.pointer == pointer or (not exact and i.pointer.startswith(pointer + "/"))]


def _do(store: Store, app: AppRecord, what: str, call: Any, *args: Any) -> None:
    """Run one service change; show its refusal as text."""
    try:
        call(store, app.id, *args, based_on=document_hash(app.manifest), actor=state.actor())
    except ServiceError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    st.toast(what)
    st.rerun()


def render_add(store: Store, app: AppRecord) -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    template = left.selectbox("Add an action from a starter template", TEMPLATES, key=f"template_{app.id}",
                              format_func=TEMPLATE_LABELS.__getitem__)
    if right.button("Add action", icon=":material/add:", key=f"add_{app.id}", type="primary"):
        _do(store, app, "Action added (a new version)", action_service.add_action, template)


def render_action_list(store: Store, app: AppRecord, issues: Sequence[ValidationIssue]) -> None:
    actions = as_list(app.manifest.get("actions"))
    if not actions:
        st.info("No action yet. ManyChat expects at least one: add one from a starter template above.",
                icon=":material/info:")
    for index, action in enumerate(actions):
        action = as_dict(action)
        found = at(issues, f"/actions/{index}")
        errors = sum(1 for i in found if i.severity == "error")
        badge = f" · {errors} error(s)" if errors else (f" · {len(found)} finding(s)" if found else "")
        label = f"{index + 1}. {text_of(action.get('name')) or '(no name)'} · {text_of(action.get('title'))}{badge}"
        with st.expander(md(label), expanded=len(actions) == 1 or bool(errors)):
            _render_buttons(store, app, index, len(actions))
            render_action_form(store, app, index, action, issues)


def _render_buttons(store: Store, app: AppRecord, index: int, count: int) -> None:
    up, down, twin, drop = st.columns(4)
    if up.button("Up", icon=":material/arrow_upward:", key=f"up_{app.id}_{index}", disabled=index == 0):
        _do(store, app, "Moved up", action_service.move_action, index, -1)
    if down.button("Down", icon=":material/arrow_downward:", key=f"down_{app.id}_{index}",
                   disabled=index == count - 1):
        _do(store, app, "Moved down", action_service.move_action, index, 1)
    if twin.button("Duplicate", icon=":material/content_copy:", key=f"dup_{app.id}_{index}"):
        _do(store, app, "Duplicated", action_service.duplicate_action, index)
    if drop.button("Delete", icon=":material/delete:", key=f"del_{app.id}_{index}"):
        _do(store, app, "Deleted (Undo brings it back)", action_service.delete_action, index)


def _rows(items: Any, columns: Sequence[str]) -> list[dict[str, str]]:
    return [{c: text_of(as_dict(item).get(c)) for c in columns} for item in as_list(items) if isinstance(item, dict)]


def render_action_form(store: Store, app: AppRecord, index: int, action: dict[str, Any],
                       issues: Sequence[ValidationIssue]) -> None:
    base = f"/actions/{index}"
    request = as_dict((as_list(action.get("requests")) or [{}])[0])
    with st.form(f"action_{app.id}_{index}_{document_hash(app.manifest)[:8]}", border=False):
        name = st.text_input("Name (used in the App JSON)", text_of(action.get("name")))
        render_findings(at(issues, base + "/name"))
        title = st.text_input("Title (shown in the Flow Builder)", text_of(action.get("title")))
        render_findings(at(issues, base + "/title"))
        description = st.text_area("Description", text_of(action.get("description")), height=68)
        render_findings(at(issues, base + "/description"))
        guidance = st.text_area("Guidance (help text in the Flow Builder)", text_of(action.get("guidance")),
                                height=68)
        render_findings(at(issues, base + "/guidance"))
        st.markdown("**Form fields**")
        fields = st.data_editor(_rows(action.get("forms"), ("name", "type", "title", "default", "source")) or
                                [{"name": "", "type": "string", "title": "", "default": "", "source": ""}],
                                num_rows="dynamic", width="stretch", key=f"forms_{app.id}_{index}",
                                column_config={"type": st.column_config.SelectboxColumn(options=list(FIELD_TYPES))})
        render_findings(at(issues, base + "/forms"))
        st.markdown("**Request** (the first of the action's requests)")
        url = st.text_input("URL", text_of(request.get("url")), placeholder="https://example.com/api/[[field]]")
        render_findings(at(issues, base + "/requests/0/url"))
        method = str(request.get("method") or "POST").upper()
        method = st.selectbox("Method", METHODS, index=METHODS.index(method) if method in METHODS else 0)
        headers = st.text_area("Headers (one 'Name: value' per line)", "\n".join(
            text_of(h) for h in as_list(request.get("headers"))), height=68)
        render_findings(at(issues, base + "/requests/0/headers"))
        payload = st.text_area("Payload (JSON; empty for none)", "" if request.get("payload") in (None, "") else
                               json.dumps(request.get("payload"), indent=2, ensure_ascii=False), height=100)
        render_findings(at(issues, base + "/requests/0/payload"))
        st.markdown("**Mapping** (what the action's answer gives the Flow Builder)")
        mapping = st.data_editor(_rows(request.get("mapping"), ("name", "path", "type", "title")) or
                                 [{"name": "", "path": "$.", "type": "string", "title": ""}],
                                 num_rows="dynamic", width="stretch", key=f"mapping_{app.id}_{index}",
                                 column_config={"type": st.column_config.SelectboxColumn(options=list(VALUE_TYPES))})
        render_findings(at(issues, base + "/requests/0/mapping"))
        render_findings([i for i in at(issues, base) if i.pointer in (base, base + "/requests", base + "/requests/0")])
        saved = st.form_submit_button("Save action", icon=":material/save:", type="primary")
    if saved:
        try:
            edited = build_action(action, name, title, description, guidance, fields, url, method, headers,
                                  payload, mapping)
        except ValueError as exc:
            st.error(f"Not saved: {md(exc)}", icon=":material/error:")
            return
        _do(store, app, "Action saved (a new version)", action_service.save_action, index, edited)


def _clean_rows(rows: Any, columns: Sequence[str]) -> list[dict[str, Any]]:
    items = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows or [])
    kept = []
    for row in items:
        values = {c: ("" if row.get(c) is None else str(row.get(c))).strip() for c in columns}
        if any(values.values()):
            kept.append(values)
    return kept


def build_action(original: dict[str, Any], name: str, title: str, description: str, guidance: str, fields: Any,
                 url: str, method: str, headers: str, payload: str, mapping: Any) -> dict[str, Any]:
    """The edited action (keys the page does not edit are kept); ValueError when the payload is not JSON."""
    forms = []
    for row in _clean_rows(fields, ("name", "type", "title", "default", "source")):
        item: dict[str, Any] = {"name": row["name"], "type": row["type"] or "string", "title": row["title"]}
        if row["default"]:
            item["default"] = _number(row["default"]) if item["type"] == "number" else row["default"]
        if row["source"]:
            item["source"] = row["source"]
        forms.append(item)
    try:
        body = json.loads(payload) if payload.strip() else None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the payload is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    request = dict(as_dict((as_list(original.get("requests")) or [{}])[0]))
    request.update({"url": url.strip(), "method": method,
                    "headers": [line.strip() for line in headers.splitlines() if line.strip()],
                    "mapping": _clean_rows(mapping, ("name", "path", "type", "title")), "payload": body})
    edited = dict(original)
    edited.update({"name": name.strip(), "title": title.strip(), "description": description.strip(), "forms": forms,
                   "requests": [request, *as_list(original.get("requests"))[1:]]})
    if guidance.strip():
        edited["guidance"] = guidance.strip()
    else:
        edited.pop("guidance", None)
    return edited


def _number(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def render_sources(store: Store, app: AppRecord, issues: Sequence[ValidationIssue]) -> None:
    """Every source in one form: name, type, static values or the rpc request."""
    sources = [as_dict(s) for s in as_list(app.manifest.get("sources"))]
    if not isinstance(app.manifest.get("sources"), list | type(None)):
        st.warning("The sources are an object keyed by name; edit them in the App JSON on page 2.")
        return
    with st.form(f"sources_{app.id}_{document_hash(app.manifest)[:8]}", border=False):
        edited = []
        for index, source in enumerate([*sources, {}]):
            new = index == len(sources)
            st.markdown("**New source** (fill in a name to add it)" if new else f"**Source {index + 1}**")
            c1, c2 = st.columns(2)
            name = c1.text_input("Source name", text_of(source.get("name")), key=f"src_name_{app.id}_{index}")
            kind = c2.selectbox("Type", SOURCE_TYPES, key=f"src_type_{app.id}_{index}",
                                index=SOURCE_TYPES.index(source["type"]) if source.get("type") in SOURCE_TYPES else 0)
            values = st.text_area("enum:static values (one per line)", "\n".join(
                text_of(v) for v in as_list(source.get("values"))), height=68, key=f"src_values_{app.id}_{index}")
            request = as_dict(source.get("request"))
            rpc = st.text_area("enum:rpc request (JSON: url, method, headers, mapping)", json.dumps(
                request, indent=2, ensure_ascii=False) if request else "", height=100, key=f"src_rpc_{app.id}_{index}")
            render_findings(at(issues, f"/sources/{index}") if not new else [])
            edited.append((source, name, kind, values, rpc))
        saved = st.form_submit_button("Save sources", icon=":material/save:")
    if saved:
        try:
            result = [build_source(*row) for row in edited if row[1].strip()]
        except ValueError as exc:
            st.error(f"Not saved: {md(exc)}", icon=":material/error:")
            return
        _do(store, app, "Sources saved (a new version)", action_service.save_sources, result)


def build_source(original: dict[str, Any], name: str, kind: str, values: str, rpc: str) -> dict[str, Any]:
    source = {k: v for k, v in original.items() if k not in ("values", "request")}
    source.update({"name": name.strip(), "type": kind})
    if kind == "enum:static":
        source["values"] = [line.strip() for line in values.splitlines() if line.strip()]
    else:
        try:
            request = json.loads(rpc) if rpc.strip() else {"url": "", "method": "GET", "headers": [], "mapping": []}
        except json.JSONDecodeError as exc:
            raise ValueError(f"the request of the source '{name}' is not JSON (line {exc.lineno}: {exc.msg}).") \
                from None
        if not isinstance(request, dict):
            raise ValueError(f"the request of the source '{name}' must be a JSON object.")
        source["request"] = request
    return source
