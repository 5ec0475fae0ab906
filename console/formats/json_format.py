"""The JSON output: the command's own object (its documented contract) plus ``checks``, one per result."""

from __future__ import annotations

import json

from console.checks.results import CheckRun


def render(run: CheckRun, fail_on: str = "error") -> str:
    document = {**run.extra, "checks": [r.to_dict() for r in run.results], "fail_on": fail_on,
                "failed": run.fails(fail_on)}
    return json.dumps(document, ensure_ascii=False) + "\n"
