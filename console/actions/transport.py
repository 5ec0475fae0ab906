"""The one door to the fire engine for rehearsals: send one prepared request with the fire rules.

The rules are the engine's ``send_rendered`` (wall-clock deadline, caps, no redirects, the address
policy with pinning, every secret masked); this adapter renders the action's request with the system
values and the bound placeholders, masks the App Key and the installer's secrets, and keeps no key
delivery (an action request is not an install request).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from console import keys
from console.actions.render import PreparedRequest
from console.fire.prepare import FireContext, InvalidRequest, render_request, template_values
from console.fire.send import Timeouts, send_rendered
from console.netpolicy import AddressPolicy, Resolver
from console.outcome import Category, FireResult, SentRequest

MIN_SECRET = 4  # shorter installer values are not masked (they would mask every "a" or "1")


def send_prepared(prepared: PreparedRequest, context: FireContext, *, app_key: str | None = None,
                  timeouts: Timeouts | None = None, policy: AddressPolicy | None = None,
                  resolver: Resolver | None = None, secrets: Iterable[str] = ()) -> FireResult:
    """Send ``prepared`` as ManyChat would and return the outcome with every secret redacted."""
    key = app_key or keys.generate_app_key()
    hidden = (key, *sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True))
    bound = FireContext(context.app_id, context.app_version, context.page_id, prepared.values)
    started = time.monotonic()
    try:
        rendered = render_request(prepared.request, template_values(key, bound))
    except InvalidRequest as exc:
        return _unsendable(prepared, key, hidden, str(exc).replace("/auth/request", prepared.pointer), started)
    opening = keys.redact_all(f"rendered {rendered.method} {rendered.url} with the App Key {keys.mask_key(key)}",
                              hidden)
    exchange = send_rendered(rendered, secrets=hidden, timeouts=timeouts, policy=policy, resolver=resolver,
                             started=started)
    return FireResult(
        ok=exchange.category is Category.OK, status=exchange.status, category=exchange.category,
        elapsed_ms=exchange.elapsed_ms, key_fingerprint=keys.fingerprint(key), key_masked=keys.mask_key(key),
        request=exchange.request, response=exchange.response,
        message=exchange.message.replace("/auth/request", prepared.pointer), location=exchange.location,
        delivery=None, timeline=((0.0, opening), *exchange.timeline))


def _unsendable(prepared: PreparedRequest, key: str, hidden: tuple[str, ...], problem: str,
                started: float) -> FireResult:
    """The result of a request that cannot be rendered: nothing was sent."""
    raw_url = prepared.request.get("url")
    method = prepared.request.get("method")
    message = keys.redact_all(problem, hidden)
    return FireResult(ok=False, status=None, category=Category.INVALID_REQUEST,
                      elapsed_ms=(time.monotonic() - started) * 1000, key_fingerprint=keys.fingerprint(key),
                      key_masked=keys.mask_key(key),
                      request=SentRequest(str(method if isinstance(method, str) else "GET")[:20],
                                          keys.redact_all(str(raw_url if isinstance(raw_url, str) else ""),
                                                          hidden)[:2000], (), None),
                      response=None, message=message, timeline=((0.0, message),))
