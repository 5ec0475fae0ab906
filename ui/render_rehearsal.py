"""The Actions page's Flow Builder preview, rehearsal and rehearsal history. Streamlit glue only.

Everything that comes from the App JSON or an endpoint is shown as text (st.text, st.code, tables)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import streamlit as st

from console.actions.model import ActionView, action_views, find_source, static_values
from console.actions.readiness import StoredRehearsal
from console.sandbox.sample_actions import ACTION_MODE_HELP, ACTION_MODES
from console.service import ServiceError, get_fire
from console.service import actions as action_service
from console.store import AppRecord, Store
from ui import state
from ui.render_fire import render_fire_tabs
from ui.tables import dataframe
from ui.text import md


def options_for(app: AppRecord, source: str | None, rehearsals: Sequence[StoredRehearsal]) -> tuple[list[str], str]:
    """A dropdown's choices and where they come from."""
    if not source:
        return [], ""
    found = find_source(app.manifest, source)
    if found is None:
        return [], f"the source '{source}' is not defined"
    if found[1].get("type") == "enum:static":
        return static_values(found[1]), f"enum:static source '{source}'"
    latest = next((r for r in rehearsals if r.kind == "source" and r.name == source), None)
    if latest is None:
        return [], f"enum:rpc source '{source}': not rehearsed yet (rehearse it below to fill the dropdown)"
    return list(latest.options), f"enum:rpc source '{source}', from rehearsal #{latest.fire.id}"


def render_preview(app: AppRecord, rehearsals: Sequence[StoredRehearsal]) -> None:
    """What an installer sees for each action in the Flow Builder."""
    views = action_views(app.manifest)
    if not views:
        st.info("No action to preview yet.", icon=":material/info:")
    for view in views:
        with st.container(border=True):
            _render_card(app, view, rehearsals)


def _render_card(app: AppRecord, view: ActionView, rehearsals: Sequence[StoredRehearsal]) -> None:
    st.markdown(f"**{md(view.title or view.name or '(no title)')}**")
    st.text(view.description or "(no description: the Flow Builder shows an empty line)")
    if view.guidance:
        st.caption("Guidance")
        st.text(view.guidance)
    for field in view.fields:
        label = md(f"{field.title or field.name} ({field.type}" + (", optional" if field.default is not None
                                                                     else ", required") + ")")
        key = f"preview_{app.id}_{view.index}_{field.name}"
        if field.source:
            choices, origin = options_for(app, field.source, rehearsals)
            default = choices.index(field.default) if field.default in choices else 0
            st.selectbox(label, choices or ["(no choices)"], index=default if choices else 0, key=key,
                         help=origin)
            st.caption(md(origin))
        elif field.type == "number":
            st.text_input(label, value=field.default or "", key=key, placeholder="a number")
        elif field.type == "boolean":
            st.checkbox(label, value=(field.default or "").lower() == "true", key=key)
        else:
            st.text_input(label, value=field.default or "", key=key)
    if view.outputs:
        st.caption("Outputs for the next steps: " + md(", ".join(view.outputs)))


def render_target(store: Store, app: AppRecord) -> None:
    target = action_service.rehearsal_target(app)
    choice = st.radio("Rehearse at", ["sample", "endpoint"], index=0 if target == "sample" else 1, horizontal=True,
                      key=f"action_target_{app.id}",
                      format_func={"sample": "the sample endpoint (offline)", "endpoint": "each action's own URL"}.get)
    if choice != target:
        action_service.set_rehearsal_target(store, app.id, choice, actor=state.actor())
        st.rerun()


def _render_mode(store: Store, app: AppRecord, kind: str, name: str) -> None:
    if action_service.rehearsal_target(app) != "sample":
        return
    mode = action_service.sample_mode_for(app, kind, name)
    chosen = st.selectbox("Sample endpoint answers", ACTION_MODES, key=f"mode_{app.id}_{kind}_{name}",
                          index=ACTION_MODES.index(mode.partition(":")[0]) if mode.partition(":")[0] in ACTION_MODES
                          else 0, format_func=lambda m: f"{m}: {ACTION_MODE_HELP[m]}")
    if chosen != mode.partition(":")[0]:
        action_service.set_rehearsal_target(store, app.id, "sample", {f"{kind}:{name}": chosen}, actor=state.actor())
        st.rerun()


def render_rehearse(store: Store, app: AppRecord, sample_base_url: str, policy: object,
                    rehearsals: Sequence[StoredRehearsal]) -> None:
    views = [v for v in action_views(app.manifest) if v.name]
    if not views:
        st.info("Add an action to rehearse it.", icon=":material/info:")
        return
    name = st.selectbox("Action", [v.name for v in views], key=f"rehearse_pick_{app.id}")
    view = next(v for v in views if v.name == name)
    _render_mode(store, app, "action", name)
    start = action_service.form_values_for(app, name)
    values: dict[str, str] = {}
    with st.form(f"rehearse_{app.id}_{name}", border=False):
        for field in view.fields:
            label = md(f"{field.title or field.name} · [[{field.name}]] ({field.type})")
            choices, _ = options_for(app, field.source, rehearsals)
            if choices:
                values[field.name] = st.selectbox(label, choices, key=f"rv_{app.id}_{name}_{field.name}",
                                                  index=choices.index(start[field.name])
                                                  if start.get(field.name) in choices else 0)
            else:
                values[field.name] = st.text_input(label, start.get(field.name, ""),
                                                   key=f"rv_{app.id}_{name}_{field.name}")
        go = st.form_submit_button("Rehearse", icon=":material/play_arrow:", type="primary")
    if go:
        _run(store, app, "action", name, sample_base_url, policy, values)


