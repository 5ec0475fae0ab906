"""Re-keying is atomic: while a public app's review is approved (new scope, a new key for every
installation), callers with the keys being replaced never get 200 on the new scope.

Before: 20 installations, 22 calls with keys being replaced got 200 on the new scope during the approval.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from console.sandbox.api import SandboxServer
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import sandbox, scopes
from console.store import Store
from tests.unit.test_sandbox import SCOPES, make_app

INSTALLATIONS = 20
NEW_SCOPE = "/fb/page/getFlows"


@pytest.fixture
def api(store: Store) -> Iterator[SandboxServer]:
    server = SandboxServer(store).start()
    yield server
    server.stop()


def _hammer(base: str, old_keys: list[str], stop: threading.Event, leaks: list[int], calls: list[int]) -> None:
    with requests.Session() as session:
        while not stop.is_set() and len(calls) < 20_000:  # bounded
            for key in old_keys:
                answer = session.get(base + NEW_SCOPE, headers={"Authorization": f"Bearer {key}"}, timeout=10)
                calls.append(1)
                if answer.status_code == 200:
                    leaks.append(1)


@pytest.mark.parametrize("kind", ["public", "dev"])
def test_no_old_key_gets_the_new_scope_while_keys_are_replaced(store: Store, api: SandboxServer,
                                                               sample: SampleEndpoint, demo_doc: dict,
                                                               kind: str) -> None:
    app = make_app(store, demo_doc, kind=kind)
    old_keys = [sandbox.install_app(store, app.id, str(100 + n), sample.install_url("ok")).app_key
                for n in range(INSTALLATIONS)]
    if kind == "public":
        scopes.change_scopes(store, app.id, [*SCOPES, NEW_SCOPE])
        sandbox.republish_app(store, app.id)
    stop, leaks, calls = threading.Event(), [], []
    callers = [threading.Thread(target=_hammer, args=(api.base_url, old_keys[i::3], stop, leaks, calls))
               for i in range(3)]
    for caller in callers:
        caller.start()
    try:
        while len(calls) < 30:  # the callers are running
            threading.Event().wait(0.01)
        change = (sandbox.approve_review(store, app.id) if kind == "public"
                  else scopes.change_scopes(store, app.id, [*SCOPES, NEW_SCOPE]))
        seen = len(calls)
        while len(calls) < seen + 30:
            threading.Event().wait(0.01)
    finally:
        stop.set()
        for caller in callers:
            caller.join(timeout=30)
    assert len(change.deliveries) == INSTALLATIONS
    assert leaks == [], f"{len(leaks)} of {len(calls)} calls with a key being replaced got 200 on the new scope"
    new_key = change.deliveries[0].app_key
    assert requests.get(api.base_url + NEW_SCOPE, headers={"Authorization": f"Bearer {new_key}"},
                        timeout=10).status_code == 200
