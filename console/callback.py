"""Fire one install request as ManyChat would, and classify the outcome.

ManyChat's rule is the rule: only 200 is success. No redirect is followed, TLS is verified,
the body read is capped, and every outcome is a value (never an exception).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from console import keys
from console.manifest import is_json_content_type, split_header
from console.netpolicy import AddressPolicy, Resolver, check_addresses, resolve_host
from console.templating import KEY_VARIABLE, UnknownNameError, names_in, render_text, render_value, walk_strings

CATEGORIES = ("ok", "http_status", "timeout", "connect", "dns", "tls", "redirect", "too_large",
              "invalid_request", "blocked")
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


@dataclass(frozen=True)
class FireContext:
    """The values ManyChat fills in besides the key: system variables and installer params."""

    app_id: str = "1000001"
    app_version: str = "1.0"
    page_id: str = "100200300"
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None


@dataclass(frozen=True)
class ReceivedResponse:
    headers: tuple[tuple[str, str], ...]
    body: str
    truncated: bool


@dataclass(frozen=True)
class KeyDelivery:
    """Where the manifest sends the key, and what the endpoint proves it received."""

    status: str  # "proven" | "mismatch" | "not_provable"
    expected: tuple[str, ...]
    received: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class FireResult:
    ok: bool
    status: int | None
    category: str
    elapsed_ms: float
    key_fingerprint: str
    key_masked: str
    request: SentRequest
    response: ReceivedResponse | None
    message: str = ""
    location: str | None = None
    delivery: KeyDelivery | None = None
    timeline: tuple[tuple[float, str], ...] = ()
    fired_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        """The CLI contract's JSON object (keys masked)."""
        return {
            "ok": self.ok,
            "status": self.status,
            "category": self.category,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "key_fingerprint": self.key_fingerprint,
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": dict(self.request.headers),
                "body": self.request.body,
            },
            "response": None if self.response is None else {
                "headers": dict(self.response.headers),
                "body": self.response.body,
                "truncated": self.response.truncated,
            },
            "message": self.message,
            "location": self.location,
            "delivery": None if self.delivery is None else asdict(self.delivery),
            "fired_at": self.fired_at.isoformat(),
        }


class InvalidRequest(ValueError):
    """The install request cannot be rendered into something sendable; nothing is sent."""