def render_sources_rehearsal(store: Store, app: AppRecord, sample_base_url: str, policy: object) -> None:
    from console.actions.model import rpc_sources

    for name in rpc_sources(app.manifest):
        st.markdown(f"**enum:rpc source** {md(name)}")
        _render_mode(store, app, "source", name)
        if st.button(f"Rehearse the source {name}", icon=":material/play_arrow:", key=f"rs_{app.id}_{name}"):
            _run(store, app, "source", name, sample_base_url, policy, None)


def _run(store: Store, app: AppRecord, kind: str, name: str, sample_base_url: str, policy: object,
         values: dict[str, str] | None) -> None:
    from console.netpolicy import AddressPolicy

    assert isinstance(policy, AddressPolicy)
    try:
        with st.spinner(f"Rehearsing {name} …"):
            run = action_service.rehearse(store, app.id, kind, name, sample_base_url, policy, values,
                                          actor=state.actor())
    except ServiceError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    st.session_state[f"last_rehearsal_{app.id}"] = run.stored.fire.id
    st.rerun()  # the preview and the history show the new rehearsal


def render_result(store: Store, app: AppRecord, stored: StoredRehearsal) -> None:
    """One stored rehearsal: verdict, outputs, and the request/response/timeline tabs of Test fire."""
    ok = stored.ok
    box = st.success if ok else st.error
    box(md(f"Rehearsal #{stored.fire.id} of the {stored.kind} {stored.name}: {stored.message}"),
        icon=":material/check_circle:" if ok else ":material/error:")
    fire = get_fire(store, stored.fire.id)
    mapping = action_service.rehearsal_outputs(store, stored.fire.id)
    if mapping.outputs:
        dataframe([{"output": o.name, "path": o.path, "type": o.type,
                    "found": "yes" if o.found else "no",
                    "value": json.dumps(o.value, ensure_ascii=False)[:300] if o.found else "—",
                    "problem": o.problem or "—"} for o in mapping.outputs])
    if stored.kind == "source":
        st.text("Options: " + (", ".join(stored.options[:100]) or "(none)"))
    if stored.form_values:
        st.text("Form values: " + ", ".join(f"{k}={v}" for k, v in stored.form_values.items()))
    if fire is not None:
        render_fire_tabs(fire)


def render_history(store: Store, app: AppRecord, rehearsals: Sequence[StoredRehearsal], sample_base_url: str,
                   policy: object) -> None:
    if not rehearsals:
        st.caption("No rehearsal stored yet.")
        return
    dataframe([{"#": r.fire.id, "when (UTC)": r.fire.fired_at.strftime("%m-%d %H:%M:%S"), "what": r.kind,
                "name": r.name, "at": r.fire.target_kind,
                "HTTP": "—" if r.fire.status is None else str(r.fire.status),
                "verdict": "ok" if r.ok else "failed", "message": r.message} for r in rehearsals[:50]])
    ids = [r.fire.id for r in rehearsals[:50]]
    left, right = st.columns(2)
    first = left.selectbox("Rehearsal", ids, key=f"cmp_a_{app.id}")
    second = right.selectbox("Compare with", ids, index=min(1, len(ids) - 1), key=f"cmp_b_{app.id}")
    if left.button(f"Re-run #{first}", icon=":material/replay:", key=f"rerun_{app.id}"):
        from console.netpolicy import AddressPolicy

        assert isinstance(policy, AddressPolicy)
        try:
            run = action_service.rerun(store, first, sample_base_url, policy, actor=state.actor())
        except ServiceError as exc:
            st.error(md(exc), icon=":material/error:")
        else:
            st.session_state[f"last_rehearsal_{app.id}"] = run.stored.fire.id
            st.rerun()
    by_id = {r.fire.id: r for r in rehearsals}
    rows = compare_rows(store, by_id[first], by_id[second])
    dataframe(rows)


def compare_rows(store: Store, first: StoredRehearsal, second: StoredRehearsal) -> list[dict[str, str]]:
    def outputs(stored: StoredRehearsal) -> dict[str, str]:
        mapping = action_service.rehearsal_outputs(store, stored.fire.id)
        return {o.name: json.dumps(o.value, ensure_ascii=False)[:200] if o.found else "(not found)"
                for o in mapping.outputs}

    a, b = outputs(first), outputs(second)
    rows = [{"": "HTTP", f"#{first.fire.id}": str(first.fire.status or first.fire.category.value),
             f"#{second.fire.id} ": str(second.fire.status or second.fire.category.value)},
            {"": "elapsed (ms)", f"#{first.fire.id}": f"{first.fire.elapsed_ms:.0f}",
             f"#{second.fire.id} ": f"{second.fire.elapsed_ms:.0f}"}]
    for name in sorted(set(a) | set(b)):
        rows.append({"": f"output {name}", f"#{first.fire.id}": a.get(name, "—"),
                     f"#{second.fire.id} ": b.get(name, "—")})
    return rows
