"""Fuzz the served sandbox from its own OpenAPI document (schemathesis): no 5xx but the documented
uninstalled answer, and every answer is ManyChat's JSON envelope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from console.catalog import SCOPES
from console.profile import AppProfile
from console.sandbox.api import SandboxServer
from console.service import apps, sandbox
from console.store import Store, open_store

UNINSTALLED = b'{"status": "exception","message": "Something went wrong"}'
WRONG_TOKEN = b'{"status": "error","message": "Wrong access token"}'
EXAMPLES = 10


@pytest.fixture
def served(db_url: str) -> Iterator[tuple[Store, SandboxServer]]:
    store = open_store(db_url)
    server = SandboxServer(store).start()
    yield store, server
    server.stop()
    store.close()


def _install(store: Store, demo_doc: dict, name: str) -> tuple[int, str]:
    manual = {**demo_doc, "auth": {**demo_doc["auth"], "request": None}}
    manual["auth"].pop("request")
    manual["triggers"] = [{"name": "order_shipped", "title": "Shipped", "description": "d",
                           "context": [{"name": "order_id", "type": "string", "title": "Order"}]}]
    app = apps.create_app(store, AppProfile(name, "4242", "1.0", "dev"), manual, [s.path for s in SCOPES])
    delivery = sandbox.install_app(store, app.id, "100200300")
    return delivery.installation.id, delivery.app_key


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzz_every_operation_no_server_error(served: tuple[Store, SandboxServer], demo_doc: dict,
                                              mode: GenerationMode) -> None:
    store, server = served
    _installation, key = _install(store, demo_doc, "Fuzzed")
    schema = schemathesis.openapi.from_url(server.base_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(SCOPES) + 1
    session = requests.Session()
    seen: dict[int, int] = {}

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=server.base_url, session=session,
                                 headers={"Authorization": f"Bearer {key}"})
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, (case.path, case.body, case.query, response.text)
            allowed = (200, 400) if mode is GenerationMode.POSITIVE else (200, 400, 401)  # negative: mangled auth too
            assert response.status_code in allowed, (case.path, response.status_code, response.text)
            if response.status_code == 401:
                assert response.content == WRONG_TOKEN
            assert response.json()["status"] in ("success", "error"), response.text

        check()
    if mode is GenerationMode.POSITIVE:
        assert seen.get(200, 0) > len(SCOPES)  # most operations were answered successfully at least once
    else:
        assert seen.get(400, 0) > len(SCOPES)  # bad input is refused with ManyChat's 400, never a crash
    assert all(c.status < 500 for c in sandbox.sandbox_calls(store, limit=10_000))


def test_uninstalled_key_gets_the_documented_500_everywhere(served: tuple[Store, SandboxServer],
                                                            demo_doc: dict) -> None:
    store, server = served
    installation, key = _install(store, demo_doc, "Gone")
    sandbox.uninstall_installation(store, installation)
    for scope in SCOPES:
        response = requests.request(scope.method, server.base_url + scope.path, timeout=10,
                                    headers={"Authorization": f"Bearer {key}"}, json={} if scope.is_write else None)
        assert (response.status_code, response.content) == (500, UNINSTALLED), scope.path
