"""One call to the local ManyChat API, decided the way ManyChat decides it, and logged.

Order: the Bearer key, for every call, routed or not (unknown: 401; replaced, when that rule is
on: 401), the installation (uninstalled: 500), the route (404/405 in ManyChat's envelope), the
scope (outside the granted scopes: 401), the optional rate limit (429), the input (400 with
ManyChat's envelope), then the endpoint on the page's data. The 401 and 500
bodies are ManyChat's, byte for byte. Every call goes to the call log with the key's fingerprint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jsonschema import Draft202012Validator

from console import keys
from console.manifest.document import as_dict, as_list
from console.sandbox.demo_data import initial_page
from console.sandbox.endpoints import ENDPOINTS, ApiError, Endpoint, success, validation_error
from console.sandbox.installations import key_hash
from console.sandbox.ratelimit import RateLimiter
from console.store import KeyLookup, SandboxAppRow, Store
from console.store.installations import REPLACED

UNINSTALLED_BODY = b'{"status": "exception","message": "Something went wrong"}'
WRONG_TOKEN_BODY = b'{"status": "error","message": "Wrong access token"}'
RATE_LIMITED_BODY = b'{"status": "error","message": "Too many requests"}'
MAX_BODY_BYTES = 256 * 1024
TRIGGER_PATH = "/apps/wh"
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_VALIDATORS = {path: Draft202012Validator(e.schema) for path, e in ENDPOINTS.items() if e.schema is not None}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def _json(status: int, document: Mapping[str, Any]) -> Answer:
    return Answer(status, json.dumps(document, ensure_ascii=False).encode("utf-8"))


def _clean(text: str, limit: int) -> str:
    return _BAD_TEXT.sub("\ufffd", text)[:limit]


def _bearer(header: str | None) -> str | None:
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def _has_bad_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_BAD_TEXT.search(value))
    if isinstance(value, dict):
        return any(_has_bad_text(k) or _has_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_bad_text(v) for v in value)
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a POST body, or a 400 saying what is wrong with it."""
    if len(raw) > MAX_BODY_BYTES:
        raise validation_error(f"The body is over {MAX_BODY_BYTES // 1024} KiB.")
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        raise validation_error("The body is not valid JSON: send a JSON object with "
                               "Content-Type: application/json.") from None
    if not isinstance(document, dict):
        raise validation_error("The body must be a JSON object.")
    if _has_bad_text(document):
        raise validation_error("The body contains a NUL character or an unpaired surrogate in a text.")
    return document


def parse_args(endpoint: Endpoint, query: Sequence[tuple[str, str]], raw: bytes) -> dict[str, Any]:
    if endpoint.schema is not None:
        document = parse_body(raw)
        errors = sorted(_VALIDATORS[endpoint.path].iter_errors(document), key=lambda e: list(e.absolute_path))
        if errors:
            raise validation_error(*[
                ("/".join(str(p) for p in e.absolute_path) or "body") + ": " + _clean(e.message, 300)
                for e in errors[:10]])
        return document
    given = dict(query)
    args: dict[str, Any] = {}
    problems = []
    for param in endpoint.params:
        value = given.get(param.name)
        if value is None or value == "":
            if param.required:
                problems.append(f"{param.name}: this query parameter is required.")
            continue
        if _BAD_TEXT.search(value) or len(value) > 1000:
            problems.append(f"{param.name}: the value is too long or contains a NUL character.")
        elif param.kind == "integer":
            if not (value.isascii() and value.isdigit()) or len(value) > 19:
                problems.append(f"{param.name}: give a positive whole number, not {_clean(value, 40)!r}.")
            else:
                args[param.name] = int(value)
        else:
            args[param.name] = value
    if problems:
        raise validation_error(*problems)
    return args


