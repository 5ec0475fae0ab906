"""Outgoing webhook notifications: a sign-off, changes requested, a sign-off going stale, a failed
conformance run. Sent with the fire engine's rules (a wall-clock deadline, no redirects, verified
TLS, the team-mode address policy on the resolved address, the connection pinned to it) and
retried with a bounded backoff. The body is Slack-compatible (``{"text": …}``) or a plain JSON event.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from console.fire.prepare import RenderedRequest
from console.fire.send import Timeouts, send_rendered
from console.netpolicy import AddressPolicy, Resolver

EVENTS = {
    "signoff": "signed off",
    "changes_requested": "requested changes on",
    "signoff_stale": "— a sign-off went stale on",
    "conformance_failed": "— a conformance run failed on",
}
FORMATS = ("slack", "json")
DEADLINE_S = 10.0
MAX_ATTEMPTS = 4
BACKOFF_S = (1.0, 2.0, 4.0)  # waits between attempts: at most 7 s of waiting, 4 attempts
USER_AGENT = "ManyChat-AppKeyConsole/1.0 (webhook)"


class WebhookError(ValueError):
    """A webhook URL the console will not use; the message says why."""


@dataclass(frozen=True)
class Event:
    kind: str  # one of EVENTS
    app_ref: int | None
    app_name: str
    actor: str
    detail: str  # one line: the verdict, the comment, what changed
    at: datetime

    def text(self) -> str:
        verb = EVENTS[self.kind]
        who = self.actor if not verb.startswith("—") else ""
        line = f"{who} {verb} {self.app_name}".strip()
        return f"{line}: {self.detail}" if self.detail else line

    def body(self, fmt: str) -> dict[str, Any]:
        if fmt == "slack":
            return {"text": "App Key Console: " + self.text()}
        return {"event": self.kind, "app": {"id": self.app_ref, "name": self.app_name}, "actor": self.actor,
                "detail": self.detail, "at": self.at.isoformat(), "text": self.text()}


@dataclass(frozen=True)
class Attempt:
    status: int | None
    error: str  # "" when the endpoint answered 2xx

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class Delivery:
    outcome: str  # "delivered" | "failed"
    attempts: int
    status: int | None
    error: str


def check_url(url: str) -> str:
    """An http(s) URL with a host and no credentials; WebhookError otherwise."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("The webhook URL must start with https:// (or http://) and name a host, "
                           "e.g. https://hooks.slack.com/services/…")
    if parts.username or parts.password:
        raise WebhookError("The webhook URL must not hold a user name or password (user:pass@host).")
    if len(url) > 2000:
        raise WebhookError(f"The webhook URL is {len(url)} characters long: at most 2000.")
    return url


def destination(url: str) -> str:
    """What the console shows and stores of a webhook URL: scheme, host and port (the path may be a secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def post_once(url: str, body: Mapping[str, Any], policy: AddressPolicy, deadline_s: float = DEADLINE_S,
              resolver: Resolver | None = None) -> Attempt:
    """POST the JSON body once with the fire engine's rules (the deadline, no redirects, the address policy,
    capped reads); an Attempt, never an exception. The URL's path and query (a Slack hook's secret) are
    masked in every message."""
    parts = urlsplit(url)
    secret = url[len(f"{parts.scheme}://{parts.netloc}"):]
    rendered = RenderedRequest("POST", url, (("User-Agent", USER_AGENT), ("Content-Type", "application/json")),
                               json.dumps(body, ensure_ascii=False), ())
    timeouts = Timeouts(connect=min(5.0, deadline_s), total=deadline_s)
    exchange = send_rendered(rendered, secrets=(secret,) if len(secret) > 1 else (), timeouts=timeouts,
                             policy=policy, resolver=resolver)
    status = exchange.status
    if status is None:
        return Attempt(None, exchange.message)
    if 300 <= status < 400:
        return Attempt(status, f"HTTP {status} redirect: webhooks are not redirected (give the final URL)")
    return Attempt(status, "" if 200 <= status < 300 else f"HTTP {status}")


def deliver(url: str, body: Mapping[str, Any], policy: AddressPolicy, *, attempts: int = MAX_ATTEMPTS,
            backoff: tuple[float, ...] = BACKOFF_S, sleep: Callable[[float], None] = time.sleep,
            send: Callable[..., Attempt] = post_once) -> Delivery:
    """Send with retries: a connection failure, a timeout, 429 or 5xx is retried after the next backoff
    wait (bounded: ``attempts`` tries in all); any other answer is final."""
    last = Attempt(None, "not sent")
    for number in range(1, max(1, attempts) + 1):
        last = send(url, body, policy)
        if last.ok:
            return Delivery("delivered", number, last.status, "")
        if not last.retryable or number >= attempts:
            return Delivery("failed", number, last.status, last.error)
        sleep(backoff[min(number - 1, len(backoff) - 1)] if backoff else 0.0)
    return Delivery("failed", attempts, last.status, last.error)


def event(kind: str, app_ref: int | None, app_name: str, actor: str, detail: str) -> Event:
    if kind not in EVENTS:
        raise ValueError(f"unknown event {kind!r}")
    return Event(kind, app_ref, app_name, actor, detail[:500], datetime.now(UTC))
