"""Rehearse one action (or one enum:rpc source): render as ManyChat would, fire, read the mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console import keys
from console.actions.mapping import MappingResult, evaluate, options_of, read_answer
from console.actions.model import find_action, find_source
from console.actions.render import prepare, sample_url
from console.actions.transport import send_prepared
from console.fire.prepare import FireContext, InvalidRequest, sample_value
from console.fire.send import Timeouts
from console.manifest.document import as_list
from console.netpolicy import AddressPolicy, Resolver
from console.outcome import Category, FireResult, SentRequest
from console.sandbox.sample_endpoint import resolve_sample_url


class RehearsalError(ValueError):
    """The action or source named does not exist (nothing was sent)."""


@dataclass(frozen=True)
class Rehearsal:
    kind: str  # "action" | "source"
    name: str
    result: FireResult
    mapping: MappingResult
    form_values: dict[str, str] = field(default_factory=dict)  # as sent (secrets redacted)
    options: tuple[str, ...] = ()  # an rpc source's choices

    @property
    def ok(self) -> bool:
        """HTTP 200 and every output found."""
        return self.result.ok and not self.mapping.missing and not self.mapping.answer_problem

    def to_dict(self) -> dict[str, Any]:
        """The CLI contract of ``action run --json``."""
        full = self.result.to_dict()
        data = {"ok": self.ok, "status": self.result.status, "category": self.result.category.value,
                "elapsed_ms": round(self.result.elapsed_ms, 1), "request": full["request"],
                "response": full["response"], "outputs": self.mapping.values, "missing": self.mapping.missing,
                "type_errors": self.mapping.type_errors, "message": self.message, "kind": self.kind,
                "name": self.name}
        if self.kind == "source":
            data["options"] = list(self.options)
        return data

    @property
    def message(self) -> str:
        if not self.result.ok:
            return self.result.message
        if self.mapping.answer_problem:
            return self.mapping.answer_problem
        if self.mapping.missing:
            return ("HTTP 200, but the mapping found nothing for " + ", ".join(self.mapping.missing)
                    + ": check each path against the answer.")
        if self.kind == "source" and not self.options:
            return "HTTP 200, but the mapping yields no options: the dropdown would be empty."
        return "HTTP 200 and every mapping output found." if self.kind == "action" else \
            f"HTTP 200: {len(self.options)} option(s)."

    def detail(self) -> dict[str, Any]:
        """What History stores with the fire (the action's name, values, outputs)."""
        return {"kind": self.kind, "name": self.name, "form_values": self.form_values, "ok": self.ok,
                "message": self.message, "options": list(self.options[:200]), **self.mapping.to_stored()}


@dataclass(frozen=True)
class Setup:
    """Where and how to rehearse: the installer's values, the system values, the rules."""

    params: Mapping[str, str] = field(default_factory=dict)
    context: FireContext = field(default_factory=FireContext)
    timeouts: Timeouts | None = None
    policy: AddressPolicy | None = None
    resolver: Resolver | None = None
    sample_base_url: str | None = None  # rehearse at the sample endpoint (its path: /action/<mode>/…)
    sample_mode: str = "echo"
    sample_https_base: str | None = None  # resolves the demo's placeholder origin (the sample endpoint's https)
    secrets: tuple[str, ...] = ()  # installer values to redact (those that are not sample values)
    app_key: str | None = None


def secrets_of(params: Mapping[str, str]) -> tuple[str, ...]:
    """Installer param values worth redacting: every one given (sample values are no secret)."""
    return tuple(v for k, v in params.items() if v and v != sample_value(k))


def rehearse_action(document: dict[str, Any], name: str, form_values: Mapping[str, str], setup: Setup
                    ) -> Rehearsal:
    found = find_action(document, name)
    if found is None:
        raise RehearsalError(f"There is no action named '{name}' in the App JSON.")
    index, action = found
    requests = [r for r in as_list(action.get("requests")) if isinstance(r, dict)]
    values = {str(k): str(v) for k, v in form_values.items()}
    if not requests:
        return _invalid("action", name, values, f"/actions/{index}/requests: the action has no request to send. "
                        "Add one (URL, method, headers, payload, mapping).", setup)
    return _run("action", name, requests[0], f"/actions/{index}/requests/0", document, values, setup)


def rehearse_source(document: dict[str, Any], name: str, setup: Setup) -> Rehearsal:
    found = find_source(document, name)
    if found is None or found[1].get("type") != "enum:rpc":
        raise RehearsalError(f"There is no enum:rpc source named '{name}' in the App JSON.")
    pointer, source = found
    request = source.get("request")
    if not isinstance(request, dict):
        return _invalid("source", name, {}, f"{pointer}/request: the source has no request object.", setup)
    return _run("source", name, request, f"{pointer}/request", document, {}, setup)


def _run(kind: str, name: str, request: dict[str, Any], pointer: str, document: dict[str, Any],
         values: dict[str, str], setup: Setup) -> Rehearsal:
    secrets = setup.secrets + tuple(keys_of(setup))
    shown_values = {k: _clean(v, secrets) for k, v in values.items()}
    url = request.get("url")
    override = sample_url(url, setup.sample_base_url, setup.sample_mode) \
        if setup.sample_base_url and isinstance(url, str) and url.strip() else None
    if override is None and isinstance(url, str) and resolve_sample_url(url, setup.sample_https_base) != url:
        override = resolve_sample_url(url, setup.sample_https_base)
    try:
        prepared = prepare(request, pointer, document, values, setup.params, url=override)
    except InvalidRequest as exc:
        return _invalid(kind, name, shown_values, _clean(str(exc), secrets), setup)
    result = send_prepared(prepared, setup.context, app_key=setup.app_key, timeouts=setup.timeouts,
                           policy=setup.policy, resolver=setup.resolver, secrets=secrets)
    mapping = _read(request.get("mapping"), result)
    options = tuple(options_of(mapping)) if kind == "source" else ()
    return Rehearsal(kind, name, result, mapping, shown_values, options)


def keys_of(setup: Setup) -> list[str]:
    return [setup.app_key] if setup.app_key else []


def _clean(text: str, secrets: tuple[str, ...]) -> str:
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = keys.redact(text, secret)
    return text


def _read(mapping: Any, result: FireResult) -> MappingResult:
    if result.response is None:
        return evaluate(mapping, None, "There is no answer to read: " + result.message)
    data, problem = read_answer(result.response.body, result.response.truncated)
    return evaluate(mapping, data, problem)


def _invalid(kind: str, name: str, values: dict[str, str], message: str, setup: Setup) -> Rehearsal:
    key = setup.app_key or keys.generate_app_key()
    result = FireResult(ok=False, status=None, category=Category.INVALID_REQUEST, elapsed_ms=0.0,
                        key_fingerprint=keys.fingerprint(key), key_masked=keys.mask_key(key),
                        request=SentRequest("", "", (), None), response=None, message=message,
                        timeline=((0.0, message),))
    return Rehearsal(kind, name, result, evaluate([], None, ""), values)
