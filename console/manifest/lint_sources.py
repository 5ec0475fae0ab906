"""``sources``: dropdown data for form fields, ``enum:static`` (values) or ``enum:rpc`` (a request)."""

from __future__ import annotations

from typing import Any

from console.manifest.calls import sources_of
from console.manifest.document import as_list, param_names
from console.manifest.findings import ValidationIssue
from console.manifest.lint_actions import RequestLinter, lint_action_request

SOURCE_TYPES = ("enum:static", "enum:rpc")


def used_sources(document: dict[str, Any]) -> set[str]:
    return {field["source"] for action in as_list(document.get("actions")) if isinstance(action, dict)
            for field in as_list(action.get("forms"))
            if isinstance(field, dict) and isinstance(field.get("source"), str)}


def lint_sources(document: dict[str, Any], for_listing: bool, lint_request: RequestLinter) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    params = param_names(document)
    used = used_sources(document)
    seen: set[str] = set()
    for pointer, name, source in sources_of(document):
        if not isinstance(source, dict):
            continue
        if name is None and isinstance(document.get("sources"), list):
            continue  # the schema reports the missing name
        if name is not None:
            if name in seen:
                issues.append(ValidationIssue(
                    pointer + "/name", "error", "sources.duplicate", f"The source name '{name}' is used twice.",
                    "Give every source a unique name: form fields refer to it.",
                ))
            seen.add(name)
            if name not in used:
                issues.append(ValidationIssue(
                    pointer, "info", "sources.unused", f"No form field uses the source '{name}'.",
                    "Set \"source\": \"" + name + "\" on the field it feeds, or remove the source.",
                ))
        kind = source.get("type")
        if kind == "enum:static":
            values = source.get("values")
            if not isinstance(values, list) or not values:
                issues.append(ValidationIssue(
                    pointer + ("/values" if "values" in source else ""), "error", "sources.static_values",
                    f"The enum:static source '{name}' has no values to choose from.",
                    'List the choices in "values", e.g. ["small", "large"].',
                ))
        elif kind == "enum:rpc":
            request = source.get("request")
            if not isinstance(request, dict):
                issues.append(ValidationIssue(
                    pointer, "error", "sources.rpc_request",
                    f"The enum:rpc source '{name}' has no request to fetch its values with.",
                    'Add a "request" object (url, method, headers, mapping) that returns the choices.',
                ))
            else:
                issues.extend(lint_action_request(request, pointer + "/request", [], params, for_listing,
                                                  lint_request, f"the source '{name}'"))
        elif isinstance(kind, str):
            issues.append(ValidationIssue(
                pointer + "/type", "warning", "sources.type_unknown",
                f"The source type '{kind}' is neither enum:static nor enum:rpc.",
                "The Specification describes those two; check that ManyChat accepts this one.",
            ))
    return issues
