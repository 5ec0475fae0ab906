"""Send one rendered install request as ManyChat would: no redirects, verified TLS, capped reads.

Every outcome is a FireResult value (never an exception); classify.py explains it.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection

from console import keys
from console.fire.classify import key_delivery, tls_message
from console.fire.prepare import (
    FireContext,
    InvalidRequest,
    SentRequest,
    masked_request,
    render_request,
    template_values,
)
from console.local_ca import ca_file_for  # the sample endpoint's https origin alone trusts the local CA
from console.netpolicy import AddressPolicy, Resolver, check_addresses, resolve_host
from console.outcome import Category, FireResult, ReceivedResponse

BODY_CAP = 64 * 1024
HEADER_COUNT_CAP = 50
HEADER_NAME_CAP = 200
HEADER_VALUE_CAP = 2048
HEADERS_TOTAL_CAP = 16 * 1024
LOCATION_CAP = 2048
USER_AGENT = "ManyChat-AppKeyConsole/1.0 (install request rehearsal)"


@dataclass(frozen=True)
class Timeouts:
    """Connect timeout and total deadline, in seconds (ManyChat-like defaults)."""

    connect: float = 5.0
    total: float = 10.0

    def __post_init__(self) -> None:
        if not (0 < self.connect <= 120 and 0 < self.total <= 300):
            raise ValueError("timeouts must be positive: connect up to 120 s, total up to 300 s")



class _Watchdog:
    """The wall-clock deadline of one fire: at the deadline every socket of the fire is shut down.

    requests/urllib3 timeouts bound each recv, so a server trickling one byte a second never
    trips them; shutting the socket down ends any read at once, whatever the server does.
    """

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.expired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: Any) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def stop(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


def _shut(sock: Any) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass  # already closed, or detached by the TLS wrapper (which was registered too)


def _watched_classes(watchdog: _Watchdog) -> dict[str, type]:
    """Connection classes that hand every socket they open (plain and TLS) to the watchdog."""

    def make(base: type[HTTPConnection]) -> type:
        def _new_conn(self: Any) -> Any:
            sock = base._new_conn(self)
            watchdog.watch(sock)
            return sock

        def connect(self: Any) -> None:
            base.connect(self)
            if self.sock is not None:
                watchdog.watch(self.sock)

        return type(f"Watched{base.__name__}", (base,), {"_new_conn": _new_conn, "connect": connect})

    return {"http": make(HTTPConnection), "https": make(HTTPSConnection)}


class _EngineAdapter(HTTPAdapter):
    """Every connection under the fire's watchdog; optionally pinned to an already-checked IP
    (TLS and Host still use the host name)."""

    def __init__(self, address: str | None, watchdog: _Watchdog):
        self.address = address
        self.classes = _watched_classes(watchdog)
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request: Any, verify: Any, proxies: Any = None,
                                        cert: Any = None) -> Any:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        extra: dict[str, Any] = dict(pool_kwargs)
        if host_params["scheme"] == "https" and self.address:
            extra["server_hostname"] = host_params["host"]
            extra["assert_hostname"] = host_params["host"]
        pool = self.poolmanager.connection_from_host(
            scheme=host_params["scheme"], host=self.address or host_params["host"], port=host_params["port"],
            pool_kwargs=extra)
        pool.ConnectionCls = self.classes[host_params["scheme"]]
        return pool


def _resolve(resolver: Resolver, host: str, port: int, seconds: float) -> list[str]:
    """Resolve within ``seconds`` (a hung DNS lookup must not outlive the deadline)."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(resolver(host, port))
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            box.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(max(0.0, seconds))
    if not box:
        raise TimeoutError("the DNS lookup did not finish within the deadline")
    if isinstance(box[0], BaseException):
        raise box[0]
    return list(box[0])


