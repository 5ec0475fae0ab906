"""The sandbox checks the key before any routing answer, never builds a URL from Host, answers
unknown paths and methods in ManyChat's envelope, and logs every call.

Before: ``GET /fb/page/getInfo/`` with an unknown key got a 307 to ``http://evil.example/fb/page/getInfo``;
``POST`` to a GET endpoint got a framework 405 body; 3 such calls made 1 log row.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from console.sandbox.api import SandboxServer
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import sandbox
from console.store import Store
from tests.unit.test_sandbox import WRONG_TOKEN, make_app

ODD_CALLS = [("GET", "/fb/page/getInfo/"), ("POST", "/fb/page/getInfo"), ("PUT", "/fb/nowhere"),
             ("DELETE", "/apps/wh"), ("GET", "//fb/page/getInfo"), ("PATCH", "/")]


@pytest.fixture
def api(store: Store) -> Iterator[SandboxServer]:
    server = SandboxServer(store).start()
    yield server
    server.stop()


def _send(api: SandboxServer, method: str, path: str, key: str | None) -> requests.Response:
    headers = {"Host": "evil.example"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return requests.request(method, api.base_url + path, headers=headers, timeout=10, allow_redirects=False)


@pytest.mark.parametrize("key", [None, "not-a-key-of-anyone"])
def test_an_unknown_key_gets_the_401_before_any_routing_answer(store: Store, api: SandboxServer,
                                                               key: str | None) -> None:
    for method, path in ODD_CALLS:
        answer = _send(api, method, path, key)
        assert (answer.status_code, answer.content) == (401, WRONG_TOKEN), (method, path)
        assert "location" not in answer.headers
    assert len(sandbox.sandbox_calls(store, limit=100)) == len(ODD_CALLS)  # every call logged


def test_a_valid_key_gets_manychat_envelopes_for_unknown_paths_and_methods(
        store: Store, api: SandboxServer, sample: SampleEndpoint, demo_doc: dict) -> None:
    app = make_app(store, demo_doc)
    key = sandbox.install_app(store, app.id, "100", sample.install_url("ok")).app_key
    for method, path in ODD_CALLS:
        answer = _send(api, method, path, key)
        assert answer.status_code in (404, 405), (method, path, answer.status_code)
        assert "location" not in answer.headers and "evil.example" not in answer.text
        body = answer.json()
        assert set(body) == {"status", "message"} and body["status"] == "error"
    wrong_method = _send(api, "POST", "/fb/page/getInfo", key)
    assert wrong_method.status_code == 405 and "GET" in wrong_method.json()["message"]
    logged = sandbox.sandbox_calls(store, limit=100)
    assert len([c for c in logged if c.outcome in ("not_found", "wrong_method")]) == len(ODD_CALLS) + 1
    assert all(c.app_ref == app.id for c in logged if c.outcome in ("not_found", "wrong_method"))
