"""Evidence belongs to what it proves: fires count for the App JSON and the URL they were gathered at.

Pure functions: which fires still count for the current App JSON (its sha256) and URL, and what
changed since the older ones were gathered, so the Checklist can say which items need new evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.outcome import FireRecord


@dataclass(frozen=True)
class Staleness:
    """What changed since evidence that no longer counts was gathered."""

    url_changed: int = 0  # fires at another URL
    app_json_changed: int = 0  # fires at this URL, with another App JSON (or one not recorded)
    old_urls: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.url_changed or self.app_json_changed)

    @property
    def message(self) -> str:
        """One line for the Checklist: what changed since, in words."""
        parts = []
        if self.url_changed:
            parts.append(f"the URL changed since {self.url_changed} fire(s) (at "
                         + ", ".join(self.old_urls[:2]) + (", …" if len(self.old_urls) > 2 else "") + ")")
        if self.app_json_changed:
            parts.append(f"the App JSON changed since {self.app_json_changed} fire(s)")
        if not parts:
            return ""
        return ("Evidence set aside: " + "; ".join(parts)
                + ". Those fires no longer count; fire again (and run conformance) for new evidence.")


def current_evidence(fires: Sequence[FireRecord], manifest_hash: str | None,
                     url: str | None) -> tuple[list[FireRecord], Staleness]:
    """The fires gathered at this App JSON and URL (order kept), and what changed since the others.

    ``manifest_hash`` None or ``url`` None means "do not filter on it". A fire with no recorded
    App JSON hash (fired before hashes were stored) cannot be shown to be current: it is set aside.
    """
    kept: list[FireRecord] = []
    url_changed = json_changed = 0
    old_urls: list[str] = []
    for fire in fires:
        if url is not None and fire.url != url:
            url_changed += 1
            if fire.url not in old_urls:
                old_urls.append(fire.url)
        elif manifest_hash is not None and fire.manifest_hash != manifest_hash:
            json_changed += 1
        else:
            kept.append(fire)
    return kept, Staleness(url_changed, json_changed, tuple(old_urls))


@dataclass(frozen=True)
class Recovery:
    status: str  # "pass" | "fail" | "not_provable" | "not_run"
    why: str
    fires: tuple[FireRecord, ...]  # the failure and the success that proves recovery (or the failures)


def judge_recovery(fires: Sequence[FireRecord]) -> Recovery:
    """Recovery proven by any failed fire followed later by a 200 at the same target, whatever sent them
    (the Test fire page, the command line, a conformance run). ``fires`` in any order."""
    ordered = sorted(fires, key=lambda f: (f.fired_at, f.id))
    if not ordered:
        return Recovery("not_run", "No fire yet at this target.", ())
    first_failure: FireRecord | None = None
    for fire in ordered:
        if not fire.ok and first_failure is None:
            first_failure = fire
        elif fire.ok and first_failure is not None:
            return Recovery("pass", f"Fire #{first_failure.id} failed ({_outcome(first_failure)}, from "
                            f"{first_failure.source or 'a fire'}); fire #{fire.id} after it got HTTP 200 (from "
                            f"{fire.source or 'a fire'}): the endpoint recovers.", (first_failure, fire))
    if first_failure is None:
        return Recovery("not_provable", "Every fire at this endpoint got 200, so recovery could not be observed "
                        "yet.", ())
    failures = tuple(f for f in ordered if not f.ok)
    return Recovery("fail", f"Fire #{first_failure.id} failed ({_outcome(first_failure)}) and no fire since got "
                    f"200 ({len(failures)} failed in all).", failures[-3:])


def _outcome(fire: FireRecord) -> str:
    return f"HTTP {fire.status}" if fire.status is not None else fire.category.value
