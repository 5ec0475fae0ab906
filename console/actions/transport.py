"""The one door to the fire engine for rehearsals: send one prepared request with the fire rules.

The rules are the engine's (wall-clock deadline, caps, no redirects, the address policy with
pinning, the App Key redacted); this adapter adds the redaction of the installer's secrets and
drops the install-request-only parts (key delivery). When the engine exposes a generic
"send one rendered request" function, only ``send_prepared`` changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from console import keys
from console.actions.render import PreparedRequest
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from console.netpolicy import AddressPolicy, Resolver
from console.outcome import FireResult, ReceivedResponse, SentRequest


def send_prepared(prepared: PreparedRequest, context: FireContext, *, app_key: str | None = None,
                  timeouts: Timeouts | None = None, policy: AddressPolicy | None = None,
                  resolver: Resolver | None = None, secrets: Iterable[str] = ()) -> FireResult:
    """Send ``prepared`` as ManyChat would and return the outcome with every secret redacted."""
    bound = FireContext(context.app_id, context.app_version, context.page_id, prepared.values)
    result = fire_install_request(prepared.request, bound, app_key=app_key, timeouts=timeouts, policy=policy,
                                  resolver=resolver)
    result = replace(result, delivery=None,
                     message=result.message.replace("/auth/request", prepared.pointer),
                     timeline=tuple((at, e.replace("with App Key", "with the App Key"))
                                    for at, e in result.timeline))
    return redact_result(result, [s for s in secrets if len(s) >= 4])


def redact_result(result: FireResult, secrets: list[str]) -> FireResult:
    """Every shown and stored text of ``result`` with each secret masked (in any wire form)."""
    if not secrets:
        return result

    def clean(text: str) -> str:
        for secret in sorted(secrets, key=len, reverse=True):
            text = keys.redact(text, secret)
        return text

    request = SentRequest(result.request.method, clean(result.request.url),
                          tuple((n, clean(v)) for n, v in result.request.headers),
                          None if result.request.body is None else clean(result.request.body))
    response = None if result.response is None else ReceivedResponse(
        tuple((n, clean(v)) for n, v in result.response.headers), clean(result.response.body),
        result.response.truncated)
    return replace(result, request=request, response=response, message=clean(result.message),
                   location=None if result.location is None else clean(result.location),
                   timeline=tuple((at, clean(event)) for at, event in result.timeline))
