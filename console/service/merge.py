"""A save carries the revision it was based on: a stale save is merged three-way (base → theirs → mine,
per field and per JSON pointer) when it changed other fields than the saves since; a change of the same
field is refused with who changed it, when, the difference and what keeping mine would save."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.service.base import ServiceError
from console.store import AppRecord, Store

MISSING: Any = object()  # a key one side does not have


@dataclass(frozen=True)
class Clash:
    """One JSON pointer both saves changed, differently."""

    pointer: str
    base: str  # each side as JSON text ("(absent)" when it has no value there)
    theirs: str
    mine: str


class StaleSave(ServiceError):
    """A save of a field another save changed since ``based_on``; ``keep_mine`` is the merge with
    mine on every clash, to save with ``based_on=revision`` when the person chooses to keep mine."""

    def __init__(self, what: str, by: str, at: datetime, clashes: tuple[Clash, ...], revision: int,
                 keep_mine: Any) -> None:
        self.what, self.by, self.at, self.clashes = what, by, at, clashes  # what: "App JSON", "scopes", …
        self.revision = revision  # the app's revision now
        self.keep_mine = keep_mine
        super().__init__(str(self))

    def __str__(self) -> str:
        pointers = ", ".join(clash.pointer or "/" for clash in self.clashes)
        return (f"The {self.what} was changed by {self.by} at {self.at:%Y-%m-%d %H:%M} UTC since you opened it "
                f"({pointers}): take theirs, or keep mine.")


def _text(value: Any) -> str:
    return "(absent)" if value is MISSING else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def merge3(base: Any, theirs: Any, mine: Any, pointer: str = "") -> tuple[Any, Any, list[Clash]]:
    """(merged with theirs on a clash, merged with mine on a clash, the clashes); objects are merged key by key."""
    if mine == base or mine == theirs:
        return theirs, theirs, []
    if theirs == base:
        return mine, mine, []
    if all(isinstance(side, dict) for side in (base, theirs, mine)):
        take_theirs: dict[str, Any] = {}
        take_mine: dict[str, Any] = {}
        clashes: list[Clash] = []
        for key in [*theirs, *(k for k in mine if k not in theirs)]:
            a, b, found = merge3(base.get(key, MISSING), theirs.get(key, MISSING), mine.get(key, MISSING),
                                 f"{pointer}/{_escape(str(key))}")
            if a is not MISSING:
                take_theirs[key] = a
            if b is not MISSING:
                take_mine[key] = b
            clashes += found
        return take_theirs, take_mine, clashes
    return theirs, mine, [Clash(pointer, _text(base), _text(theirs), _text(mine))]


def state_of(app: AppRecord) -> dict[str, Any]:
    return {"name": app.name, "app_id": app.app_id, "version": app.version, "kind": app.kind,
            "scopes": list(app.scopes), "manifest": app.manifest, "settings": app.settings}


def scope_set(scopes: Any) -> dict[str, bool]:
    """Scopes as an object, so two people ticking different scopes merge scope by scope."""
    return {str(path): True for path in scopes or ()}


def resolve(store: Store, app: AppRecord, based_on: int | None, what: str, part: str, mine: Any) -> Any:
    """``mine`` (a value of the app's ``part``: manifest, settings, scopes, or the profile's fields as an
    object) merged with the saves since ``based_on``; StaleSave when a save since changed the same pointer.
    None or the current revision: mine as it is."""
    if based_on is None or based_on >= app.revision:
        return mine
    base_record = store.apps.revision(app.id, based_on)
    current = state_of(app)
    theirs = _part(current, part)
    base = _part(base_record.state, part) if base_record is not None else theirs  # unknown base: all of theirs
    if part == "scopes":
        base, theirs, mine = scope_set(base), scope_set(theirs), scope_set(mine)
    merged, keep_mine, clashes = merge3(base, theirs, mine)
    if part == "scopes":
        merged, keep_mine = sorted(merged), sorted(keep_mine)
    if clashes:
        by, at = _who_changed(store, app, based_on, part, clashes[0].pointer)
        raise StaleSave(what, by, at, tuple(clashes), app.revision, keep_mine)
    return merged


def _who_changed(store: Store, app: AppRecord, based_on: int, part: str, pointer: str) -> tuple[str, datetime]:
    """Who last changed the value at ``pointer`` since ``based_on``, and when."""
    found: tuple[str, datetime] = ("someone", app.updated_at)
    previous: Any = MISSING
    for record in store.apps.revisions_since(app.id, based_on):
        value = _at(_part(record.state, part), pointer, part)
        if previous is not MISSING and value != previous:
            found = (record.actor, record.created_at)
        previous = value
    return found


def _at(value: Any, pointer: str, part: str) -> Any:
    if part == "scopes":
        value = scope_set(value)
    for token in [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]:
        value = value.get(token, MISSING) if isinstance(value, dict) else MISSING
    return value


def base_part(store: Store, app: AppRecord, based_on: int | None, part: str) -> Any:
    """The app's ``part`` at ``based_on`` (the current one when None, current or not kept)."""
    record = None if based_on is None or based_on >= app.revision else store.apps.revision(app.id, based_on)
    return _part(record.state if record is not None else state_of(app), part)


def _part(state: dict[str, Any], part: str) -> Any:
    if part == "profile":
        return {name: state.get(name) for name in ("name", "app_id", "version", "kind")}
    return state.get(part)