@dataclass(frozen=True)
class RenderedRequest:
    """The request exactly as it would be sent (contains the plain key: never store it)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    expected_key_locations: tuple[tuple[str, str], ...]  # (location, rendered value)


def sample_value(name: str) -> str:
    """The value sent for an installer param nobody gave a value for."""
    return f"sample-{name}"


def fill_params(names: list[str], values: Mapping[str, str]) -> dict[str, str]:
    """A value for every declared param: the given one, else its sample value."""
    return {**{str(k): str(v) for k, v in values.items()},
            **{name: str(values.get(name) or sample_value(name)) for name in names}}


def template_values(app_key: str, context: FireContext) -> dict[str, str]:
    values = {str(k): str(v) for k, v in context.params.items()}
    values.update({
        KEY_VARIABLE: app_key,
        "app_id": str(context.app_id),
        "app_version": str(context.app_version),
        "page_id": str(context.page_id),
    })
    return values


def render_request(request: Mapping[str, Any], values: Mapping[str, str], url: str | None = None
                   ) -> RenderedRequest:
    """Render url, headers and payload; raise InvalidRequest saying what is wrong."""
    try:
        rendered_url = (url or "").strip() or render_text(str(request.get("url") or ""), values).strip()
        method = str(request.get("method") or "POST").upper()
        lines = request.get("headers") or []
        if not isinstance(lines, list):
            raise InvalidRequest("auth.request.headers must be a list of 'Name: value' lines.")
        headers: list[tuple[str, str]] = []
        locations: list[tuple[str, str]] = []
        for line in lines:
            parsed = split_header(str(line))
            if parsed is None:
                raise InvalidRequest(f"The header line {line!r} is not 'Name: value'.")
            value = render_text(parsed[1], values)
            if "\r" in value or "\n" in value:
                raise InvalidRequest(
                    f"The header {parsed[0]} would contain a line break after filling in the values: "
                    "a param value with CR/LF would inject headers. Remove the line break from the value."
                )
            headers.append((parsed[0], value))
            if KEY_VARIABLE in names_in(parsed[1]):
                locations.append((f"header {parsed[0].lower()}", value))
        payload = request.get("payload")
        body = None
        if payload is not None and payload != "":
            rendered = render_value(payload, values)
            if isinstance(rendered, str):
                body = rendered
            else:
                body = json.dumps(rendered, ensure_ascii=False, separators=(",", ":"))
                if not any(name.lower() == "content-type" for name, _ in headers):
                    headers.append(("Content-Type", "application/json"))
                for pointer, text in walk_strings(payload):
                    if KEY_VARIABLE in names_in(text):
                        locations.append((f"payload {pointer}", render_text(text, values)))
            if isinstance(rendered, str) and is_json_content_type([f"{n}: {v}" for n, v in headers]):
                try:
                    json.loads(rendered)
                except json.JSONDecodeError:
                    raise InvalidRequest("The Content-Type says JSON but the payload is not JSON text.") from None
        for name in names_in(str(request.get("url") or "")):
            if name == KEY_VARIABLE and not url:
                locations.append(("query", rendered_url))
    except UnknownNameError as exc:
        raise InvalidRequest(
            f"The request uses {', '.join(exc.names)}, which nothing defines: declare it in auth.params "
            "or give a value for it."
        ) from None
    _check_url(rendered_url)
    return RenderedRequest(method, rendered_url, tuple(headers), body, tuple(locations))


def _check_url(url: str) -> None:
    if not url:
        raise InvalidRequest("There is no URL to fire at: set auth.request.url or give a URL.")
    if any(ch in url for ch in "\r\n\t "):
        raise InvalidRequest("The URL contains whitespace or a line break; remove it.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidRequest(f"The URL scheme must be http or https, not '{parts.scheme or 'none'}'.")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise InvalidRequest(f"The URL {url!r} has an invalid port.") from None
    if not parts.hostname:
        raise InvalidRequest(f"The URL {url!r} has no host name.")


def masked_request(rendered: RenderedRequest, key: str) -> SentRequest:
    """The rendered request with the key masked everywhere: safe to show and store."""
    return SentRequest(
        rendered.method,
        keys.redact(rendered.url, key),
        tuple((n, keys.redact(v, key)) for n, v in rendered.headers),
        None if rendered.body is None else keys.redact(rendered.body, key),
    )


class _PinnedAdapter(HTTPAdapter):
    """Connect to an already-checked IP while TLS and Host still use the host name."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):  # type: ignore[override]
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
            pool_kwargs["assert_hostname"] = host_params["host"]
        host_params = dict(host_params, host=self.address)
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)


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

    def result(category: str, message: str, sent: SentRequest, **extra: Any) -> FireResult:
        mark(message if category != "ok" else "200 OK: ManyChat would show success")
        return FireResult(
            ok=category == "ok", category=category, message=message, request=sent,
            elapsed_ms=(time.monotonic() - started) * 1000, key_fingerprint=keys.fingerprint(key),
            key_masked=keys.mask_key(key), timeline=tuple(timeline),
            status=extra.pop("status", None), response=extra.pop("response", None), **extra,
        )

    try:
        rendered = render_request(request, template_values(key, context), url)
    except InvalidRequest as exc:
        raw_url = keys.redact(str(url or request.get("url") or ""), key)
        return result("invalid_request", str(exc), SentRequest(str(request.get("method") or "POST"), raw_url, (),
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
        return result("dns", f"The host name {host} does not resolve (DNS lookup failed).", sent)
    mark(f"resolved {host} to {', '.join(addresses)}")
    decision = check_addresses(host, addresses, policy)
    if not decision.allowed:
        return result("blocked", decision.reason, sent)

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
        return result("invalid_request", f"The request cannot be built: {keys.redact(str(exc), key)}", sent)
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
        return result("tls", _tls_message(exc), sent)
    except requests.exceptions.ConnectTimeout:
        return result("timeout", f"No connection within the connect timeout of {timeouts.connect:g} s.", sent)
    except (requests.exceptions.ReadTimeout, _DeadlineExceeded):
        return result("timeout", f"No complete answer within the deadline of {timeouts.total:g} s.", sent)
    except requests.exceptions.ConnectionError as exc:
        text = str(exc)
        reason = "the connection was refused" if "refused" in text.lower() else "the connection failed"
        return result("connect", f"Could not talk to {host}:{port}: {reason}.", sent)
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        return result("invalid_request", f"The request could not be sent: {keys.redact(str(exc), key)}", sent)
    finally:
        session.close()

    mark(f"read {len(raw)} bytes of body" + (" (capped)" if truncated else ""))
    body_text = raw.decode("utf-8", errors="replace")
    received = ReceivedResponse(
        tuple((n, keys.redact(v, key)) for n, v in response.headers.items()),
        keys.redact(body_text, key), truncated,
    )
    delivery = _key_delivery(rendered, body_text, key)
    status = response.status_code
    common = {"status": status, "response": received, "delivery": delivery}
    if 300 <= status < 400:
        location = keys.redact(response.headers.get("Location", ""), key)
        return result("redirect", f"HTTP {status} redirect to {location or '(no Location header)'}; "
                      "ManyChat does not follow redirects.", sent, location=location or None, **common)
    if status != 200:
        return result("http_status", f"HTTP {status}: ManyChat counts only 200 OK as success.", sent, **common)
    if truncated:
        return result("too_large", f"HTTP 200 but the body is over {BODY_CAP // 1024} KiB; the read was cut.",
                      sent, **common)
    return result("ok", "HTTP 200 OK: ManyChat would show success.", sent, **common)


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


def _tls_message(exc: Exception) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        detail = "the certificate chain is not trusted"
        if "self-signed" in text or "self signed" in text:
            detail = "the certificate is self-signed"
        elif "hostname" in text.lower() or "mismatch" in text.lower():
            detail = "the certificate does not match the host name"
        return f"TLS verification failed: {detail}."
    return "The TLS handshake failed (the server does not speak TLS, or uses an unsupported version)."


def _key_delivery(rendered: RenderedRequest, body_text: str, key: str) -> KeyDelivery:
    expected = tuple(location for location, _ in rendered.expected_key_locations)
    try:
        echo = json.loads(body_text)
    except json.JSONDecodeError:
        echo = None
    if isinstance(echo, dict) and echo.get("sample_endpoint") and isinstance(echo.get("received"), dict):
        got = echo["received"]
        proven, wrong = [], []
        for location, value in rendered.expected_key_locations:
            kind, _, where = location.partition(" ")
            if kind == "header":
                seen = (got.get("headers") or {}).get(where)
            elif kind == "payload":
                seen = (got.get("payload") or {}).get(where)
            else:
                seen = None
                query = got.get("query") or {}
                if keys.fingerprint(key) in query.values():
                    seen = keys.fingerprint(value)
            (proven if seen == keys.fingerprint(value) else wrong).append(location)
        if wrong:
            return KeyDelivery("mismatch", expected, tuple(proven),
                               "The endpoint did not receive the key at: " + ", ".join(wrong) + ".")
        return KeyDelivery("proven", expected, tuple(proven),
                           "Your endpoint got the key in " + " and in ".join(proven)
                           + ", and it matches the key issued.")
    if key and key in body_text:
        return KeyDelivery("proven", expected, ("echo",),
                           "Your endpoint echoed the key issued, so it received it.")
    return KeyDelivery("not_provable", expected, (),
                       "Not provable: the endpoint does not echo what it received. Fire at the sample "
                       "endpoint to see where the key lands.")
