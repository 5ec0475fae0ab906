"""Try one call against the local sandbox with an installation's key (the page's "try it")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from console.catalog import get_scope
from console.sandbox.gateway import TRIGGER_PATH

TIMEOUT_S = 10.0


@dataclass(frozen=True)
class CallAnswer:
    status: int | None
    body: str
    message: str = ""


def call_sandbox(base_url: str, app_key: str, path: str, args: dict[str, Any] | None = None) -> CallAnswer:
    """GET with ``args`` as the query, or POST them as the JSON body, as the catalog says (loopback only)."""
    host = urlsplit(base_url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        return CallAnswer(None, "", f"{base_url} is not the local sandbox: only loopback is called.")
    scope = get_scope(path)
    if scope is None and path != TRIGGER_PATH:
        return CallAnswer(None, "", f"{path} is not a catalog endpoint.")
    method = "POST" if scope is None else scope.method
    headers = {"Authorization": f"Bearer {app_key}"}
    session = requests.Session()
    session.trust_env = False
    try:
        if method == "GET":
            response = session.get(base_url + path, params=args or {}, headers=headers, timeout=TIMEOUT_S)
        else:
            response = session.post(base_url + path, data=json.dumps(args or {}),
                                    headers={**headers, "Content-Type": "application/json"}, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        return CallAnswer(None, "", f"The sandbox did not answer: {exc.__class__.__name__}.")
    finally:
        session.close()
    return CallAnswer(response.status_code, response.text)
