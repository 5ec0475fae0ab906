"""The sample endpoint's answers for action rehearsals: JSON, deterministic, offline.

``/action/<mode>/<path>`` where mode is
- ``echo``: 200 with what it received (method, path, query, JSON payload; key-like values masked);
- ``lookup``: 200 with a record for the last path segment (an order: id, status, total…), 404 for ``missing``;
- ``options``: 200 with ``{"data": [{"id", "title"}…]}`` (a dropdown's choices for enum:rpc);
- ``slow`` or ``slow:N``: waits N seconds (default 3, at most 60), then answers like echo;
- ``fail``: 500 with a JSON error.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ACTION_MODES = ("echo", "lookup", "options", "slow", "fail")
ACTION_MODE_HELP = {
    "echo": "answers 200 with what it received (method, path, query, payload)",
    "lookup": "answers 200 with an order record for the last path segment (404 for 'missing')",
    "options": "answers 200 with a list of choices under $.data (for an enum:rpc source)",
    "slow": "waits 3 seconds (slow:N for N), then answers like echo",
    "fail": "answers 500 with a JSON error",
}
STATUSES = ("processing", "shipped", "delivered")
CHOICES = (("standard", "Standard shipping"), ("express", "Express shipping"), ("pickup", "Pick up in store"))
MAX_DELAY = 60.0


def _masked(text: str) -> str:
    from console.sandbox.sample_endpoint import mask_secrets

    return mask_secrets(text)


def _echo(method: str, parts: Any, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace")
    try:
        payload = json.loads(_masked(text)) if text else None
    except json.JSONDecodeError:
        payload = _masked(text)[:4096]
    return {"method": method, "path": unquote(parts.path),
            "query": {k: _masked(v) for k, v in parse_qsl(parts.query)},
            "headers": {k.lower(): _masked(v) for k, v in headers.items()
                        if k.lower() in ("content-type", "accept", "x-workspace")},
            "payload": payload}


def _record(key: str) -> dict[str, Any]:
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)
    return {"id": key, "status": STATUSES[digest % len(STATUSES)], "total": round(10 + digest % 9000 / 100, 2),
            "currency": "USD", "items": [{"sku": f"SKU-{digest % 1000:03d}", "quantity": 1 + digest % 3}],
            "updated_at": "2026-01-31T12:00:00Z"}


def action_answer(method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], float]:
    """(status, JSON answer, seconds to wait first) for an /action/… request."""
    parts = urlsplit(target)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    mode, _, arg = (segments[1] if len(segments) > 1 else "").partition(":")
    if mode not in ACTION_MODES:
        return 404, {"status": "error", "message": "Unknown path. Use /action/<mode>/….", "modes": ACTION_MODE_HELP}, 0
    echo = _echo(method, parts, headers, body)
    if mode == "lookup":
        key = segments[-1] if len(segments) > 2 else ""
        if not key or key == "missing":
            return 404, {"status": "error", "message": f"No record {key!r}.", "echo": echo}, 0
        return 200, {"status": "ok", **_record(key), "echo": echo}, 0
    if mode == "options":
        return 200, {"status": "ok", "data": [{"id": i, "title": t} for i, t in CHOICES]}, 0
    if mode == "fail":
        return 500, {"status": "error", "message": "The sample endpoint fails on purpose (mode fail).",
                     "echo": echo}, 0
    delay = 0.0
    if mode == "slow":
        try:
            delay = min(max(float(arg or 3), 0.0), MAX_DELAY)
        except ValueError:
            delay = 3.0
    return 200, {"status": "ok", "echo": echo}, delay
