"""The check catalogue: every check ID (checklist items and validation finding codes), stable and documented.

Each check names the App Store review criterion it serves (ManyChat's review team checks six things),
its severity when it does not pass, and when it is required. IDs never change meaning: a renamed check
gets a new ID. The README's table is generated from this module (``markdown_table``) and a test keeps
them equal; another test fails when the checklist or the validator produces an ID missing here.

The checklist's entries take their titles from the readiness model, loaded only when a checklist entry is
asked for: ``validate`` (findings only) starts without the readiness model and what it imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# ManyChat's six review criteria, and the server-side recommendation that is not one of them.
INSTALLABLE = "installable"
SETTINGS = "settings"
ACCESSIBLE = "accessible"
WORKS = "works_as_described"
MINIMAL = "no_unnecessary_data"
CONFIGURED = "sources_configured"
SERVER_SIDE = "server_side_key"
CRITERIA = {
    INSTALLABLE: "The app can be installed via its installation link",
    SETTINGS: "Its settings capture enough information to make it work",
    ACCESSIBLE: "All its actions are accessible in the Flow Builder",
    WORKS: "Its actions work as their title and description say",
    MINIMAL: "It captures no unnecessary data",
    CONFIGURED: "Every external source its actions depend on is configured properly",
    SERVER_SIDE: "The App Key is obtained server-side (ManyChat's strong recommendation for the App Store)",
}
SEVERITIES = ("error", "warning", "info")
# When a check is required: always, only with --for-listing, or never (advice).
ALWAYS, LISTING, NEVER = "always", "for-listing", "never"
KINDS = ("checklist", "finding", "compat", "scan")


@dataclass(frozen=True)
class Check:
    id: str
    kind: str  # one of KINDS
    title: str
    criterion: str  # a key of CRITERIA
    severity: str  # what a non-pass is: error | warning | info
    required: str  # ALWAYS | LISTING | NEVER

    @property
    def criterion_text(self) -> str:
        return CRITERIA[self.criterion]


def _c(id_: str, kind: str, title: str, criterion: str, severity: str = "error", required: str = ALWAYS) -> Check:
    return Check(id_, kind, title, criterion, severity, required)


# Each checklist item's review criterion and the severity of a non-pass; its title and when it is required
# come from the readiness model (console/readiness.py MODEL), the one place that decides them.
_CHECKLIST_CRITERIA: dict[str, tuple[str, str]] = {
    "delivery.server_side": (SERVER_SIDE, "error"),
    "delivery.no_legacy_param": (MINIMAL, "error"),
    "delivery.proven": (SERVER_SIDE, "error"),
    "manifest.valid": (CONFIGURED, "error"),
    "manifest.listing_rules": (CONFIGURED, "error"),
    "manifest.templates_known": (SETTINGS, "error"),
    "actions.present": (ACCESSIBLE, "error"),
    "actions.rehearsed": (WORKS, "error"),
    "sources.rpc_answers": (CONFIGURED, "error"),
    "endpoint.https": (INSTALLABLE, "error"),
    "fire.latest_200": (INSTALLABLE, "error"),
    "fire.p95": (INSTALLABLE, "warning"),
    "conformance.recover": (INSTALLABLE, "warning"),
    "conformance.retry": (INSTALLABLE, "error"),
    "conformance.rekey": (INSTALLABLE, "error"),
    "conformance.burst": (INSTALLABLE, "error"),
    "scopes.review": (MINIMAL, "warning"),
    "scopes.sandbox_unused": (MINIMAL, "warning"),
}


def _mode(building: bool, listing: bool) -> str:
    return ALWAYS if building else (LISTING if listing else NEVER)


@cache
def _checklist() -> tuple[Check, ...]:
    from console.readiness import MODEL

    return tuple(
        _c(item_id, "checklist", rule.title, *_CHECKLIST_CRITERIA.get(item_id, (CONFIGURED, "error")),
           _mode(rule.building, rule.listing))
        for item_id, rule in MODEL.items()
    )

_COMPAT = (
    _c("compat.breaking", "compat", "No change since the old App JSON breaks installations or flows", WORKS,
       "error", NEVER),
    _c("compat.review", "compat", "Changes since the old App JSON that send the app back to review", INSTALLABLE,
       "warning", NEVER),
)

_SCAN = (
    _c("scan.tls_version", "scan", "The endpoint speaks TLS 1.2 or newer", SERVER_SIDE, "error", LISTING),
    _c("scan.certificate", "scan", "The certificate chain is valid and trusted", SERVER_SIDE, "error", LISTING),
    _c("scan.expiry", "scan", "The certificate is valid for 30 days or more", SERVER_SIDE, "warning", NEVER),
    _c("scan.hsts", "scan", "The endpoint sends Strict-Transport-Security", SERVER_SIDE, "warning", NEVER),
    _c("scan.plain_http", "scan", "Plain http on the same host is redirected or refused", SERVER_SIDE,
       "error", LISTING),
)


def _f(code: str, title: str, criterion: str, severity: str = "error") -> Check:
    return Check(code, "finding", title, criterion, severity, ALWAYS if severity == "error" else NEVER)


_FINDINGS = (
    _f("json.duplicate_key", "A key appears twice in one object (the last one wins)", CONFIGURED, "warning"),
    _f("json.not_a_number", "A number JSON cannot hold", CONFIGURED),
    _f("json.too_deep", "Nesting deeper than App JSON ever needs", CONFIGURED),
    _f("json.comments", "Comments in the file (ManyChat's field refuses them)", CONFIGURED, "warning"),
    _f("schema.required", "A required field is missing", CONFIGURED),
    _f("schema.type", "A field has the wrong type", CONFIGURED),
    _f("schema.const", "A field must have one exact value", CONFIGURED),
    _f("schema.pattern", "A name is not letters, digits and '_'", CONFIGURED),
    _f("schema.minLength", "A text field is empty", CONFIGURED),
    _f("schema.additionalProperties", "An object has a field the schema does not allow", CONFIGURED),
    _f("schema.enum", "A field is not one of its allowed values", CONFIGURED),
    _f("request.missing", "No auth.request: the key is copied by hand", SERVER_SIDE, "info"),
    _f("auth.type_unknown", "auth.type is not APIKEY", SETTINGS, "warning"),
    _f("params.duplicate", "Two installer params share a name", SETTINGS),
    _f("params.reserved", "An installer param uses a reserved name", SETTINGS),
    _f("params.legacy_api_key", "An installer param asks for a ManyChat API key (legacy)", MINIMAL, "warning"),
    _f("key.not_delivered", "auth.request does not send the App Key", SERVER_SIDE),
    _f("key.in_query", "The App Key travels in the URL query", SERVER_SIDE, "warning"),
    _f("method.invalid", "An unsupported HTTP method", CONFIGURED),
    _f("url.missing", "A request URL is missing", CONFIGURED),
    _f("url.whitespace", "A URL contains whitespace", CONFIGURED),
    _f("url.invalid", "A URL cannot be parsed", CONFIGURED),
    _f("url.not_absolute", "A URL is not absolute", CONFIGURED),
    _f("url.scheme", "A URL's scheme is not http or https", CONFIGURED),
    _f("url.port", "A URL has an invalid port", CONFIGURED),
    _f("url.no_host", "A URL has no host name", CONFIGURED),
    _f("url.insecure", "A URL is plain http://", CONFIGURED, "warning"),
    _f("header.malformed", "A header line is not 'Name: value'", CONFIGURED),
    _f("header.crlf", "A header line contains a line break", CONFIGURED),
    _f("header.unsendable", "A header would contain a character HTTP cannot send", CONFIGURED),
    _f("header.duplicate", "A header is set twice", CONFIGURED, "warning"),
    _f("payload.not_json", "A JSON payload does not parse", CONFIGURED),
    _f("payload.with_get", "A payload on a GET request", CONFIGURED, "warning"),
    _f("form.json", "A form-encoded payload is not an object of values", CONFIGURED),
    _f("form.pair", "A form-encoded payload pair is malformed", CONFIGURED),
    _f("template.unknown", "A template name that nothing defines", SETTINGS),
    _f("template.system_field", "A {{system field}} the console cannot vouch for", SETTINGS, "warning"),
    _f("actions.none", "The app has no action", ACCESSIBLE),
    _f("actions.duplicate", "Two actions share a name", ACCESSIBLE),
    _f("actions.title_empty", "An action has no title", ACCESSIBLE),
    _f("actions.no_request", "An action sends no request", WORKS, "warning"),
    _f("forms.duplicate", "Two form fields of an action share a name", SETTINGS),
    _f("forms.type_unknown", "A form field has an unknown type", SETTINGS, "warning"),
    _f("forms.source_unknown", "A form field names a source that does not exist", CONFIGURED),
    _f("forms.default_type", "A form field's default does not match its type", SETTINGS),
    _f("mapping.duplicate", "Two mapping outputs share a name", WORKS),
    _f("mapping.path_invalid", "A mapping path is not a valid JSONPath", WORKS),
    _f("mapping.type_unknown", "A mapping output has an unknown type", WORKS, "warning"),
    _f("sources.duplicate", "Two sources share a name", CONFIGURED),
    _f("sources.type_unknown", "A source has an unknown type", CONFIGURED, "warning"),
    _f("sources.static_values", "A static source has no usable values", CONFIGURED),
    _f("sources.rpc_request", "An rpc source has no usable request", CONFIGURED),
    _f("sources.unused", "A source no form field uses", MINIMAL, "info"),
    _f("triggers.duplicate", "Two triggers share a name", ACCESSIBLE),
    _f("triggers.context_duplicate", "Two context fields of a trigger share a name", ACCESSIBLE),
    _f("triggers.context_type_unknown", "A trigger context field has an unknown type", ACCESSIBLE, "warning"),
    _f("triggers.key_manual", "Triggers need the App Key, but it is copied by hand", SERVER_SIDE, "warning"),
    _f("scopes.missing", "An API call needs a scope the app does not have", CONFIGURED),
    _f("scopes.unused", "A scope no API call uses", MINIMAL, "info"),
    _f("scopes.method_mismatch", "An API call uses a method its endpoint does not take", CONFIGURED, "warning"),
    _f("scopes.unknown_endpoint", "An API call to an endpoint the catalogue does not know", CONFIGURED, "warning"),
)

_OTHERS = {check.id: check for check in _COMPAT + _SCAN + _FINDINGS}
# Schema findings are named after the JSON Schema keyword that failed; any keyword has this fallback.
_SCHEMA_FAMILY = _f("schema.*", "The App JSON breaks its schema", CONFIGURED)


def all_checks() -> tuple[Check, ...]:
    """Every check: the checklist's items, the compatibility and scan items, the findings."""
    return _checklist() + _COMPAT + _SCAN + _FINDINGS


