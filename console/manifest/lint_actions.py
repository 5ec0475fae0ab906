"""Actions: unique names, a title, forms (fields with a type, ``default``, ``source``) and requests
checked with exactly the same request rules as ``auth.request``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from console.manifest.calls import sources_of
from console.manifest.document import as_list, param_names
from console.manifest.findings import ValidationIssue
from console.manifest.lint_mapping import lint_mapping
from console.manifest.lint_templates import lint_action_templates
from console.templating import SYSTEM_VARIABLES

FIELD_TYPES = ("string", "number", "boolean", "date", "datetime")
# The auth.request rules that do not apply to an action's request (they are about the App Key
# delivery), and the template rule that actions replace with their own names.
NOT_FOR_ACTIONS = ("key.not_delivered", "template.unknown")

RequestLinter = Callable[..., list[ValidationIssue]]


def lint_actions(document: dict[str, Any], for_listing: bool, lint_request: RequestLinter) -> list[ValidationIssue]:
    actions = document.get("actions")
    if not isinstance(actions, list):
        return []
    if not actions:
        return [ValidationIssue(
            "/actions", "error" if for_listing else "warning", "actions.none",
            "No action yet: an App Store listing needs at least one, accessible in the Flow Builder.",
            "Add an action (name, title, forms, requests) that installers can use in the Flow Builder on the "
            "Actions page (a starter template helps), or import an App JSON with its actions (Auth section page).",
        )]
    issues: list[ValidationIssue] = []
    params = param_names(document)
    sources = {name: item for _, name, item in sources_of(document) if name is not None}
    seen: dict[str, int] = {}
    for index, action in enumerate(actions):
        if not isinstance(action, dict):
            continue
        base = f"/actions/{index}"
        name = action.get("name")
        label = f"the action '{name}'" if isinstance(name, str) and name else f"action {index + 1}"
        if isinstance(name, str) and name:
            if name in seen:
                issues.append(ValidationIssue(
                    base + "/name", "error", "actions.duplicate",
                    f"The action name '{name}' is used twice (also action {seen[name] + 1}).",
                    "Give every action a unique name: the Flow Builder tells actions apart by it.",
                ))
            else:
                seen[name] = index
        title = action.get("title")
        if isinstance(title, str) and not title.strip():
            issues.append(ValidationIssue(
                base + "/title", "error", "actions.title_empty", f"The title of {label} is empty.",
                "Give the action a title: it is what installers see in the Flow Builder.",
            ))
        fields, field_issues = _lint_forms(action.get("forms"), base + "/forms", sources)
        issues.extend(field_issues)
        requests = action.get("requests")
        if isinstance(requests, list) and not requests:
            issues.append(ValidationIssue(
                base + "/requests", "warning", "actions.no_request", f"{label.capitalize()} sends no request.",
                "Add the request the action makes, or remove the action.",
            ))
        for r_index, request in enumerate(as_list(requests)):
            if not isinstance(request, dict):
                continue
            pointer = f"{base}/requests/{r_index}"
            issues.extend(lint_action_request(request, pointer, fields, params, for_listing, lint_request, label))
    return issues


def lint_action_request(request: dict[str, Any], pointer: str, fields: list[str], params: list[str],
                        for_listing: bool, lint_request: RequestLinter, label: str) -> list[ValidationIssue]:
    """The auth.request rules (URL, method, header lines, CR/LF, payload vs Content-Type), then the
    action's own template names and the mapping."""
    names = set(SYSTEM_VARIABLES) | set(fields) | set(params)
    issues = [_for_action(i) for i in lint_request(request, names, for_listing, base=pointer)
              if i.code not in NOT_FOR_ACTIONS]
    for key in ("url", "headers", "payload"):
        issues.extend(lint_action_templates(request.get(key), f"{pointer}/{key}", fields, params, label))
    issues.extend(lint_mapping(request.get("mapping"), pointer + "/mapping"))
    return issues


def _for_action(issue: ValidationIssue) -> ValidationIssue:
    """The shared request rules speak of the install request; an action's request is another one."""
    def reword(text: str) -> str:
        for old, new in (("your install endpoint", "the endpoint this request calls"),
                         ("the install request", "this request"), ("The install request", "This request")):
            text = text.replace(old, new)
        return text

    return replace(issue, message=reword(issue.message), hint=reword(issue.hint))


def _lint_forms(forms: Any, base: str, sources: dict[str, Any]) -> tuple[list[str], list[ValidationIssue]]:
    """The names of the action's form fields, and the findings about them."""
    names: list[str] = []
    issues: list[ValidationIssue] = []
    for index, field in enumerate(as_list(forms)):
        if not isinstance(field, dict):
            continue
        pointer = f"{base}/{index}"
        name, kind = field.get("name"), field.get("type")
        if isinstance(name, str):
            if name in names:
                issues.append(ValidationIssue(
                    pointer + "/name", "error", "forms.duplicate", f"The form field '{name}' is declared twice.",
                    "Give every field of an action a unique name.",
                ))
            names.append(name)
        if isinstance(kind, str) and kind not in FIELD_TYPES:
            issues.append(ValidationIssue(
                pointer + "/type", "warning", "forms.type_unknown",
                f"The field type '{kind}' is not one the console knows ({', '.join(FIELD_TYPES)}).",
                "The Specification leaves the list of types open: check that ManyChat offers this one.",
            ))
        if "default" in field:
            issues.extend(_lint_default(field["default"], kind, pointer + "/default"))
        source = field.get("source")
        if source is not None:
            if not isinstance(source, str) or source not in sources:
                declared = ", ".join(sorted(sources)) or "none"
                issues.append(ValidationIssue(
                    pointer + "/source", "error", "forms.source_unknown",
                    f"The field's source {source!r} is not one of the app's sources (declared: {declared}).",
                    "Name a source declared in 'sources', or declare it there (enum:static or enum:rpc).",
                ))
    return names, issues


def _lint_default(default: Any, kind: Any, pointer: str) -> list[ValidationIssue]:
    expected = {"number": (int, float), "boolean": (bool,), "string": (str,)}.get(kind if isinstance(kind, str) else "")
    if expected is None or default is None:
        return []
    fits = isinstance(default, expected) and not (kind == "number" and isinstance(default, bool))
    if kind == "number" and isinstance(default, str):
        try:
            float(default)
            fits = True
        except ValueError:
            fits = False
    if fits:
        return []
    return [ValidationIssue(
        pointer, "error", "forms.default_type", f"The default {default!r} is not a {kind}.",
        f"Give a {kind} default (a default makes the field optional), or remove it.",
    )]
