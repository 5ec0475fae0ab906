"""The semantic difference of two App JSON documents, as JSON-pointer changes.

Objects are compared key by key (key order does not matter); lists of named objects (actions,
triggers, params, forms, sources) are matched by ``name``, so inserting an action does not show
every later action as changed; other lists are compared index by index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from console.templating import escape_pointer

MISSING: Any = object()


@dataclass(frozen=True)
class Change:
    op: str  # "added" | "removed" | "changed" | "moved"
    pointer: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "pointer": self.pointer, "old": self.old, "new": self.new}

    def describe(self, width: int = 60) -> str:
        def short(value: Any) -> str:
            text = json.dumps(value, ensure_ascii=False)
            return text if len(text) <= width else text[: width - 1] + "…"

        where = self.pointer or "/"
        if self.op == "added":
            return f"+ {where}: {short(self.new)}"
        if self.op == "removed":
            return f"- {where}: {short(self.old)}"
        if self.op == "moved":
            return f"~ {where}: moved from position {self.old} to {self.new}"
        return f"~ {where}: {short(self.old)} → {short(self.new)}"


def _named(items: list[Any]) -> dict[str, int] | None:
    """name → index when every item is an object with a unique string name."""
    names: dict[str, int] = {}
    for index, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or name in names:
            return None
        names[name] = index
    return names


DEEPEST = 64  # below this many levels a difference is reported as one change (App JSON is not that deep)


def diff_documents(old: Any, new: Any, pointer: str = "") -> list[Change]:
    """Every change from ``old`` to ``new``; pointers point into ``new`` (into ``old`` for removals)."""
    if pointer.count("/") >= DEEPEST:
        return [] if old == new else [Change("changed", pointer, old=old, new=new)]
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        for key in old:
            child = f"{pointer}/{escape_pointer(str(key))}"
            if key not in new:
                changes.append(Change("removed", child, old=old[key]))
            else:
                changes.extend(diff_documents(old[key], new[key], child))
        for key in new:
            if key not in old:
                changes.append(Change("added", f"{pointer}/{escape_pointer(str(key))}", new=new[key]))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, pointer)
    if old == new and type(old) is type(new):
        return []
    return [Change("changed", pointer, old=old, new=new)]


def _diff_lists(old: list[Any], new: list[Any], pointer: str) -> list[Change]:
    old_names, new_names = _named(old), _named(new)
    changes: list[Change] = []
    if old_names is not None and new_names is not None and (old or new):
        common_old = [name for name in old_names if name in new_names]
        common_new = [name for name in new_names if name in old_names]
        for name, index in old_names.items():
            if name not in new_names:
                changes.append(Change("removed", f"{pointer}/{index}", old=old[index]))
        for name, index in new_names.items():
            if name not in old_names:
                changes.append(Change("added", f"{pointer}/{index}", new=new[index]))
                continue
            before = old_names[name]
            changes.extend(diff_documents(old[before], new[index], f"{pointer}/{index}"))
            if common_old.index(name) != common_new.index(name):  # reordered, not shifted by an insert
                changes.append(Change("moved", f"{pointer}/{index}", old=before, new=index))
        return changes
    for index in range(max(len(old), len(new))):
        child = f"{pointer}/{index}"
        if index >= len(new):
            changes.append(Change("removed", child, old=old[index]))
        elif index >= len(old):
            changes.append(Change("added", child, new=new[index]))
        else:
            changes.extend(diff_documents(old[index], new[index], child))
    return changes


def summarize(changes: list[Change], limit: int = 3) -> str:
    """One line: what changed (for a version list)."""
    if not changes:
        return "no change"
    shown = ", ".join(f"{c.op} {c.pointer or '/'}" for c in changes[:limit])
    more = f" and {len(changes) - limit} more" if len(changes) > limit else ""
    return f"{len(changes)} change(s): {shown}{more}"
