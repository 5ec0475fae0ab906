"""Send one rendered install request as ManyChat would: no redirects, verified TLS, capped reads.

Every outcome is a FireResult value (never an exception); classify.py explains it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

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
from console.netpolicy import AddressPolicy, Resolver, check_addresses, resolve_host
from console.outcome import Category, FireResult, ReceivedResponse

BODY_CAP = 64 * 1024
USER_AGENT = "ManyChat-AppKeyConsole/1.0 (install request rehearsal)"


@dataclass(frozen=True)
class Timeouts:
    """Connect timeout and total deadline, in seconds (ManyChat-like defaults)."""

    connect: float = 5.0
    total: float = 10.0

    def __post_init__(self) -> None:
        if not (0 < self.connect <= 120 and 0 < self.total <= 300):
            raise ValueError("timeouts must be positive: connect up to 120 s, total up to 300 s")



class _PinnedAdapter(HTTPAdapter):
    """Connect to an already-checked IP while TLS and Host still use the host name."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request: Any, verify: Any, proxies: Any = None,
                                        cert: Any = None) -> Any:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        extra: dict[str, Any] = dict(pool_kwargs)
        if host_params["scheme"] == "https":
            extra["server_hostname"] = host_params["host"]
            extra["assert_hostname"] = host_params["host"]
        return self.poolmanager.connection_from_host(
            scheme=host_params["scheme"], host=self.address, port=host_params["port"], pool_kwargs=extra)


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
    """Render the auth request with a fresh (or given) App Key and send it as ManyChat would."""
    context = context or FireContext()
    timeouts = timeouts or Timeouts()
    policy = policy or AddressPolicy()
    key = app_key or keys.generate_app_key()
    started = time.monotonic()
    timeline: list[tuple[float, str]] = []

    def mark(event: str) -> None:
        timeline.append((round((time.monotonic() - started) * 1000, 1), event))

    def result(category: Category, message: str, sent: SentRequest, **extra: Any) -> FireResult:
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
        raw_url = keys.redact(str(url or request.get("url") or ""), key)
        return result(Category.INVALID_REQUEST, str(exc), SentRequest(str(request.get("method") or "POST"), raw_url, (),
                                                               None))
    sent = masked_request(rendered, key)
    mark(f"rendered {rendered.method} {sent.url} with App Key {keys.mask_key(key)}")

    parts = urlsplit(rendered.url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = (resolver or resolve_host)(host, port)
        if not addresses:
            raise OSError("no addresses")
    except (OSError, UnicodeError):
        return result(Category.DNS, f"The host name {host} does not resolve (DNS lookup failed).", sent)
    mark(f"resolved {host} to {', '.join(addresses)}")
    decision = check_addresses(host, addresses, policy)
    if not decision.allowed:
        return result(Category.BLOCKED, decision.reason, sent)

    session = requests.Session()
    session.trust_env = False  # ManyChat does not go through the developer's proxy
    if policy.mode == "team" or resolver is not None:
        adapter = _PinnedAdapter(decision.address)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
    if policy.mode == "team" or resolver is not None:
        headers["Host"] = parts.netloc.rpartition("@")[2]  # the pinned connection keeps the URL's host
    headers.update(dict(rendered.headers))
    try:
        prepared = session.prepare_request(requests.Request(
            rendered.method, rendered.url, headers=headers,
            data=None if rendered.body is None else rendered.body.encode("utf-8"),
        ))
    except (requests.RequestException, ValueError) as exc:
        session.close()
        return result(Category.INVALID_REQUEST, f"The request cannot be built: {keys.redact(str(exc), key)}", sent)
    deadline = started + timeouts.total
    try:
        mark("connecting and sending")
        response = session.send(
            prepared, allow_redirects=False, stream=True, verify=True,
            timeout=(timeouts.connect, max(0.05, deadline - time.monotonic())),
        )
        mark(f"response headers: HTTP {response.status_code}")
        raw, truncated = _read_capped(response, deadline)
    except requests.exceptions.SSLError as exc:
        return result(Category.TLS, tls_message(exc), sent)
    except requests.exceptions.ConnectTimeout:
        return result(Category.TIMEOUT, f"No connection within the connect timeout of {timeouts.connect:g} s.", sent)
    except (requests.exceptions.ReadTimeout, _DeadlineExceeded):
        return result(Category.TIMEOUT, f"No complete answer within the deadline of {timeouts.total:g} s.", sent)
    except requests.exceptions.ConnectionError as exc:
        text = str(exc)
        reason = "the connection was refused" if "refused" in text.lower() else "the connection failed"
        return result(Category.CONNECT, f"Could not talk to {host}:{port}: {reason}.", sent)
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        return result(Category.INVALID_REQUEST, f"The request could not be sent: {keys.redact(str(exc), key)}", sent)
    finally:
        session.close()

    mark(f"read {len(raw)} bytes of body" + (" (capped)" if truncated else ""))
    body_text = raw.decode("utf-8", errors="replace")
    received = ReceivedResponse(
        tuple((n, keys.redact(v, key)) for n, v in response.headers.items()),
        keys.redact(body_text, key), truncated,
    )
    delivery = key_delivery(rendered, body_text, key)
    status = response.status_code
    common = {"status": status, "response": received, "delivery": delivery}
    if 300 <= status < 400:
        location = keys.redact(response.headers.get("Location", ""), key)
        return result(Category.REDIRECT, f"HTTP {status} redirect to {location or '(no Location header)'}; "
                      "ManyChat does not follow redirects.", sent, location=location or None, **common)
    if status != 200:
        return result(Category.HTTP_STATUS, f"HTTP {status}: ManyChat counts only 200 OK as success.", sent, **common)
    if truncated:
        return result(Category.TOO_LARGE, f"HTTP 200 but the body is over {BODY_CAP // 1024} KiB; the read was cut.",
                      sent, **common)
    return result(Category.OK, "HTTP 200 OK: ManyChat would show success.", sent, **common)


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


