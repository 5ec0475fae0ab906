"""Fire the install request for many installations at once: asyncio on uvloop, bounded concurrency.

The rules are those of a single fire (send.py): only 200 is success, redirects are not followed,
each request has a wall-clock deadline, response headers and body are capped, failures are
Categories, and the address of each host is decided once and pinned. Every installation gets
its own App Key (derived from the run's secret, so a request resent after an interruption
carries the same key) and its page_id; only the key's fingerprint leaves here.

Measured on this machine (bench/burst.py), a general asyncio client (aiohttp) spends about
130 µs of CPU per request and could not keep up with nginx; so requests are framed here and
answers parsed in C by httptools (``http1.py``), about 30 µs a request. ``fire_many``
(``burst_loop.py``) is one event loop's work; burst_pool.py runs it in several worker processes,
each with a share of the concurrency, and streams their results (plain ``ResultRow`` tuples) to the caller, who stores
them. No store in here.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from hashlib import sha256
from typing import Any

from console import keys
from console.fire.classify import (
    FAILURES,
    Failure,
)
from console.fire.prepare import (
    FireContext,
    InvalidRequest,
    RenderedRequest,
    check_url,
    masked_request,
    render_request,
    template_values,
)
from console.fire.send import Timeouts
from console.fire.wire import resolve_within
from console.netpolicy import AddressPolicy, Resolver, check_addresses, resolve_host
from console.outcome import Category, SentRequest

MAX_INSTALLATIONS = 100_000
MAX_CONCURRENCY = 1000
GENERATED_PAGE_BASE = 100_000_000_000  # page_id of generated installation n is this + n
SAFE_VALUE = re.compile(r"[A-Za-z0-9_.\-]{1,64}\Z")  # text that no template context escapes
FLUSH_ROWS = 500
FLUSH_SECONDS = 0.2

# seq, key_fingerprint, ok, status, category, elapsed_ms, fired_at (epoch seconds), message
ResultRow = tuple[int, str, bool, int | None, str, float, float, str | None]
Range = tuple[int, int]  # [start, stop) of generated installations


@dataclass(frozen=True)
class Installation:
    """One installation to re-key: its position in the run, its id (None when generated) and page."""

    seq: int
    installation_id: str | None
    page_id: str


def generated_page_id(seq: int) -> str:
    return str(GENERATED_PAGE_BASE + seq)


@dataclass(frozen=True)
class Pin:
    """The decision for one host: the address every connection goes to, or why nothing is sent."""

    address: str | None
    category: Category = Category.OK
    reason: str = ""


def decide_host(host: str, port: int, policy: AddressPolicy, resolver: Resolver | None = None,
                seconds: float = 10.0) -> Pin:
    """Resolve ``host`` once (within ``seconds``) and apply the address policy: the pin its connections use."""
    addresses = resolve_within(resolver or resolve_host, host, port, seconds)
    if isinstance(addresses, Failure):
        return Pin(None, FAILURES[addresses.kind], addresses.kind)
    decision = check_addresses(host, addresses, policy, port=port)
    if not decision.allowed:
        return Pin(None, Category.BLOCKED, decision.reason)
    return Pin(decision.address)


@dataclass(frozen=True)
class BurstPlan:
    """What every fire of a burst sends (the page_id and the key differ per installation)."""

    request: Mapping[str, Any]
    context: FireContext = field(default_factory=FireContext)
    url: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    key_secret: bytes | None = None  # keys derived from it (the same key when a request is resent); None: random
    resolver: Resolver | None = None  # (tests: a slow or odd resolver; a module-level function, pickled by name)

    def key_for(self, seq: int) -> str:
        """The App Key of installation ``seq`` in this run: derived from the run's secret, or fresh."""
        if self.key_secret is None:
            return secrets.token_hex(keys.KEY_BYTES)
        return hmac.new(self.key_secret, f"app-key:{seq}".encode(), sha256).hexdigest()


class RequestTemplate:
    """The install request rendered once, with markers where the key and the page_id go.

    ``render_request`` costs tens of microseconds; a burst renders the request once with
    marker values and fills each installation's key and page_id into the result. That is exactly
    what ``render_request`` gives when the values need no escaping (a hex key; a page_id of
    letters, digits, ``_.-``), which ``fill`` checks; anything else takes ``render_request`` itself.
    """

    def __init__(self, plan: BurstPlan):
        self.plan = plan
        token = uuid.uuid4().hex[:12]
        self._key_mark, self._page_mark = f"zk{token}k", f"zp{token}p"
        self._formats: tuple[str, tuple[tuple[str, str], ...], str | None, str] | None = None
        self._url_varies = False
        try:
            rendered = render_request(plan.request, self._values(self._key_mark, self._page_mark), plan.url)
        except InvalidRequest:
            return  # every installation is rendered on its own (and reports why it cannot be sent)
        source = repr(plan.request) + repr(plan.url) + repr(plan.context)
        if self._key_mark in source or self._page_mark in source:
            return
        self._url_varies = self._page_mark in rendered.url or self._key_mark in rendered.url
        self._formats = (
            self._format(rendered.url),
            tuple((name, self._format(value)) for name, value in rendered.headers),
            None if rendered.body is None else self._format(rendered.body),
            rendered.method,
        )

    def _values(self, key: str, page_id: str) -> dict[str, str]:
        return template_values(key, replace(self.plan.context, page_id=page_id))

    def _format(self, text: str) -> str:
        escaped = text.replace("{", "{{").replace("}", "}}")
        return escaped.replace(self._key_mark, "{k}").replace(self._page_mark, "{p}")

    @property
    def fast(self) -> bool:
        return self._formats is not None

    @property
    def url_varies(self) -> bool:
        """True when the URL holds the page_id or the key (so hosts may differ between installations)."""
        return self._url_varies

    def fill(self, key: str, page_id: str) -> RenderedRequest:
        """The request for one installation (raises InvalidRequest like render_request)."""
        if self._formats is None or not SAFE_VALUE.match(page_id) or not SAFE_VALUE.match(key):
            return render_request(self.plan.request, self._values(key, page_id), self.plan.url)
        url, headers, body, method = self._formats
        rendered_url = url.format(k=key, p=page_id)
        if self._url_varies:
            check_url(rendered_url)
        return RenderedRequest(method, rendered_url, tuple((n, v.format(k=key, p=page_id)) for n, v in headers),
                               None if body is None else body.format(k=key, p=page_id), ())

    def sample(self) -> SentRequest:
        """The request of a first installation, key masked: what the run shows and stores."""
        key = keys.generate_app_key()
        try:
            return masked_request(self.fill(key, generated_page_id(0)), key)
        except InvalidRequest:
            return SentRequest(str(self.plan.request.get("method") or "POST"), str(self.plan.url or ""), (), None)
