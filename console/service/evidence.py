"""The Checklist's one button: gather every piece of evidence a listing needs in one press.

The conformance runs fire the install request at the checked target; then every action and every rpc
source is rehearsed at the same target. Both are stored in History and decide the checklist's items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from console.access import guard_writes
from console.conformance import ConformanceFire
from console.netpolicy import AddressPolicy
from console.service import actions, firing
from console.service.base import ServiceError, must_get
from console.store import Store

__all__ = ["Gathered", "gather_evidence"]


@dataclass(frozen=True)
class Gathered:
    """What one press gathered: the conformance run's id and the rehearsals stored."""

    run_id: str
    rehearsals: tuple[actions.StoredRun, ...]


def gather_evidence(store: Store, app_ref: int, sample_base_url: str, policy: AddressPolicy, target: str, *,
                    on_fire: Callable[[ConformanceFire, int], None] | None = None,
                    on_rehearsal: Callable[[actions.StoredRun], None] | None = None,
                    actor: str = "local") -> Gathered:
    """Run the conformance steps at ``target``, then rehearse every action and rpc source there."""
    app = must_get(store, app_ref)
    run_id = firing.run_conformance_for_app(store, app, sample_base_url, policy, target, on_fire=on_fire,
                                            actor=actor)
    runs = actions.rehearse_all(store, app_ref, sample_base_url, policy, actor=actor, target=target,
                                on_done=on_rehearsal)
    return Gathered(run_id, tuple(runs))


# every write checks the actor's role before storing: console.access
guard_writes(globals(), ServiceError)