def fire_install_request(
    request: Mapping[str, Any],
    context: FireContext | None = None,
    *,
    app_key: str | None = None,
    url: str | None = None,
    timeouts: Timeouts | None = None,
    policy: AddressPolicy | None = None,
    resolver: Resolver | None = None,
) -> FireResult:
    """Render the auth request with a fresh (or given) App Key and send it as ManyChat would.

    The whole exchange (DNS, connect, TLS, headers, body) is bounded by ``timeouts.total``,
    wall clock. Every message and event is built from the masked request and redacted.
    """
    context = context or FireContext()
    timeouts = timeouts or Timeouts()
    policy = policy or AddressPolicy()
    key = app_key or keys.generate_app_key()
    started = time.monotonic()
    deadline = started + timeouts.total
    timeline: list[tuple[float, str]] = []

    def mark(event: str) -> None:
        timeline.append((round((time.monotonic() - started) * 1000, 1), keys.redact(event, key)))

    def result(category: Category, message: str, sent: SentRequest, **extra: Any) -> FireResult:
        message = keys.redact(message, key)
        mark(message if category is not Category.OK else "200 OK: ManyChat would show success")
        return FireResult(
            ok=category is Category.OK, category=category, message=message, request=sent,
            elapsed_ms=(time.monotonic() - started) * 1000, key_fingerprint=keys.fingerprint(key),
            key_masked=keys.mask_key(key), timeline=tuple(timeline),
            status=extra.pop("status", None), response=extra.pop("response", None), **extra,
        )

    try:
        rendered = render_request(request, template_values(key, context), url)
    except InvalidRequest as exc:
        raw_url = request.get("url") if isinstance(request.get("url"), str) else ""
        shown_url = keys.redact(str(url or raw_url or ""), key)[:2000]
        method = request.get("method") if isinstance(request.get("method"), str) else "POST"
        return result(Category.INVALID_REQUEST, str(exc), SentRequest(str(method)[:20], shown_url, (), None))
    sent = masked_request(rendered, key)
    mark(f"rendered {rendered.method} {sent.url} with App Key {keys.mask_key(key)}")

    parts = urlsplit(rendered.url)
    host = parts.hostname or ""
    shown_host = keys.redact(host, key)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = _resolve(resolver or resolve_host, host, port, deadline - time.monotonic())
        if not addresses:
            raise OSError("no addresses")
    except TimeoutError:
        return result(Category.TIMEOUT, f"The DNS lookup of {shown_host} did not finish within the deadline of "
                      f"{timeouts.total:g} s.", sent)
    except (OSError, UnicodeError, ValueError):
        return result(Category.DNS, f"The host name {shown_host} does not resolve (DNS lookup failed).", sent)
    mark(f"resolved {shown_host} to {', '.join(addresses)}")
    decision = check_addresses(host, addresses, policy, port=port)
    if not decision.allowed:
        return result(Category.BLOCKED, decision.reason, sent)

    watchdog = _Watchdog(deadline)
    session = requests.Session()
    session.trust_env = False  # ManyChat does not go through the developer's proxy
    pinned = policy.mode == "team" or resolver is not None
    adapter = _EngineAdapter(decision.address if pinned else None, watchdog)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
    if pinned:
        headers["Host"] = parts.netloc.rpartition("@")[2]  # the pinned connection keeps the URL's host
    headers.update(dict(rendered.headers))
    try:
        prepared = session.prepare_request(requests.Request(
            rendered.method, rendered.url, headers=headers,
            data=None if rendered.body is None else rendered.body.encode("utf-8"),
        ))
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        watchdog.stop()
        session.close()
        return result(Category.INVALID_REQUEST, f"The request cannot be built: {exc}", sent)
    # What goes on the wire: every header, those the console adds included (Host first, as sent), masked.
    wire = [("Host", parts.netloc.rpartition("@")[2])] + [(str(n), str(v)) for n, v in prepared.headers.items()
                                                         if str(n).lower() != "host"]
    sent = SentRequest(sent.method, sent.url, tuple((n, keys.redact(v, key)) for n, v in wire), sent.body)
    connect = max(0.05, min(timeouts.connect, timeouts.total, deadline - time.monotonic()))
    try:
        mark("connecting and sending")
        response = session.send(
            prepared, allow_redirects=False, stream=True, verify=ca_file_for(str(prepared.url)) or True,
            timeout=(connect, max(0.05, deadline - time.monotonic())),
        )
        mark(f"response headers: HTTP {response.status_code}")
        raw, truncated = _read_capped(response, deadline)
        if watchdog.expired:
            raise _DeadlineExceeded()
    except (requests.exceptions.ReadTimeout, _DeadlineExceeded):
        return result(Category.TIMEOUT, _late(timeouts), sent)
    except requests.exceptions.SSLError as exc:
        if watchdog.expired:
            return result(Category.TIMEOUT, _late(timeouts), sent)
        return result(Category.TLS, tls_message(exc), sent)
    except requests.exceptions.ConnectTimeout:
        return result(Category.TIMEOUT, f"No connection within the connect timeout of {connect:g} s.", sent)
    except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError) as exc:
        if watchdog.expired:
            return result(Category.TIMEOUT, _late(timeouts), sent)
        broken = protocol_problem(exc)
        if broken is not None:
            return result(Category.PROTOCOL, f"{shown_host}:{port} answered, but not in HTTP ManyChat can read: "
                          f"{broken}.", sent)
        text = str(exc).lower()
        reason = ("the connection was refused" if "refused" in text else
                  "the server closed the connection without answering" if "without response" in text
                  else "the connection failed")
        return result(Category.CONNECT, f"Could not talk to {shown_host}:{port}: {reason}.", sent)
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        if watchdog.expired:
            return result(Category.TIMEOUT, _late(timeouts), sent)
        return result(Category.INVALID_REQUEST, f"The request could not be sent: {exc}", sent)
    finally:
        watchdog.stop()
        session.close()

    mark(f"read {len(raw)} bytes of body" + (" (capped)" if truncated else ""))
    body_text = raw.decode("utf-8", errors="replace")
    received = ReceivedResponse(capped_headers(response.headers.items(), key), keys.redact(body_text, key),
                                truncated)
    delivery = key_delivery(rendered, body_text, key, str(response.headers.get("Server", "")))
    status = response.status_code
    common = {"status": status, "response": received, "delivery": delivery}
    if 300 <= status < 400:
        location = keys.redact(response.headers.get("Location", ""), key)[:LOCATION_CAP]
        return result(Category.REDIRECT, f"HTTP {status} redirect to {location or '(no Location header)'}; "
                      "ManyChat does not follow redirects.", sent, location=location or None, **common)
    if status != 200:
        return result(Category.HTTP_STATUS, f"HTTP {status}: ManyChat counts only 200 OK as success.", sent, **common)
    if truncated:
        return result(Category.TOO_LARGE, f"HTTP 200 but the body is over {BODY_CAP // 1024} KiB; the read was cut.",
                      sent, **common)
    return result(Category.OK, "HTTP 200 OK: ManyChat would show success.", sent, **common)


