"""SARIF 2.1.0 for code scanning: a rule per check ID, each result located in the App JSON by line and column.

Passes are left out (code scanning shows problems). Columns count Unicode code points
(``columnKind``). A result with no place in the file (a fire that failed) is located at line 1.
"""

from __future__ import annotations

import json
from typing import Any

from console import __version__
from console.checks.catalog import check_of
from console.checks.results import CheckRun
from console.formats.locate import Locator

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def _rule(check_id: str) -> dict[str, Any]:
    check = check_of(check_id)
    return {
        "id": check.id if check.id == check_id else check_id,
        "name": check_id.replace(".", "_"),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": f"{check.title}. Review criterion: {check.criterion_text}."},
        "defaultConfiguration": {"level": LEVELS.get(check.severity, "note")},
        "properties": {"kind": check.kind, "criterion": check.criterion, "required": check.required},
    }


def render(run: CheckRun, uri: str, locator: Locator | None) -> str:
    rule_ids: list[str] = []
    for result in run.results:
        if result.id not in rule_ids:
            rule_ids.append(result.id)
    results = []
    for result in run.results:
        if result.level == "pass":
            continue
        position = locator.locate(result.pointer) if locator is not None else None
        region = {"startLine": position.line, "startColumn": position.column} if position else {"startLine": 1}
        entry: dict[str, Any] = {
            "ruleId": result.id, "ruleIndex": rule_ids.index(result.id), "level": LEVELS[result.level],
            "message": {"text": result.message or result.title},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
        }
        if result.pointer is not None:
            entry["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": result.pointer or "/",
                                                          "kind": "member"}]
        if result.evidence:
            entry["properties"] = {"evidence": list(result.evidence), "status": result.status}
        results.append(entry)
    sarif = {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "App Key Console", "version": __version__,
                                "rules": [_rule(i) for i in rule_ids]}},
            "columnKind": "unicodeCodePoints",
            "artifacts": [{"location": {"uri": uri}}],
            "results": results,
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
