"""One typed result per check, built from checklist items, validation findings, compatibility and scan items.

Every output format (text, json, junit, sarif, github) renders the same ``CheckRun``. A result's ``level``
says how it counts: ``error`` and ``warning`` fail the run according to ``--fail-on``; ``note``
(information, an optional item not run) and ``pass`` never do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.checks.catalog import check_of, criterion_text_of

if TYPE_CHECKING:
    from console.outcome import FireRecord
    from console.readiness import ChecklistItem

PASS, ERROR, WARNING, NOTE = "pass", "error", "warning", "note"
LEVELS = (ERROR, WARNING, NOTE, PASS)
FAIL_ON = ("error", "warning", "never")


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    level: str  # ERROR | WARNING | NOTE | PASS
    status: str  # the checklist status (pass, fail, not_run, …) or the finding's severity
    message: str
    pointer: str | None = None  # an RFC 6901 pointer into the App JSON, when the result is about a place in it
    evidence: tuple[str, ...] = ()  # labels of the evidence (fire #12: HTTP 200, …)
    proof: str = ""  # the evidence in full (the fire's request and response, masked), for JUnit's system-out

    @property
    def criterion(self) -> str:
        return criterion_text_of(self.id)

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "level": self.level, "status": self.status,
                "message": self.message, "pointer": self.pointer, "criterion": self.criterion,
                "evidence": list(self.evidence), "proof": self.proof}


@dataclass(frozen=True)
class CheckRun:
    """What one ``check`` or ``validate`` found, about one App JSON file."""

    command: str  # "check" | "validate"
    file: str  # the App JSON file as given on the command line
    results: tuple[CheckResult, ...]
    summary: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)  # the command's own JSON object
    text: str = ""  # the command's own human output (the text format), when it has one

    def count(self, level: str) -> int:
        return sum(1 for r in self.results if r.level == level)

    def fails(self, fail_on: str) -> bool:
        """Whether the run fails at this threshold: error (default), warning, never."""
        if fail_on == "never":
            return False
        levels = (ERROR,) if fail_on == "error" else (ERROR, WARNING)
        return any(r.level in levels for r in self.results)


def from_finding(pointer: str, severity: str, code: str, message: str) -> CheckResult:
    level = {"error": ERROR, "warning": WARNING}.get(severity, NOTE)
    return CheckResult(code, check_of(code).title, level, severity, message, pointer)


def from_item(item_id: str, title: str, status: str, required: bool, why: str,
              evidence: Sequence[tuple[str, str, str]], proofs: Mapping[str, str] | None = None) -> CheckResult:
    """A checklist item; ``evidence``: (kind, ref, label) triples; ``proofs``: fire id → its request/response."""
    if status == "pass":
        level = PASS
    elif required and status in ("fail", "not_run"):
        level = ERROR  # missing evidence is never a pass
    elif status in ("fail", "not_provable", "review"):
        level = WARNING
    else:
        level = NOTE
    pointer = next((ref for kind, ref, _ in evidence if kind == "finding" and ref.startswith("/")), None)
    fire_proofs = [proofs[ref] for kind, ref, _ in evidence if kind == "fire" and proofs and ref in proofs]
    return CheckResult(item_id, title, level, status, why, pointer, tuple(label for _, _, label in evidence),
                       "\n\n".join(fire_proofs))


def results_of_items(items: Iterable[ChecklistItem], proofs: Mapping[str, str] | None = None) -> list[CheckResult]:
    """Checklist items as results; ``proofs``: fire id → that fire's request and response (``proof_of_fire``)."""
    return [from_item(item.id, item.title, item.status, item.required, item.why,
                      [(e.kind, e.ref, e.label) for e in item.evidence], proofs) for item in items]


MAX_PROOF_BODY = 4000


def proof_of_fire(fire: FireRecord) -> str:
    """A stored fire's request and response as text. Stored fires hold the key masked and secrets redacted."""
    lines = [f"fire #{fire.id} at {fire.fired_at.isoformat()}: {fire.category.value}"
             + (f", HTTP {fire.status}" if fire.status is not None else "") + f", {fire.elapsed_ms:.0f} ms"]
    detail = fire.detail
    if detail is None:
        return lines[0] + "\n(the request and response were not stored)"
    request = detail.request
    lines += ["", "> " + f"{request.method} {request.url}"]
    lines += [f"> {name}: {value}" for name, value in request.headers]
    if request.body:
        lines += [">", *(">" + (" " + line if line else "") for line in request.body[:MAX_PROOF_BODY].splitlines())]
    if detail.response is None:
        lines += ["", f"< (no answer: {detail.message})"]
    else:
        lines += ["", f"< HTTP {fire.status}"]
        lines += [f"< {name}: {value}" for name, value in detail.response.headers]
        body = detail.response.body[:MAX_PROOF_BODY]
        if body:
            lines += ["<", *("<" + (" " + line if line else "") for line in body.splitlines())]
        if detail.response.truncated or len(detail.response.body) > MAX_PROOF_BODY:
            lines.append("< (body truncated)")
    if detail.delivery is not None:
        lines += ["", f"key delivery: {detail.delivery.message}"]
    return "\n".join(lines)
