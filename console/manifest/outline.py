"""Where each finding is shown: next to its auth field, or with its item in an outline of the
document's sections (actions, triggers, sources). Every finding is placed exactly once, so the
counts a page shows always add up to the report's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from console.manifest.calls import sources_of
from console.manifest.document import as_list
from console.manifest.findings import ValidationIssue, ValidationReport

SECTIONS = {"auth": "Auth", "actions": "Actions", "triggers": "Triggers", "sources": "Sources", "": "Document"}


@dataclass(frozen=True)
class OutlineItem:
    pointer: str  # e.g. /actions/0
    label: str
    issues: tuple[ValidationIssue, ...]

    @property
    def errors(self) -> int:
        return sum(1 for issue in self.issues if issue.severity == "error")


@dataclass(frozen=True)
class Section:
    key: str  # "auth" | "actions" | "triggers" | "sources" | ""
    title: str
    issues: tuple[ValidationIssue, ...]  # about the section as a whole (e.g. /actions: no action)
    items: tuple[OutlineItem, ...] = ()

    @property
    def count(self) -> int:
        return len(self.issues) + sum(len(item.issues) for item in self.items)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error") + sum(item.errors for item in self.items)


@dataclass(frozen=True)
class Outline:
    fields: dict[str, tuple[ValidationIssue, ...]]  # auth field pointer → its findings
    sections: tuple[Section, ...]  # auth's "other" findings, then actions, triggers, sources, document
    total: int = field(default=0)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def shown(self) -> int:
        return sum(len(v) for v in self.fields.values()) + sum(s.count for s in self.sections)


def _section_of(pointer: str) -> str:
    head = pointer.split("/")[1] if pointer.startswith("/") else ""
    return head if head in SECTIONS else ""


def _item_pointer(pointer: str) -> str | None:
    parts = pointer.split("/")
    return "/".join(parts[:3]) if len(parts) >= 3 else None


def _label(item: Any, index: int, kind: str) -> str:
    if not isinstance(item, dict):
        return f"{kind} {index + 1} (not an object)"
    name, title = item.get("name"), item.get("title") or item.get("type")
    name_text = str(name) if isinstance(name, str) and name else "(no name)"
    return f"{kind} {index + 1} · {name_text}" + (f" — {title}" if isinstance(title, str) and title else "")


def build_outline(document: dict[str, Any], report: ValidationReport, fields: Sequence[str]) -> Outline:
    """Place every finding: with the first auth field (of ``fields``, those the page shows) whose
    pointer contains it, else with the item of its section, else with its section, else the document."""
    placed: dict[str, list[ValidationIssue]] = {f: [] for f in fields}
    items: dict[str, dict[str, list[ValidationIssue]]] = {key: {} for key in ("actions", "triggers", "sources")}
    labels: dict[str, dict[str, str]] = {key: {} for key in items}
    for key, kind in (("actions", "Action"), ("triggers", "Trigger")):
        for index, item in enumerate(as_list(document.get(key))):
            items[key][f"/{key}/{index}"] = []
            labels[key][f"/{key}/{index}"] = _label(item, index, kind)
    for index, (pointer, _name, item) in enumerate(sources_of(document)):
        items["sources"][pointer] = []
        labels["sources"][pointer] = _label(item, index, "Source")
    loose: dict[str, list[ValidationIssue]] = {key: [] for key in SECTIONS}
    for issue in report.issues:
        pointer = issue.pointer
        target = next((f for f in fields if pointer == f or pointer.startswith(f + "/")), None)
        if target is not None:
            placed[target].append(issue)
            continue
        section = _section_of(pointer)
        item = _item_pointer(pointer) if section in items else None
        if item is not None and item in items[section]:
            items[section][item].append(issue)
        else:
            loose[section].append(issue)
    sections = [Section("auth", "Auth", tuple(loose["auth"]))]
    for key in ("actions", "triggers", "sources"):
        sections.append(Section(key, SECTIONS[key], tuple(loose[key]), tuple(
            OutlineItem(pointer, labels[key][pointer], tuple(found)) for pointer, found in items[key].items())))
    sections.append(Section("", SECTIONS[""], tuple(loose[""])))
    return Outline({f: tuple(v) for f, v in placed.items()}, tuple(sections), len(report.issues))
