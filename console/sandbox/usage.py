"""Least privilege: the scopes an app is granted against the scopes its calls used in the sandbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.catalog import sort_paths

# Outcomes of calls that passed the scope check: they count as the scope being used.
USED_OUTCOMES = ("ok", "bad_request", "coded_error", "rate_limited")


@dataclass(frozen=True)
class LeastPrivilege:
    granted: tuple[str, ...]
    used: dict[str, int]  # granted scope -> calls that passed the scope check
    unused: tuple[str, ...]  # granted, never used: candidates to drop
    missing: dict[str, int]  # called without the scope (401) -> how many times
    calls: int  # every logged call of the app

    @property
    def exercised(self) -> bool:
        """True once a call passed the scope check (before that, 'unused' proves nothing)."""
        return bool(self.used)


def least_privilege(granted: Sequence[str], usage: Sequence[tuple[str, str, int]]) -> LeastPrivilege:
    """From the granted scopes and the call log's (path, outcome, count) rows."""
    granted_paths = tuple(sort_paths(granted))
    used: dict[str, int] = {}
    missing: dict[str, int] = {}
    for path, outcome, count in usage:
        if outcome in USED_OUTCOMES and path in granted_paths:
            used[path] = used.get(path, 0) + count
        elif outcome == "out_of_scope" and path not in granted_paths:
            missing[path] = missing.get(path, 0) + count
    unused = tuple(p for p in granted_paths if p not in used)
    return LeastPrivilege(granted_paths, used, unused, dict(sorted(missing.items())),
                          sum(count for _p, _o, count in usage))
