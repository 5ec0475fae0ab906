"""Fire the install request for many installations at once: asyncio on uvloop, bounded concurrency.

The rules are those of a single fire (send.py): only 200 is success, redirects are not followed,
each request has a wall-clock deadline, response headers and body are capped, failures are
Categories, and in team mode the address of each host is decided once and pinned. Every
installation gets its own fresh App Key and its page_id; only the key's fingerprint leaves here.

Measured on this machine (bench/burst.py), a general asyncio client (aiohttp) spends about
130 µs of CPU per request and could not keep up with nginx; so requests are framed here and
answers parsed in C by httptools (``http1.py``), about 30 µs a request. ``fire_many`` is one
event loop's work; burst_pool.py runs it in several worker processes, each with a share of the
concurrency, and streams their results (plain ``ResultRow`` tuples) to the caller, who stores
them. No store in here.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import ssl
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

from requests.utils import requote_uri

from console import keys
from console.fire.classify import tls_message
from console.fire.prepare import (
    FireContext,
    InvalidRequest,
    RenderedRequest,
    check_url,
    masked_request,
    render_request,
    template_values,
)
from console.fire.send import BODY_CAP, USER_AGENT, Timeouts
from console.netpolicy import AddressPolicy, check_addresses, resolve_host
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


def decide_host(host: str, port: int, policy: AddressPolicy) -> Pin:
    """Resolve ``host`` once and apply the address policy; the pin all of its connections use."""
    try:
        addresses = resolve_host(host, port)
        if not addresses:
            raise OSError("no addresses")
    except (OSError, UnicodeError):
        return Pin(None, Category.DNS, f"The host name {host} does not resolve (DNS lookup failed).")
    decision = check_addresses(host, addresses, policy)
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


# ---------------------------------------------------------------- one worker process: the event loop


def _fingerprint(key: str) -> str:
    return keys.FINGERPRINT_PREFIX + sha256(key.encode()).hexdigest()[:16]


class _Pins:
    """Host decisions of this process: given ones first, others decided on first use and kept."""

    def __init__(self, policy: AddressPolicy, given: Mapping[tuple[str, int], Pin]):
        self.policy = policy
        self.pins: dict[tuple[str, int], Pin] = dict(given)

    def get(self, host: str, port: int) -> Pin:
        pin = self.pins.get((host, port))
        if pin is None:
            pin = self.pins[(host, port)] = decide_host(host, port, self.policy)
        return pin


@dataclass(frozen=True)
class _Target:
    """Where one rendered URL goes: the pinned connection key and the request line's parts."""

    scheme: str
    host: str
    port: int
    host_header: str
    path: str


def _target(url: str) -> _Target:
    parts = urlsplit(requote_uri(url))
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(scheme, parts.hostname or "", port, parts.netloc.rpartition("@")[2], path)


_FRAMING = frozenset({"content-length", "transfer-encoding"})  # the body is framed here, never by the manifest
_DEFAULTS = (("User-Agent", USER_AGENT), ("Accept", "*/*"), ("Accept-Encoding", "identity"),
             ("Connection", "keep-alive"))


def frame_request(rendered: RenderedRequest, target: _Target) -> bytes:
    """The request's bytes as send.py sends them: the console's headers, those of the manifest winning."""
    given = {name.lower() for name, _ in rendered.headers}
    body = b"" if rendered.body is None else rendered.body.encode("utf-8")
    lines = [f"{rendered.method} {target.path} HTTP/1.1"]
    if "host" not in given:
        lines.append(f"Host: {target.host_header}")
    lines.extend(f"{name}: {value}" for name, value in _DEFAULTS if name.lower() not in given)
    lines.extend(f"{name}: {value}" for name, value in rendered.headers if name.lower() not in _FRAMING)
    if rendered.body is not None or rendered.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


