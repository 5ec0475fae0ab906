"""The demo app: loaded with one click, fires at the built-in sample endpoint out of the box."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.manifest import load_manifest_file
from console.profile import AppProfile

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEMO_FILE = ASSETS / "demo_app.json"
DEMO_PROFILE = AppProfile("Demo: Order Notifier", "1000001", "1.0", "dev")
DEMO_SCOPES = ("/fb/page/getInfo", "/fb/page/getTags", "/fb/subscriber/getInfo", "/fb/subscriber/addTagByName",
               "/fb/sending/sendContent")


def demo_settings() -> dict[str, Any]:
    return {"target": "sample", "sample_mode": "ok", "sample_arg": None, "page_id": "100200300",
            "param_values": {"workspace": "acme-shop"}}


def demo_manifest() -> dict[str, Any]:
    return load_manifest_file(DEMO_FILE)