def _late(timeouts: Timeouts) -> str:
    return f"No complete answer within the deadline of {timeouts.total:g} s."


def protocol_problem(exc: BaseException) -> str | None:
    """What is wrong with an answer that is not HTTP/1.x, or None when the failure is not of that kind."""
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, http.client.RemoteDisconnected):
            return None
        if isinstance(item, http.client.LineTooLong):
            return "a status or header line is longer than 64 KiB"
        if isinstance(item, http.client.BadStatusLine):
            line = str(item.args[0] if item.args else "")[:60]
            return f"the status line {line!r} is not HTTP/1.x (an HTTP/0.9 answer or another protocol)"
        if isinstance(item, http.client.IncompleteRead):
            return "the body ended before its announced length"
        if isinstance(item, http.client.HTTPException):
            text = str(item)
            if "headers" in text:
                return "the answer has more than 100 header lines"
            return f"the answer is malformed ({text[:80]})"
        if isinstance(item, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
            return "the body's framing or encoding is broken"
        pending.extend(item.args)
        pending.extend(x for x in (item.__cause__, item.__context__) if x is not None)
    return None


def capped_headers(items: Iterable[tuple[str, str]], key: str) -> tuple[tuple[str, str], ...]:
    """Response headers as kept: names and values redacted, then capped in count, length and total size."""
    kept: list[tuple[str, str]] = []
    total = 0
    dropped = 0
    for name, value in items:
        name = keys.redact(str(name), key)[:HEADER_NAME_CAP]
        value = keys.redact(str(value), key)
        if len(value) > HEADER_VALUE_CAP:
            value = value[:HEADER_VALUE_CAP] + f"… ({len(value) - HEADER_VALUE_CAP} more characters not kept)"
        if len(kept) >= HEADER_COUNT_CAP or total + len(name) + len(value) > HEADERS_TOTAL_CAP:
            dropped += 1
            continue
        kept.append((name, value))
        total += len(name) + len(value)
    if dropped:
        kept.append(("…", f"{dropped} more header(s) not kept (cap: {HEADER_COUNT_CAP} headers, "
                          f"{HEADERS_TOTAL_CAP // 1024} KiB)"))
    return tuple(kept)


class _DeadlineExceeded(Exception):
    pass


def _read_capped(response: requests.Response, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=8192):
            chunks.append(chunk)
            size += len(chunk)
            if size > BODY_CAP:
                return b"".join(chunks)[:BODY_CAP], True
            if time.monotonic() > deadline:
                raise _DeadlineExceeded()
    finally:
        response.close()
    return b"".join(chunks), False


