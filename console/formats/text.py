"""The plain text output of a check run: one line per result, then the verdict."""

from __future__ import annotations

from console.checks.results import CheckRun

_MARK = {"pass": "pass", "error": "FAIL", "warning": "warn", "note": "note"}


def render(run: CheckRun, fail_on: str = "error") -> str:
    if run.text:
        return run.text
    lines = []
    for result in run.results:
        where = f" at {result.pointer}" if result.pointer else ""
        lines.append(f"[{_MARK[result.level]:>4}] {result.id}{where}: {result.title}")
        lines.append(f"{'':7}{result.message}")
        if result.evidence:
            lines.append(f"{'':7}evidence: " + "; ".join(result.evidence))
    counts = ", ".join(f"{run.count(level)} {name}" for level, name in
                       (("error", "error(s)"), ("warning", "warning(s)"), ("note", "note(s)"), ("pass", "passed")))
    verdict = "FAILED" if run.fails(fail_on) else "OK"
    lines.append(f"{run.file}: {verdict} (--fail-on {fail_on}): {counts}." + (f" {run.summary}" if run.summary else ""))
    return "\n".join(lines) + "\n"
