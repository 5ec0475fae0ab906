"""Checklist items for actions: every action rehearsed with a 200 and every output found; every rpc
source answers with options. Pure: decided from stored rehearsals, for the App JSON they were made with."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from console.actions.model import action_views, find_action, find_source, rpc_sources
from console.manifest.document import as_dict, auth_of
from console.outcome import FireRecord
from console.readiness import (
    CONFIGURED,
    FAIL,
    INSTALLABLE,
    MODEL,
    NOT_RUN,
    PASS,
    ChecklistItem,
    Evidence,
    required,
)


def definition_hash(document: dict[str, Any], kind: str, name: str) -> str:
    """What a rehearsal's evidence is tied to: the action (or source), the sources and auth.connection."""
    found = find_action(document, name) if kind == "action" else find_source(document, name)
    part = {"it": None if found is None else found[1], "sources": document.get("sources"),
            "connection": as_dict(auth_of(document) or {}).get("connection")}
    text = json.dumps(part, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class StoredRehearsal:
    """A rehearsal as History keeps it: the fire and what the action part of its detail says."""

    fire: FireRecord
    kind: str
    name: str
    ok: bool
    message: str
    missing: tuple[str, ...]
    options: tuple[str, ...]
    definition: str
    form_values: Mapping[str, str]

    @staticmethod
    def from_row(row: Mapping[str, Any] | Any) -> StoredRehearsal | None:
        detail = row.get("detail")
        part = detail.get("action") if isinstance(detail, dict) else None
        if not isinstance(part, dict):
            return None
        outputs = [o for o in part.get("outputs") or [] if isinstance(o, dict)]
        return StoredRehearsal(
            FireRecord.from_row(row), str(part.get("kind") or "action"), str(part.get("name") or ""),
            bool(part.get("ok")), str(part.get("message") or ""),
            tuple(str(o.get("name")) for o in outputs if not o.get("found")),
            tuple(str(v) for v in part.get("options") or []), str(part.get("definition") or ""),
            {str(k): str(v) for k, v in as_dict(part.get("form_values")).items()})

    @property
    def label(self) -> str:
        outcome = f"HTTP {self.fire.status}" if self.fire.status is not None else self.fire.category.value
        return f"rehearsal #{self.fire.id} of {self.name}: {outcome}, {self.message}"[:300]


def _latest(document: dict[str, Any], rehearsals: Sequence[StoredRehearsal], kind: str, name: str
            ) -> StoredRehearsal | None:
    """The newest rehearsal of this action made with today's definition (older ones are not evidence)."""
    wanted = definition_hash(document, kind, name)
    return next((r for r in rehearsals if r.kind == kind and r.name == name and r.definition == wanted), None)


def action_items(document: dict[str, Any], rehearsals: Sequence[StoredRehearsal], for_listing: bool
                 ) -> list[ChecklistItem]:
    """The action items (``rehearsals`` newest first, at the checked target)."""
    items = [_actions_item(document, rehearsals, for_listing)]
    sources = rpc_sources(document)
    if sources:
        items.append(_sources_item(document, rehearsals, sources, for_listing))
    return items


def _actions_item(document: dict[str, Any], rehearsals: Sequence[StoredRehearsal], for_listing: bool
                  ) -> ChecklistItem:
    title, required_now = MODEL["actions.rehearsed"].title, required("actions.rehearsed", for_listing)
    names = [view.name for view in action_views(document) if view.name]
    if not names:
        return ChecklistItem("actions.rehearsed", INSTALLABLE, title, FAIL, required_now,
                             "The app has no action: add one on the Actions page (a starter template helps).",
                             (Evidence("finding", "/actions", "actions.none"),))
    latest = {name: _latest(document, rehearsals, "action", name) for name in names}
    never = [n for n, r in latest.items() if r is None]
    failing = [r for r in latest.values() if r is not None and not r.ok]
    evidence = tuple(Evidence("fire", str(r.fire.id), r.label, r.fire.fired_at) for r in latest.values() if r)
    if failing:
        status, why = FAIL, "; ".join(f"{r.name}: {r.message}" for r in failing[:3])
    elif never:
        status, why = NOT_RUN, ("Not rehearsed with today's App JSON: " + ", ".join(never)
                                + ". Rehearse them on the Actions page (or Run conformance on the Checklist).")
    else:
        status, why = PASS, f"All {len(names)} action(s) answered 200 and every mapping output was found."
    return ChecklistItem("actions.rehearsed", INSTALLABLE, title, status, required_now, why, evidence)


def _sources_item(document: dict[str, Any], rehearsals: Sequence[StoredRehearsal], names: list[str],
                  for_listing: bool) -> ChecklistItem:
    title = MODEL["sources.rpc_answers"].title
    latest = {name: _latest(document, rehearsals, "source", name) for name in names}
    never = [n for n, r in latest.items() if r is None]
    failing = [r for r in latest.values() if r is not None and not (r.fire.ok and r.options)]
    evidence = tuple(Evidence("fire", str(r.fire.id), r.label, r.fire.fired_at) for r in latest.values() if r)
    if failing:
        status, why = FAIL, "; ".join(f"{r.name}: {r.message}" for r in failing[:3])
    elif never:
        status, why = NOT_RUN, "Not rehearsed with today's App JSON: " + ", ".join(never) + "."
    else:
        status, why = PASS, f"All {len(names)} rpc source(s) answered 200 with options."
    return ChecklistItem("sources.rpc_answers", CONFIGURED, title, status, required("sources.rpc_answers", for_listing),
                         why, evidence)