async def fire_many(plan: BurstPlan, installations: Iterable[Installation], concurrency: int,
                    emit: Callable[[list[ResultRow]], None], pins: Mapping[tuple[str, int], Pin] | None = None,
                    stopping: asyncio.Event | None = None) -> int:
    """Fire at every installation, ``concurrency`` at a time; results go to ``emit`` in batches.

    Each of the ``concurrency`` lanes keeps one keep-alive connection to the pinned address and
    fires its installations one after another on it (a new connection when the server closes it).
    After ``stopping`` is set no new installation is started (those in flight finish). The count fired.
    """
    from console.fire import http1

    template = RequestTemplate(plan)
    host_pins = _Pins(plan.policy, pins or {})
    deadline_s, connect_s = plan.timeouts.total, plan.timeouts.connect
    tls = http1.tls_context()
    targets: dict[str, _Target] = {}
    buffer: list[ResultRow] = []
    fired = 0
    pending = iter(installations)
    stop = stopping or asyncio.Event()

    def flush() -> None:
        if buffer:
            emit(buffer.copy())
            buffer.clear()

    async def one(item: Installation, held: list[Any]) -> ResultRow:
        key = secrets.token_hex(keys.KEY_BYTES)
        fingerprint = _fingerprint(key)
        started = time.monotonic()
        fired_at = time.time()

        def done(category: Category, status: int | None = None, message: str | None = None) -> ResultRow:
            return (item.seq, fingerprint, category is Category.OK, status, category.value,
                    (time.monotonic() - started) * 1000, fired_at, message)

        try:
            rendered = template.fill(key, item.page_id)
            target = targets.get(rendered.url)
            if target is None:
                target = _target(rendered.url)
                if len(targets) < 10_000:
                    targets[rendered.url] = target
        except (InvalidRequest, ValueError) as exc:
            return done(Category.INVALID_REQUEST, message=keys.redact(str(exc), key)[:300])
        pin = host_pins.get(target.host, target.port)
        if pin.address is None:
            return done(pin.category, message=pin.reason)
        request = frame_request(rendered, target)
        conn = held[0]
        where = (pin.address, target.port, target.host, target.scheme)
        try:
            async with asyncio.timeout(deadline_s):
                for attempt in (1, 2):  # a second time only when a kept-alive connection was found closed
                    if conn is None or conn.closed or held[1] != where:
                        if conn is not None:
                            conn.close()
                        held[0] = None
                        try:
                            async with asyncio.timeout(connect_s):
                                conn = await http1.connect(pin.address, target.port, target.host,
                                                           tls if target.scheme == "https" else None, BODY_CAP)
                        except TimeoutError:
                            return done(Category.TIMEOUT,
                                        message=f"No connection within the connect timeout of {connect_s:g} s.")
                        held[0], held[1] = conn, where
                    try:
                        status, truncated = await conn.exchange(request)
                        break
                    except http1.StaleConnection:
                        conn.close()
                        if attempt == 2:
                            raise
        except TimeoutError:
            if held[0] is not None:
                held[0].close()
            return done(Category.TIMEOUT, message=f"No complete answer within the deadline of {deadline_s:g} s.")
        except http1.AnswerError as exc:
            return done(Category(exc.category), message=f"{exc.message[:250]}" + (
                f" ({target.host}:{target.port})" if exc.category == "connect" else ""))
        except ssl.SSLError as exc:
            return done(Category.TLS, message=tls_message(exc))
        except OSError as exc:
            reason = "the connection was refused" if isinstance(exc, ConnectionRefusedError) else \
                "the connection failed"
            return done(Category.CONNECT, message=f"Could not talk to {target.host}:{target.port}: {reason}.")
        if 300 <= status < 400:
            return done(Category.REDIRECT, status)
        if status != 200:
            return done(Category.HTTP_STATUS, status)
        if truncated:
            return done(Category.TOO_LARGE, status)
        return done(Category.OK, status)

    async def lane() -> None:
        nonlocal fired
        held: list[Any] = [None, None]  # this lane's connection and where it goes
        try:
            for item in pending:
                buffer.append(await one(item, held))
                fired += 1
                if len(buffer) >= FLUSH_ROWS:
                    flush()
                if stop.is_set():
                    return
        finally:
            if held[0] is not None:
                held[0].close()

    async def ticker() -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            flush()

    tick = asyncio.ensure_future(ticker())
    try:
        await asyncio.gather(*(lane() for _ in range(max(1, concurrency))))
    finally:
        tick.cancel()
        flush()
    return fired
