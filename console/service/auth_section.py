"""The Auth section page's view of an app: its App JSON checked and placed field by field, the texts
it shows (the auth section, the whole document) and the request as it would be sent."""

from __future__ import annotations

import json
from dataclasses import dataclass

from console.fire.prepare import InvalidRequest, masked_request, render_request, template_values
from console.manifest.document import auth_of, dump_manifest, request_of
from console.manifest.findings import ValidationReport
from console.manifest.outline import Outline, build_outline
from console.manifest.validate import validate_manifest
from console.profile import file_slug
from console.service.base import fire_context
from console.store import AppRecord

REQUEST_FIELDS = ("/auth/request/url", "/auth/request/method", "/auth/request/headers", "/auth/request/payload",
                  "/auth/request/mapping", "/auth/request")
OTHER_FIELDS = ("/auth/params", "/auth/connection")


@dataclass(frozen=True)
class AuthView:
    report: ValidationReport  # the whole App JSON, cross-checked with the app's scopes
    outline: Outline  # each finding placed with its field, item or section
    auth_json: str  # the auth section, indented
    app_json: str  # the whole document as it is downloaded
    file_name: str

    @property
    def errors(self) -> int:
        return sum(1 for issue in self.report.issues if issue.severity == "error")


def auth_view(app: AppRecord, server_side: bool) -> AuthView:
    """The page's view; ``server_side``: the request's fields are shown (findings are placed with them)."""
    report = validate_manifest(app.manifest, scopes=app.scopes)
    fields = (REQUEST_FIELDS if server_side else ()) + OTHER_FIELDS
    return AuthView(report, build_outline(app.manifest, report, fields),
                    json.dumps(auth_of(app.manifest), indent=2, ensure_ascii=False), dump_manifest(app.manifest),
                    f"{file_slug(app.name)}.app.json")


@dataclass(frozen=True)
class SentRequest:
    """The install request as it would be sent (the key masked), or why it cannot be shown."""

    text: str | None  # request line, headers, a blank line, the body (JSON indented)
    problem: str | None  # e.g. a template that cannot be filled in
    manual: bool = False  # no request: the installer copies the key


def request_as_sent(app: AppRecord, app_key: str) -> SentRequest:
    """The app's install request rendered with its sample values and ``app_key`` (shown masked)."""
    request = request_of(app.manifest)
    if request is None:
        return SentRequest(None, None, manual=True)
    try:
        rendered = masked_request(render_request(request, template_values(app_key, fire_context(app))), app_key)
    except InvalidRequest as exc:
        return SentRequest(None, str(exc))
    lines = [f"{rendered.method} {rendered.url}"] + [f"{n}: {v}" for n, v in rendered.headers]
    return SentRequest("\n".join(lines) + "\n\n" + _pretty(rendered.body or ""), None)


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (json.JSONDecodeError, TypeError, RecursionError):
        return text
