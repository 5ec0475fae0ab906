"""Conformance runs: the install request fired the ways ManyChat really sends it.

1. recover   a fire after a failed one succeeds (the installer's Retry; up to 2 retries)
2. retry     the same key fired twice gets 200 both times (Retry re-sends the same key)
3. rekey     a fresh key for the same page gets 200 (re-keying after a scope change)
4. burst     the endpoint answers within the deadline under 10 fires in a row
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from console import keys
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from console.netpolicy import AddressPolicy
from console.outcome import FireResult

STEPS = ("recover", "retry", "rekey", "burst")
RECOVER_RETRIES = 2
BURST_FIRES = 10
MAX_FIRES = 1 + RECOVER_RETRIES + 2 + 1 + BURST_FIRES


@dataclass(frozen=True)
class ConformanceFire:
    step: str
    result: FireResult


def new_run_id() -> str:
    return "run_" + uuid.uuid4().hex[:12]


def run_conformance(
    request: Mapping[str, Any],
    context: FireContext,
    *,
    url: str | None = None,
    timeouts: Timeouts | None = None,
    policy: AddressPolicy | None = None,
    on_fire: Callable[[ConformanceFire, int], None] | None = None,
) -> list[ConformanceFire]:
    """Fire every step in order (at most MAX_FIRES fires); ``on_fire(fire, index)`` after each."""
    fired: list[ConformanceFire] = []

    def shoot(step: str, app_key: str) -> FireResult:
        result = fire_install_request(request, context, app_key=app_key, url=url, timeouts=timeouts,
                                      policy=policy)
        item = ConformanceFire(step, result)
        fired.append(item)
        if on_fire is not None:
            on_fire(item, len(fired))
        return result

    key = keys.generate_app_key()
    result = shoot("recover", key)
    for _ in range(RECOVER_RETRIES):
        if result.ok or not result.category.was_sent:
            break
        result = shoot("recover", key)
    key = keys.generate_app_key()
    shoot("retry", key)
    shoot("retry", key)
    shoot("rekey", keys.generate_app_key())
    for _ in range(BURST_FIRES):
        shoot("burst", keys.generate_app_key())
    return fired
