"""Compatibility between two App JSON versions: each change breaking, needing review, or safe.

Some changes reach every installation: adding a scope re-keys every installation (a public app after
review, a dev app at once); removing or renaming an action, a form field, a trigger, a mapping output
or a source breaks the flows installers built on it; changing where the App Key is sent breaks every
deployed endpoint. A diff of two App JSON files holds no scopes (they live in ManyChat's API Access):
scope changes are classified only when the caller gives the scopes of both versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.manifest.diff import diff_documents
from console.manifest.document import as_dict, as_list, request_of
from console.manifest.request_rules import split_header
from console.templating import KEY_VARIABLE, escape_pointer, walk_strings

BREAKING, REVIEW, SAFE = "breaking", "review", "safe"
CLASS_LABELS = {BREAKING: "breaking", REVIEW: "needs review", SAFE: "safe"}
SCOPES_NOTE = ("Scopes are not part of App JSON (they live in ManyChat's API Access): give the scopes of both "
               "versions (--old-scope, --new-scope) and the app's kind (--kind public|dev) to classify a scope "
               "change.")


@dataclass(frozen=True)
class CompatChange:
    cls: str  # BREAKING | REVIEW | SAFE
    pointer: str  # into the new document (into the old one for a removal)
    what: str  # what changed
    impact: str  # what it breaks, for whom (or why it is safe)
    side: str = "new"  # which document ``pointer`` points into: "new", or "old" (a removal); "" for none

    def to_dict(self) -> dict[str, str]:
        return {"class": self.cls, "pointer": self.pointer, "in": self.side, "what": self.what,
                "impact": self.impact}

    def describe(self) -> str:
        where = (self.pointer or "/") + (" (in the old version)" if self.side == "old" else "")
        return f"[{CLASS_LABELS[self.cls]}] {where}: {self.what}: {self.impact}"


@dataclass(frozen=True)
class CompatReport:
    changes: tuple[CompatChange, ...]
    notes: tuple[str, ...] = ()

    @property
    def breaking(self) -> tuple[CompatChange, ...]:
        return tuple(c for c in self.changes if c.cls == BREAKING)

    @property
    def review(self) -> tuple[CompatChange, ...]:
        return tuple(c for c in self.changes if c.cls == REVIEW)

    def to_dict(self) -> dict[str, Any]:
        return {"compatible": not self.breaking, "breaking": len(self.breaking), "review": len(self.review),
                "safe": len(self.changes) - len(self.breaking) - len(self.review),
                "changes": [c.to_dict() for c in self.changes], "notes": list(self.notes)}


def _by_name(items: Any) -> dict[str, tuple[int, dict[str, Any]]]:
    named: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, item in enumerate(as_list(items)):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            named.setdefault(item["name"], (index, item))
    return named


def _without_name(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "name"}


def _renamed_to(old: dict[str, Any], added: dict[str, tuple[int, dict[str, Any]]]) -> str | None:
    """The added item that is ``old`` under another name (same content, or same title), if any."""
    for name, (_, item) in added.items():
        if _without_name(item) == _without_name(old) or (old.get("title") and item.get("title") == old.get("title")):
            return name
    return None


Kept = list[tuple[str, dict[str, Any], dict[str, Any], str, str]]  # name, old item, new item, old and new pointers


def _named_list(old: Any, new: Any, bases: tuple[str, str], noun: str,
                removed_impact: str) -> tuple[list[CompatChange], Kept]:
    """Removed (or renamed) items are breaking, added ones safe; returns the pairs kept, to compare deeper.
    ``bases``: the list's pointer in the old document and in the new one."""
    old_base, new_base = bases
    old_items, new_items = _by_name(old), _by_name(new)
    added = {n: v for n, v in new_items.items() if n not in old_items}
    changes: list[CompatChange] = []
    kept: Kept = []
    for name, (index, item) in old_items.items():
        if name in new_items:
            new_index, new_item = new_items[name]
            kept.append((name, item, new_item, f"{old_base}/{index}", f"{new_base}/{new_index}"))
            continue
        target = _renamed_to(item, added)
        what = f"{noun} `{name}` renamed to `{target}`" if target else f"{noun} `{name}` removed"
        changes.append(CompatChange(BREAKING, f"{old_base}/{index}", what, removed_impact.format(name=name), "old"))
    for name, (index, _) in added.items():
        if not any(c.what.endswith(f"renamed to `{name}`") for c in changes):
            changes.append(CompatChange(SAFE, f"{new_base}/{index}", f"{noun} `{name}` added",
                                        "new; nothing built before uses it"))
    return changes, kept


