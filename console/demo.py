"""The demo app (one click, fires at the built-in sample endpoint) and a realistic seeded history."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from console import keys
from console.manifest.document import load_manifest_file
from console.outcome import Category, FireResult, KeyDelivery, ReceivedResponse, SentRequest
from console.profile import AppProfile
from console.sandbox.sample_endpoint import SAMPLE_HTTPS_PLACEHOLDER
from console.signoff import document_hash, scopes_hash

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEMO_FILE = ASSETS / "demo_app.json"
DEMO_PROFILE = AppProfile("Demo: Order Notifier", "1000001", "1.0", "dev")
DEMO_SCOPES = ("/fb/page/getInfo", "/fb/page/getTags", "/fb/subscriber/getInfo", "/fb/subscriber/addTagByName",
               "/fb/sending/sendContent")
SEED_BATCH = 5000
SEED_DAYS = 30
CONFORMANCE_EVERY = 2000  # one stored conformance run per this many seeded fires

# (category, status, weight, typical ms, message)
_OUTCOMES: tuple[tuple[Category, int | None, int, float, str], ...] = (
    (Category.OK, 200, 70, 120.0, "HTTP 200 OK: ManyChat would show success."),
    (Category.HTTP_STATUS, 500, 9, 90.0, "HTTP 500: ManyChat counts only 200 OK as success."),
    (Category.HTTP_STATUS, 201, 4, 110.0, "HTTP 201: ManyChat counts only 200 OK as success."),
    (Category.TIMEOUT, None, 5, 10000.0, "No complete answer within the deadline of 10 s."),
    (Category.CONNECT, None, 4, 2.0, "Could not talk to shop.example.com:443: the connection was refused."),
    (Category.TLS, None, 3, 55.0, "TLS verification failed: the certificate chain is not trusted."),
    (Category.REDIRECT, 302, 3, 80.0, "HTTP 302 redirect to /install/ok; ManyChat does not follow redirects."),
    (Category.DNS, None, 2, 0.0, "The host name shop.example.invalid does not resolve (DNS lookup failed)."),
)
SEED_URL = "https://shop.example.com/manychat/installed"


def demo_settings() -> dict[str, Any]:
    """Fires at the sample endpoint (Home's "Load the demo app" sets it to fire at its own install URL, the sample
    endpoint's https); the actions are rehearsed at the sample endpoint's action modes."""
    return {"target": "sample", "sample_mode": "ok", "sample_arg": None,
            "page_id": "100200300", "param_values": {"workspace": "acme-shop"},
            "action_target": "sample",
            "action_modes": {"action:notify_order": "lookup", "action:choose_shipping": "echo",
                             "source:shipping_options": "options"}}


DEMO_INSTALL_URL = SAMPLE_HTTPS_PLACEHOLDER + "/install/ok"
_ASSET_ORIGIN = "https://example.com"  # where the asset's actions call (a developer's API, by example)


def demo_manifest(install_url: str | None = None) -> dict[str, Any]:
    """The demo App JSON; with ``install_url`` (DEMO_INSTALL_URL for a new demo app: the sample endpoint's
    https, a placeholder until resolved) as its install URL, else the asset's as written."""
    manifest = load_manifest_file(DEMO_FILE)
    if install_url is not None:
        manifest["auth"]["request"]["url"] = install_url
        if install_url.startswith(SAMPLE_HTTPS_PLACEHOLDER):
            _aim_actions_at_the_sample(manifest)
    return manifest


def _aim_actions_at_the_sample(manifest: dict[str, Any]) -> None:
    """The demo's actions and rpc source call the sample endpoint's action modes over https (the same
    placeholder origin), so the demo rehearses them offline wherever the Checklist looks."""
    modes = demo_settings()["action_modes"]
    requests: list[tuple[str, dict[str, Any]]] = [
        (f"action:{a.get('name')}", r) for a in manifest.get("actions") or [] if isinstance(a, dict)
        for r in a.get("requests") or [] if isinstance(r, dict)]
    for source in manifest.get("sources") or []:
        if isinstance(source, dict) and isinstance(source.get("request"), dict):
            requests.append((f"source:{source.get('name')}", source["request"]))
    for key, request in requests:
        url = str(request.get("url") or "")
        if url.startswith(_ASSET_ORIGIN + "/"):
            mode = modes.get(key, "echo")
            request["url"] = f"{SAMPLE_HTTPS_PLACEHOLDER}/action/{mode}{url[len(_ASSET_ORIGIN):]}"


def _template(category: Category, status: int | None, message: str) -> dict[str, Any]:
    """The stored form of one kind of outcome (a masked key: seeded fires never had a real one)."""
    key = "0" * 64
    masked = keys.mask_key(key)
    answered = category.was_answered
    result = FireResult(
        ok=category is Category.OK, status=status, category=category, elapsed_ms=0.0,
        key_fingerprint=keys.fingerprint(key), key_masked=masked,
        request=SentRequest("POST", SEED_URL, (("Content-Type", "application/json"), ("x-token-header", masked)),
                            '{"app_token":"' + masked + '","page_id":"100200300"}'),
        response=ReceivedResponse((("Content-Type", "application/json"),), '{"status": "ok"}', False)
        if answered else None,
        message=message,
        location="/install/ok" if category is Category.REDIRECT else None,
        delivery=KeyDelivery("not_provable", ("header x-token-header", "payload /app_token"), (),
                             "Not provable: the endpoint does not echo what it received.") if answered else None,
        timeline=((0.0, f"rendered POST {SEED_URL}"), (1.0, "connecting and sending"), (2.0, message)),
    )
    return result.to_stored()


def seed_fires(insert_many: Callable[[Sequence[dict[str, Any]]], list[int]], app_ref: int, app_name: str,
               count: int, seed: int = 7) -> Iterator[int]:
    """Insert ``count`` realistic fires for an app, spread over the last 30 days; yields the running total."""
    rng = random.Random(seed)
    templates = [_template(category, status, message) for category, status, _, _, message in _OUTCOMES]
    weights = [weight for _, _, weight, _, _ in _OUTCOMES]
    typical = [ms for _, _, _, ms, _ in _OUTCOMES]
    now = datetime.now(UTC)
    start = now - timedelta(days=SEED_DAYS)
    span = (now - start).total_seconds()
    done = 0
    steps = ["recover", "retry", "retry", "rekey"] + ["burst"] * 10
    while done < count:
        size = min(SEED_BATCH, count - done)
        rows: list[dict[str, Any]] = []
        for index in range(size):
            number = done + index
            at = start + timedelta(seconds=span * number / max(count, 1))
            run_id = step = None
            if number % CONFORMANCE_EVERY < len(steps) and count >= CONFORMANCE_EVERY:
                step = steps[number % CONFORMANCE_EVERY]
                run_id = f"run_seed{number // CONFORMANCE_EVERY:07d}"
                choice = 0
            else:
                choice = rng.choices(range(len(templates)), weights)[0]
            base = templates[choice]
            ms = typical[choice] if typical[choice] >= 10000 else max(0.3, rng.lognormvariate(0, 0.5) * typical[choice])
            rows.append({**base, "elapsed_ms": round(ms, 1), "fired_at": at,
                         "key_fingerprint": keys.fingerprint(uuid.UUID(int=rng.getrandbits(128)).hex),
                         "app_ref": app_ref, "app_name": app_name, "source": "conformance" if run_id else "page",
                         "target_kind": "endpoint", "run_id": run_id, "step": step})
        insert_many(rows)
        done += size
        yield done


# ---------------------------------------------------------------- the demo's 30-day history (issue 18)

HISTORY_PER_DAY = 6
CONFORMANCE_DAYS_AGO = (25, 18, 10, 3)
SIGNOFF_DAYS_AGO = 4


@dataclass(frozen=True)
class DemoHistory:
    """What a new demo app comes with: fires, conformance runs and a sign-off over the last 30 days.

    All of it at the demo developer's earlier staging URL (SEED_URL) and the App JSON of that time,
    so History, the Checklist and Activity look alive while none of it counts as evidence for the
    demo's current App JSON and URL: the demo reaches READY only from fires made now."""

    fires: tuple[dict[str, Any], ...]
    signoff: dict[str, Any]  # keyword arguments of store.signoffs.insert (with ``at``)
    manifest_hash: str  # the earlier App JSON's sha256


def demo_history(app_ref: int, app_name: str, now: datetime | None = None, seed: int = 7) -> DemoHistory:
    """The seeded history of a new demo app (no network; the integrator inserts it)."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    earlier = document_hash(demo_manifest(SEED_URL))
    templates = [_template(category, status, message) for category, status, _, _, message in _OUTCOMES]
    weights = [weight for _, _, weight, _, _ in _OUTCOMES]
    typical = [ms for _, _, _, ms, _ in _OUTCOMES]
    rows: list[dict[str, Any]] = []

    def row(choice: int, at: datetime, source: str, run_id: str | None = None, step: str | None = None) -> None:
        ms = typical[choice] if typical[choice] >= 10000 else max(0.3, rng.lognormvariate(0, 0.5) * typical[choice])
        rows.append({**templates[choice], "elapsed_ms": round(ms, 1), "fired_at": at,
                     "key_fingerprint": keys.fingerprint(uuid.UUID(int=rng.getrandbits(128)).hex),
                     "app_ref": app_ref, "app_name": app_name, "source": source, "target_kind": "endpoint",
                     "run_id": run_id, "step": step, "manifest_hash": earlier, "actor": "demo"})

    for day in range(SEED_DAYS, 0, -1):
        for n in range(HISTORY_PER_DAY):
            at = now - timedelta(days=day, hours=rng.uniform(0, 20), minutes=n)
            row(rng.choices(range(len(templates)), weights)[0], at, "page" if n % 3 else "cli")
    steps = ["recover", "retry", "retry", "rekey"] + ["burst"] * 10
    for index, days_ago in enumerate(CONFORMANCE_DAYS_AGO):
        start = now - timedelta(days=days_ago, hours=2)
        for n, step in enumerate(steps):
            failing = index == 0 and step == "recover" and n == 0  # the first run saw a failure, then recovery
            row(1 if failing else 0, start + timedelta(seconds=n), "conformance", f"run_demo{index:03d}", step)
    rows.sort(key=lambda r: r["fired_at"])
    signoff = {"app_ref": app_ref, "actor": "reviewer", "decision": "approved",
               "comment": "Checked against the staging endpoint.", "ready": True,
               "verdict": "every required item passes", "target": "endpoint", "for_listing": True,
               "manifest_hash": earlier, "scopes_hash": scopes_hash(DEMO_SCOPES), "evidence": [],
               "at": now - timedelta(days=SIGNOFF_DAYS_AGO)}
    return DemoHistory(tuple(rows), signoff, earlier)
