"""The JSON output: the command's own documented object (``validate``: valid and issues with their codes;
``check``: the readiness report with each item's id). Every ID in it is a catalogue ID."""

from __future__ import annotations

import json

from console.checks.results import CheckRun


def render(run: CheckRun, fail_on: str = "error") -> str:
    document = dict(run.extra) if run.extra else {"checks": [r.to_dict() for r in run.results],
                                                  "failed": run.fails(fail_on)}
    return json.dumps(document, ensure_ascii=False) + "\n"
