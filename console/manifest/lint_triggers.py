"""``triggers``: unique names, context fields with names and types; an app with triggers calls
ManyChat with the App Key, so the key must reach the app."""

from __future__ import annotations

from typing import Any

from console.manifest.document import as_list, auth_of, request_of
from console.manifest.findings import ValidationIssue

CONTEXT_TYPES = ("string", "number", "boolean", "date", "datetime", "array", "object")
TRIGGER_WEBHOOK = "https://hooks.manychat.com/apps/wh"


def lint_triggers(document: dict[str, Any]) -> list[ValidationIssue]:
    triggers = document.get("triggers")
    if not isinstance(triggers, list) or not triggers:
        return []
    issues: list[ValidationIssue] = []
    seen: dict[str, int] = {}
    for index, trigger in enumerate(triggers):
        if not isinstance(trigger, dict):
            continue
        base = f"/triggers/{index}"
        name = trigger.get("name")
        if isinstance(name, str):
            if name in seen:
                issues.append(ValidationIssue(
                    base + "/name", "error", "triggers.duplicate",
                    f"The trigger name '{name}' is used twice (also trigger {seen[name] + 1}).",
                    "Give every trigger a unique name: your app fires it by this name (trigger_name).",
                ))
            else:
                seen[name] = index
        names: set[str] = set()
        for c_index, field in enumerate(as_list(trigger.get("context"))):
            if not isinstance(field, dict):
                continue
            pointer = f"{base}/context/{c_index}"
            field_name, kind = field.get("name"), field.get("type")
            if isinstance(field_name, str):
                if field_name in names:
                    issues.append(ValidationIssue(
                        pointer + "/name", "error", "triggers.context_duplicate",
                        f"The context field '{field_name}' is declared twice in this trigger.",
                        "Give every context field of a trigger a unique name.",
                    ))
                names.add(field_name)
            if isinstance(kind, str) and kind not in CONTEXT_TYPES:
                issues.append(ValidationIssue(
                    pointer + "/type", "warning", "triggers.context_type_unknown",
                    f"The context type '{kind}' is not one the console knows ({', '.join(CONTEXT_TYPES)}).",
                    "The Specification leaves the list of types open: check that ManyChat accepts this one.",
                ))
    if auth_of(document) is None or request_of(document) is None:
        issues.append(ValidationIssue(
            "/triggers", "warning", "triggers.key_manual",
            "The app has triggers but the App Key is delivered by hand (manual delivery): your app fires a "
            f"trigger by calling {TRIGGER_WEBHOOK} with the App Key, so it must hold every installation's key.",
            "Add auth.request so ManyChat sends the key to your endpoint at installation.",
        ))
    return issues