def __getattr__(name: str) -> tuple[Check, ...]:
    if name == "CHECKS":  # every check, built on first use (the checklist's titles need the readiness model)
        return all_checks()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_check(check_id: str) -> Check | None:
    """The catalogue entry for an ID (a ``schema.<keyword>`` not listed falls back to the schema family)."""
    found = _OTHERS.get(check_id)
    if found is not None:
        return found
    if check_id.startswith("schema."):
        return _SCHEMA_FAMILY
    return next((check for check in _checklist() if check.id == check_id), None)


def check_of(check_id: str) -> Check:
    """The entry for an ID; an ID missing from the catalogue still gets a usable entry (a test forbids it)."""
    return get_check(check_id) or Check(check_id, "finding", check_id, CONFIGURED, "error", ALWAYS)


def criterion_text_of(check_id: str) -> str:
    """The review criterion an ID serves, as ``check_of(check_id).criterion_text`` says, without loading the
    readiness model (a checklist item's criterion is in this module; an item or ID not listed serves CONFIGURED)."""
    found = _OTHERS.get(check_id) or (_SCHEMA_FAMILY if check_id.startswith("schema.") else None)
    if found is not None:
        return found.criterion_text
    return CRITERIA[_CHECKLIST_CRITERIA.get(check_id, (CONFIGURED, "error"))[0]]


def markdown_table() -> str:
    """The README's table of every check, generated from the catalogue."""
    lines = ["| ID | Kind | Title | Review criterion | Severity | Required |", "|---|---|---|---|---|---|"]
    for check in all_checks():
        lines.append(f"| `{check.id}` | {check.kind} | {check.title} | {check.criterion_text} | "
                     f"{check.severity} | {check.required} |")
    return "\n".join(lines) + "\n"