class Gateway:
    """Decides and logs calls for one store (the server holds one; its rate limits live in memory)."""

    def __init__(self, store: Store, limiter: RateLimiter | None = None):
        self.store = store
        self.limiter = limiter or RateLimiter()

    def _log(self, method: str, path: str, presented: str | None, found: KeyLookup | None, status: int,
             outcome: str, note: str = "") -> None:
        self.store.sandbox_calls.insert({
            "called_at": datetime.now(UTC), "method": method[:10], "path": _clean(path, 200),
            "key_fingerprint": None if presented is None else keys.fingerprint(presented),
            "app_ref": None if found is None else found.installation.app_ref,
            "installation_ref": None if found is None else found.installation.id,
            "status": status, "outcome": outcome, "note": _clean(note, 300),
        })

    def _authenticate(self, method: str, path: str, authorization: str | None
                      ) -> tuple[str | None, KeyLookup | None, SandboxAppRow | None, Answer | None]:
        presented = _bearer(authorization)
        if presented is None:
            self._log(method, path, None, None, 401, "no_key", "no Authorization: Bearer <App Key> header")
            return None, None, None, Answer(401, WRONG_TOKEN_BODY)
        looked_up = self.store.installations.lookup_call(key_hash(presented))  # key and scopes: one snapshot
        if looked_up is None:
            self._log(method, path, presented, None, 401, "unknown_key", "the key belongs to no installation")
            return presented, None, None, Answer(401, WRONG_TOKEN_BODY)
        found, state = looked_up
        if state is None:  # an installation always has its app's state; a concurrent delete raced us
            self._log(method, path, presented, None, 401, "unknown_key", "the app is gone")
            return presented, None, None, Answer(401, WRONG_TOKEN_BODY)
        if found.key_state == REPLACED and state.replaced_key_rule:
            self._log(method, path, presented, found, 401, "replaced_key",
                      "a replaced key (the installation got a newer one)")
            return presented, found, state, Answer(401, WRONG_TOKEN_BODY)
        if not found.installation.installed:
            self._log(method, path, presented, found, 500, "uninstalled", "the app is uninstalled from this page")
            return presented, found, state, Answer(500, UNINSTALLED_BODY)
        return presented, found, state, None

    def call(self, method: str, path: str, authorization: str | None, query: Sequence[tuple[str, str]],
             raw: bytes) -> Answer:
        """Answer one call to a catalog endpoint."""
        presented, found, state, refused = self._authenticate(method, path, authorization)
        if refused is not None:
            return refused
        assert found is not None and state is not None
        endpoint = ENDPOINTS[path]
        if path not in state.live_scopes:
            self._log(method, path, presented, found, 401, "out_of_scope", f"missing scope {path}")
            return Answer(401, WRONG_TOKEN_BODY)
        try:
            args = parse_args(endpoint, query, raw)
            if state.rate_limits:
                reason = self.limiter.check(found.installation.app_ref, path, args.get("subscriber_id"))
                if reason is not None:
                    self._log(method, path, presented, found, 429, "rate_limited", reason)
                    return Answer(429, RATE_LIMITED_BODY)
            page_id = found.installation.page_id
            self.store.sandbox_pages.ensure(page_id, lambda: initial_page(page_id))
            document = self.store.sandbox_pages.change(page_id, lambda data: _run(endpoint, data, args))
        except ApiError as exc:
            outcome = "coded_error" if "code" in exc.body else "bad_request"
            self._log(method, path, presented, found, exc.status, outcome, str(exc.body.get("details") or
                                                                                exc.body.get("message")))
            return _json(exc.status, exc.body)
        self._log(method, path, presented, found, 200, "ok")
        return _json(200, document)

    def trigger(self, authorization: str | None, raw: bytes) -> Answer:
        """The trigger webhook (/apps/wh): a declared trigger with its declared context."""
        presented, found, _state, refused = self._authenticate("POST", TRIGGER_PATH, authorization)
        if refused is not None:
            return refused
        assert found is not None
        app = self.store.apps.get(found.installation.app_ref)
        manifest = {} if app is None else app.manifest
        try:
            name = check_trigger(manifest, parse_body(raw))
        except ApiError as exc:
            self._log("POST", TRIGGER_PATH, presented, found, 400, "bad_request",
                      str(exc.body.get("details") or exc.body.get("message")))
            return _json(exc.status, exc.body)
        self._log("POST", TRIGGER_PATH, presented, found, 200, "trigger_fired", f"trigger fired: {name}")
        return _json(200, success())

    def unrouted(self, method: str, path: str, authorization: str | None, allowed: str | None) -> Answer:
        """A call no route takes: the key is checked first (401 as for any call), then 405 when the path
        takes another method (``allowed``), else 404; both in ManyChat's envelope, both logged."""
        presented, found, _state, refused = self._authenticate(method, path, authorization)
        if refused is not None:
            return refused
        if allowed is not None:
            self._log(method, path, presented, found, 405, "wrong_method", f"{_clean(path, 100)} takes {allowed}")
            return _json(405, {"status": "error",
                               "message": f"Method {_clean(method, 10)} is not allowed here: this endpoint takes "
                                          f"{allowed}."})
        self._log(method, path, presented, found, 404, "not_found", "no such endpoint")
        return _json(404, {"status": "error", "message": "Not found"})


def _run(endpoint: Endpoint, data: dict[str, Any], args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    before = json.dumps(data, sort_keys=True)
    answer = endpoint.handler(data, args, datetime.now(UTC))
    return answer, json.dumps(data, sort_keys=True) != before


_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str), "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool), "boolean": lambda v: isinstance(v, bool),
}


def check_trigger(manifest: dict[str, Any], document: dict[str, Any]) -> str:
    """The trigger's name when the call matches a declared trigger and its context; else a clear 400."""
    problems = []
    if document.get("version") != 1:
        problems.append("version: must be 1.")
    subscriber = document.get("subscriber_id")
    if not (isinstance(subscriber, int) and not isinstance(subscriber, bool) and subscriber > 0):
        problems.append("subscriber_id: give the subscriber's id as a positive whole number.")
    triggers = {str(t.get("name")): t for t in as_list(manifest.get("triggers")) if isinstance(t, dict)}
    name = document.get("trigger_name")
    declared = ", ".join(sorted(triggers)) or "none"
    if not isinstance(name, str) or name not in triggers:
        problems.append(f"trigger_name: {_clean(str(name), 80)!r} is not a trigger of this app "
                        f"(its App JSON declares: {declared}).")
    context = document.get("context", {})
    if not isinstance(context, dict):
        problems.append("context: must be a JSON object.")
    elif isinstance(name, str) and name in triggers:
        fields = {str(f.get("name")): f for f in as_list(triggers[name].get("context")) if isinstance(f, dict)}
        unknown = sorted(set(context) - set(fields))
        missing = sorted(set(fields) - set(context))
        if unknown:
            problems.append(f"context: {', '.join(_clean(u, 60) for u in unknown)} not declared in the trigger's "
                            f"context (declared: {', '.join(sorted(fields)) or 'none'}).")
        if missing:
            problems.append(f"context: missing {', '.join(missing)}, declared in the trigger's context.")
        for key, spec in fields.items():
            kind = str(as_dict(spec).get("type") or "string")
            check = _TYPE_CHECKS.get(kind)
            if key in context and check is not None and not check(context[key]):
                problems.append(f"context.{key}: the trigger declares it as {kind}.")
    if problems:
        raise validation_error(*problems)
    return str(name)
