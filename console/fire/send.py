"""Send one rendered request as ManyChat would: no redirects, verified TLS, capped reads, a wall-clock deadline.

``send_rendered`` is the generic step (any rendered request, any secrets to mask); ``fire_install_request``
renders the install request with a fresh (or given) App Key and sends it through it. Every outcome is
a value (never an exception); ``classify.py`` turns the facts into a category, a message and the proof.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from console import keys
from console.fire import wire
from console.fire.classify import (
    Answer,
    Failure,
    Verdict,
    Where,
    classify_answer,
    classify_failure,
    key_delivery,
)
from console.fire.prepare import (
    FireContext,
    InvalidRequest,
    RenderedRequest,
    SentRequest,
    masked_request,
    render_request,
    template_values,
)
from console.fire.timeouts import Timeouts
from console.fire.wire import HEADER_COUNT_CAP, capped_headers
from console.local_ca import ca_file_for  # the sample endpoint's https origin alone trusts the local CA
from console.netpolicy import AddressPolicy, Resolver, check_addresses, resolve_host
from console.outcome import Category, FireResult, KeyDelivery, ReceivedResponse

__all__ = ["BODY_CAP", "HEADER_COUNT_CAP", "USER_AGENT", "Exchange", "Timeouts", "capped_headers",
           "fire_install_request", "send_rendered"]

BODY_CAP = 64 * 1024
USER_AGENT = "ManyChat-AppKeyConsole/1.0 (install request rehearsal)"

Prove = Callable[[Answer, str], KeyDelivery]  # (the answer, its body as text, unredacted) -> the proof


@dataclass(frozen=True)
class Exchange:
    """What one send did, every secret masked: the verdict, the request as sent, the answer as kept."""

    category: Category
    message: str
    status: int | None
    location: str | None
    request: SentRequest
    response: ReceivedResponse | None
    elapsed_ms: float
    timeline: tuple[tuple[float, str], ...]
    delivery: KeyDelivery | None = None


class _Trace:
    """The clock and the timeline of one send (every event redacted)."""

    def __init__(self, secrets: Sequence[str], started: float | None = None):
        self.secrets = tuple(s for s in secrets if s)
        self.started = time.monotonic() if started is None else started
        self.events: list[tuple[float, str]] = []

    def mark(self, event: str) -> None:
        self.events.append((round((time.monotonic() - self.started) * 1000, 1),
                            keys.redact_all(event, self.secrets)))

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.started) * 1000


def send_rendered(
    rendered: RenderedRequest,
    *,
    secrets: Sequence[str] = (),
    timeouts: Timeouts | None = None,
    policy: AddressPolicy | None = None,
    resolver: Resolver | None = None,
    prove: Prove | None = None,
    started: float | None = None,
) -> Exchange:
    """Send one rendered request with the fire rules and classify what came back.

    The rules: the whole exchange (DNS, connect, TLS, head, body) within ``timeouts.total`` of
    ``started`` (wall clock, default now); connect within ``timeouts.connect``; no redirect followed;
    the answer's head read by the strict rules of ``answer.py``, its headers and body capped; the host
    resolved once, checked against ``policy`` and the connection pinned to the checked address; no
    proxy from the environment. Every text of the result has each of ``secrets`` masked, in every
    form it may take. ``prove`` (given the answer and its unredacted body text) makes the proof of
    where a key landed.
    """
    timeouts = timeouts or Timeouts()
    trace = _Trace(secrets, started)
    deadline = trace.started + timeouts.total
    sent = _masked(rendered, trace.secrets)
    parts = urlsplit(rendered.url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = Where(keys.redact_all(host, trace.secrets), port, timeouts.total, timeouts.connect)
    pinned = _pin(host, port, policy or AddressPolicy(), resolver, deadline, trace, where)
    if isinstance(pinned, Failure):
        return _finish(classify_failure(pinned, where), sent, None, trace)
    address = pinned if (policy is not None and policy.mode == "team") or resolver is not None else None
    return _exchange(rendered, address, timeouts, deadline, trace, where, prove)


def _masked(rendered: RenderedRequest, secrets: Sequence[str]) -> SentRequest:
    shown = masked_request(rendered, secrets[0]) if secrets else masked_request(rendered, "")
    if len(secrets) < 2:
        return shown
    return SentRequest(shown.method, keys.redact_all(shown.url, secrets),
                       tuple((n, keys.redact_all(v, secrets)) for n, v in shown.headers),
                       None if shown.body is None else keys.redact_all(shown.body, secrets))


def _pin(host: str, port: int, policy: AddressPolicy, resolver: Resolver | None, deadline: float, trace: _Trace,
         where: Where) -> str | Failure:
    """Resolve the host once within the deadline and apply the address policy: the address to connect to."""
    addresses = wire.resolve_within(resolver or resolve_host, host, port, deadline - time.monotonic())
    if isinstance(addresses, Failure):
        return addresses
    trace.mark(f"resolved {where.host} to {', '.join(addresses)}")
    decision = check_addresses(host, addresses, policy, port=port)
    if not decision.allowed:
        return Failure("blocked", decision.reason)
    return decision.address


def _exchange(rendered: RenderedRequest, address: str | None, timeouts: Timeouts, deadline: float, trace: _Trace,
              where: Where, prove: Prove | None) -> Exchange:
    """Connect, send, read the head and the capped body; classify."""
    watchdog = wire.Watchdog(deadline)
    session = requests.Session()
    session.trust_env = False  # ManyChat does not go through the developer's proxy
    adapter = wire.EngineAdapter(address, watchdog)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    sent = _masked(rendered, trace.secrets)
    try:
        prepared = _prepare(session, rendered, pinned=address is not None)
        if isinstance(prepared, Failure):
            return _finish(classify_failure(prepared, where), sent, None, trace)
        sent = _wire_request(prepared, rendered, sent, trace.secrets)
        connect = max(0.05, min(timeouts.connect, timeouts.total, deadline - time.monotonic()))
        where = Where(where.host, where.port, where.total, connect)
        try:
            trace.mark("connecting and sending")
            response = session.send(prepared, allow_redirects=False, stream=True,
                                    verify=ca_file_for(str(prepared.url)) or True,
                                    timeout=(connect, max(0.05, deadline - time.monotonic())))
            trace.mark(f"response headers: HTTP {response.status_code}")
            raw, truncated = wire.read_capped(response, deadline)
            if watchdog.expired:
                raise wire.DeadlineExceeded()
        except (requests.RequestException, ValueError, UnicodeError, wire.DeadlineExceeded) as exc:
            return _finish(classify_failure(wire.failure_of(exc, watchdog.expired), where), sent, None, trace)
    finally:
        watchdog.stop()
        session.close()
    trace.mark(f"read {len(raw)} bytes of body" + (" (capped)" if truncated else ""))
    return _answered(response, raw, truncated, sent, trace, prove)


def _prepare(session: requests.Session, rendered: RenderedRequest, pinned: bool) -> requests.PreparedRequest | Failure:
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
    if pinned:
        headers["Host"] = urlsplit(rendered.url).netloc.rpartition("@")[2]  # the pinned connection keeps the host
    headers.update(dict(rendered.headers))
    try:
        return session.prepare_request(requests.Request(
            rendered.method, rendered.url, headers=headers,
            data=None if rendered.body is None else rendered.body.encode("utf-8")))
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        return Failure("invalid", f"The request cannot be built: {exc}")


def _wire_request(prepared: requests.PreparedRequest, rendered: RenderedRequest, sent: SentRequest,
                  secrets: Sequence[str]) -> SentRequest:
    """Every header as it goes on the wire (Host first, those the console adds included), masked."""
    host = urlsplit(rendered.url).netloc.rpartition("@")[2]
    wire_headers = [("Host", host)] + [(str(n), str(v)) for n, v in prepared.headers.items()
                                       if str(n).lower() != "host"]
    return SentRequest(sent.method, sent.url, tuple((n, keys.redact_all(v, secrets)) for n, v in wire_headers),
                       sent.body)


def _answered(response: requests.Response, raw: bytes, truncated: bool, sent: SentRequest, trace: _Trace,
              prove: Prove | None) -> Exchange:
    body_text = raw.decode("utf-8", errors="replace")
    original = getattr(response.raw, "_original_response", None)
    dropped = int(getattr(original, "head_dropped", 0) or 0)
    received = ReceivedResponse(capped_headers(response.headers.items(), trace.secrets, dropped),
                                keys.redact_all(body_text, trace.secrets), truncated)
    answer = Answer(response.status_code, truncated, str(response.headers.get("Location", "")),
                    str(response.headers.get("Server", "")))
    verdict = classify_answer(answer, trace.secrets)
    delivery = prove(answer, body_text) if prove is not None else None
    return _finish(verdict, sent, received, trace, delivery)


def _finish(verdict: Verdict, sent: SentRequest, response: ReceivedResponse | None, trace: _Trace,
            delivery: KeyDelivery | None = None) -> Exchange:
    message = keys.redact_all(verdict.message, trace.secrets)
    trace.mark(message if verdict.category is not Category.OK else "200 OK: ManyChat would show success")
    return Exchange(verdict.category, message, verdict.status, verdict.location, sent, response, trace.elapsed_ms(),
                    tuple(trace.events), delivery)


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
    key = app_key or keys.generate_app_key()
    started = time.monotonic()
    try:
        rendered = render_request(request, template_values(key, context or FireContext()), url)
    except InvalidRequest as exc:
        return _unsendable(request, url, key, str(exc), started)
    trace = _Trace((key,), started)
    trace.mark(f"rendered {rendered.method} {masked_request(rendered, key).url} with App Key {keys.mask_key(key)}")

    def prove(answer: Answer, body_text: str) -> KeyDelivery:
        return key_delivery(rendered, body_text, key, answer.server)

    exchange = send_rendered(rendered, secrets=(key,), timeouts=timeouts, policy=policy, resolver=resolver,
                             prove=prove, started=started)
    return FireResult(
        ok=exchange.category is Category.OK, status=exchange.status, category=exchange.category,
        elapsed_ms=exchange.elapsed_ms, key_fingerprint=keys.fingerprint(key), key_masked=keys.mask_key(key),
        request=exchange.request, response=exchange.response, message=exchange.message, location=exchange.location,
        delivery=exchange.delivery, timeline=tuple(trace.events) + exchange.timeline)


def _unsendable(request: Mapping[str, Any], url: str | None, key: str, problem: str, started: float) -> FireResult:
    """The result of a request that cannot be rendered: nothing was sent."""
    raw_url = request.get("url") if isinstance(request.get("url"), str) else ""
    shown_url = keys.redact(str(url or raw_url or ""), key)[:2000]
    method = request.get("method") if isinstance(request.get("method"), str) else "POST"
    message = keys.redact(problem, key)
    trace = _Trace((key,), started)
    trace.mark(message)
    return FireResult(ok=False, status=None, category=Category.INVALID_REQUEST, elapsed_ms=trace.elapsed_ms(),
                      key_fingerprint=keys.fingerprint(key), key_masked=keys.mask_key(key),
                      request=SentRequest(str(method)[:20], shown_url, (), None), response=None, message=message,
                      timeline=tuple(trace.events))