def _forms(action: str, old: Any, new: Any, bases: tuple[str, str]) -> list[CompatChange]:
    changes, kept = _named_list(old, new, bases, "form field",
                                f"flows using action `{action}` lose the value set in field `{{name}}`")
    for name, before, after, _, pointer in kept:
        if before.get("type") != after.get("type"):
            changes.append(CompatChange(BREAKING, pointer + "/type", f"form field `{name}` type changed",
                                        f"values set in flows using action `{action}` no longer fit the field"))
    result = []
    for change in changes:
        _, new_item = _by_name(new).get(change.what.split("`")[1], (0, {}))
        if change.cls == SAFE and "default" not in new_item:
            change = CompatChange(BREAKING, change.pointer, change.what + " without a default",
                                  f"flows using action `{action}` stop working until the new field is filled in "
                                  "each of them")
        result.append(change)
    return result


def _outputs(action: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    outputs: dict[str, tuple[str, dict[str, Any]]] = {}
    for r_index, request in enumerate(as_list(action.get("requests"))):
        for m_index, item in enumerate(as_list(as_dict(request).get("mapping"))):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                outputs.setdefault(item["name"], (f"/requests/{r_index}/mapping/{m_index}", item))
    return outputs


def _mapping(action: str, old: dict[str, Any], new: dict[str, Any], base: str, old_base: str) -> list[CompatChange]:
    before, after = _outputs(old), _outputs(new)
    changes = []
    for name, (where, item) in before.items():
        if name not in after:
            changes.append(CompatChange(BREAKING, old_base + where, f"mapping output `{name}` of action `{action}` "
                                        "removed", f"flows using output `{name}` of action `{action}` lose its value",
                                        "old"))
        elif item.get("type") != after[name][1].get("type"):
            changes.append(CompatChange(BREAKING, base + after[name][0] + "/type", f"mapping output `{name}` type "
                                        "changed", f"flows saving `{name}` of action `{action}` into a field of the "
                                        "old type stop working"))
    for name, (where, _) in after.items():
        if name not in before:
            changes.append(CompatChange(SAFE, base + where, f"mapping output `{name}` of action `{action}` added",
                                        "new; nothing built before uses it"))
    return changes


def _actions(old: dict[str, Any], new: dict[str, Any]) -> list[CompatChange]:
    changes, kept = _named_list(old.get("actions"), new.get("actions"), ("/actions", "/actions"), "action",
                                "flows using action `{name}` stop working")
    for name, before, after, old_pointer, pointer in kept:
        changes += _forms(name, before.get("forms"), after.get("forms"), (old_pointer + "/forms", pointer + "/forms"))
        changes += _mapping(name, before, after, pointer, old_pointer)
    return changes


def _triggers(old: dict[str, Any], new: dict[str, Any]) -> list[CompatChange]:
    changes, kept = _named_list(old.get("triggers"), new.get("triggers"), ("/triggers", "/triggers"), "trigger",
                                "flows started by trigger `{name}` never start again; the app's calls naming it fail")
    for name, before, after, old_pointer, pointer in kept:
        context, _ = _named_list(before.get("context"), after.get("context"),
                                 (old_pointer + "/context", pointer + "/context"), "context field",
                                 f"flows started by trigger `{name}` lose context field `{{name}}`")
        changes += context
    return changes


def _sources(old: dict[str, Any], new: dict[str, Any]) -> list[CompatChange]:
    changes, _ = _named_list(old.get("sources"), new.get("sources"), ("/sources", "/sources"), "source",
                             "form fields whose dropdown uses source `{name}` lose their choices")
    return changes


def key_places(document: dict[str, Any]) -> tuple[str, ...]:
    """Where auth.request sends the App Key: ``header x-app-key``, ``query``, ``payload /app_token``."""
    request = request_of(document)
    if request is None:
        return ()
    marker = "{{" + KEY_VARIABLE + "}}"
    places: list[str] = []
    if isinstance(request.get("url"), str) and marker in request["url"]:
        places.append("the URL's query")
    for line in as_list(request.get("headers")):
        parts = split_header(line) if isinstance(line, str) and marker in line else None
        if parts is not None:
            places.append(f"header {parts[0].strip().lower()}")
    for pointer, text in walk_strings(request.get("payload"), ""):
        if marker in text.replace(" ", ""):
            places.append(f"payload {pointer or '/'}")
    return tuple(sorted(set(places)))


def _delivery(old: dict[str, Any], new: dict[str, Any]) -> list[CompatChange]:
    before, after = request_of(old), request_of(new)
    if before is None and after is None:
        return []
    if after is None:
        return [CompatChange(BREAKING, "/auth/request", "auth.request removed",
                             "every deployed endpoint stops receiving the key: new keys (installs and every re-key) "
                             "must be copied by hand", "old")]
    if before is None:
        return [CompatChange(SAFE, "/auth/request", "auth.request added",
                             "new installations and re-keys send the key to the endpoint; nothing deployed relied "
                             "on it")]
    changes = []
    if before.get("url") != after.get("url") or str(before.get("method")).upper() != str(after.get("method")).upper():
        changes.append(CompatChange(BREAKING, "/auth/request/url", "where the install request goes changed "
                                    f"({before.get('method')} {before.get('url')} → {after.get('method')} "
                                    f"{after.get('url')})",
                                    "every deployed endpoint at the old address stops receiving the key (installs "
                                    "and every re-key go to the new one)"))
    old_places, new_places = key_places(old), key_places(new)
    if old_places != new_places:
        was = ", ".join(old_places) or "nowhere"
        now = ", ".join(new_places) or "nowhere"
        changes.append(CompatChange(BREAKING, "/auth/request", f"where the key is sent changed (was {was}; now {now})",
                                    "every deployed endpoint stops receiving the key where it reads it"))
    return changes


def _params(old: dict[str, Any], new: dict[str, Any]) -> list[CompatChange]:
    before = _by_name(as_dict(old.get("auth")).get("params"))
    after = _by_name(as_dict(new.get("auth")).get("params"))
    changes = []
    for name, (index, _) in after.items():
        if name not in before:
            changes.append(CompatChange(BREAKING, f"/auth/params/{index}", f"installer param `{name}` added",
                                        f"existing installations have no value for `{name}`: requests using "
                                        f"[[{name}]] send it empty until they reinstall"))
    for name, (index, _) in before.items():
        if name not in after:
            changes.append(CompatChange(SAFE, f"/auth/params/{index}", f"installer param `{name}` removed",
                                        "installers are no longer asked for it (validation flags any use left)", "old"))
    return changes


def _scopes(old: Sequence[str], new: Sequence[str], kind: str | None) -> list[CompatChange]:
    public = kind != "dev"
    changes = []
    for path in (p for p in new if p not in old):
        impact = ("every installation gets a new App Key after review (the app goes back to review; each install "
                  "request fires again)" if public else
                  "every installation gets a new App Key at once (a dev app applies changes immediately)")
        changes.append(CompatChange(BREAKING, "", f"scope {path} added", impact, ""))
        if public:
            changes.append(CompatChange(REVIEW, "", f"scope {path} added",
                                        "a public app's scope change is reviewed by ManyChat before it applies", ""))
    for path in (p for p in old if p not in new):
        changes.append(CompatChange(REVIEW if public else BREAKING, "", f"scope {path} removed",
                                    ("reviewed by ManyChat; afterwards " if public else "at once: ")
                                    + f"calls to {path} with an App Key get 401 Wrong access token", ""))
    return changes


def _covered(pointer: str, changes: Sequence[CompatChange]) -> bool:
    """A raw change inside a classified one, or around one (a whole section removed), is already told."""
    return any(c.pointer and (pointer == c.pointer or pointer.startswith(c.pointer + "/")
                              or c.pointer.startswith(pointer + "/")) for c in changes)


def classify(old: dict[str, Any], new: dict[str, Any], *, kind: str | None = None,
             old_scopes: Sequence[str] | None = None, new_scopes: Sequence[str] | None = None) -> CompatReport:
    """Every change from ``old`` to ``new``, classified. ``kind``: "public" | "dev" (None: assumed public)."""
    changes = _delivery(old, new) + _params(old, new) + _actions(old, new) + _triggers(old, new) + _sources(old, new)
    notes = []
    if old_scopes is not None and new_scopes is not None:
        changes += _scopes(old_scopes, new_scopes, kind)
        if kind is None and set(old_scopes) != set(new_scopes):
            notes.append("The app's kind was not given: scope changes are judged as for a public app "
                         "(--kind dev for a dev app).")
    else:
        notes.append(SCOPES_NOTE)
    for change in diff_documents(old, new):
        if change.pointer.startswith("/auth/request") and any(c.pointer.startswith("/auth/request") for c in changes):
            continue
        if not _covered(change.pointer, changes):
            changes.append(CompatChange(SAFE, change.pointer, change.describe(60),
                                        "installations and flows keep working",
                                        "old" if change.op == "removed" else "new"))
    order = {BREAKING: 0, REVIEW: 1, SAFE: 2}
    return CompatReport(tuple(sorted(changes, key=lambda c: order[c.cls])), tuple(notes))


def pointer_of(*tokens: str) -> str:
    return "".join("/" + escape_pointer(t) for t in tokens)
