"""Template names per place: ``{{name}}`` and ``[[name]]`` must name something that place defines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from console.manifest.findings import ValidationIssue
from console.templating import PLACEHOLDER, SYSTEM_VARIABLES, walk_strings


def placeholders(text: str) -> list[tuple[str, str]]:
    """(spelling, name) of every placeholder: spelling '{{' for system fields, '[[' for params and fields."""
    return [("{{", m.group(1)) if m.group(1) is not None else ("[[", m.group(2)) for m in PLACEHOLDER.finditer(text)]


def lint_action_templates(value: Any, base: str, fields: Iterable[str], params: Iterable[str],
                          place: str = "this action") -> list[ValidationIssue]:
    """In an action: ``[[name]]`` is a form field of the action or an auth param (else an error);
    ``{{name}}`` is a ManyChat system field: the four the console knows pass, another one gets a
    warning (ManyChat does not publish the full list)."""
    known = set(fields) | set(params)
    issues = []
    for pointer, text in walk_strings(value, base):
        for spelling, name in dict.fromkeys(placeholders(text)):
            if spelling == "[[" and name not in known and name not in SYSTEM_VARIABLES:
                choices = f"Use one of {', '.join(sorted(known))}, or" if known else "No field or param is declared:"
                issues.append(ValidationIssue(
                    pointer, "error", "template.unknown",
                    f"'[[{name}]]' is neither a form field of {place} nor an installer param.",
                    f"{choices} add a form field '{name}' to the action (or a param '{name}' to auth.params).",
                ))
            elif spelling == "{{" and name not in SYSTEM_VARIABLES and name not in known:
                issues.append(ValidationIssue(
                    pointer, "warning", "template.system_field",
                    f"'{{{{{name}}}}}' is not a system field the console knows ({', '.join(SYSTEM_VARIABLES)}).",
                    "Inside actions ManyChat offers more system fields than these, but does not publish the "
                    "list: check the name in ManyChat, or use [[name]] for a form field or param.",
                ))
    return issues
