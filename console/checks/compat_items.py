"""The compatibility items a ``check --since OLD_APP_JSON`` adds to the checklist."""

from __future__ import annotations

from console.manifest.compat import CompatChange, CompatReport
from console.readiness import FAIL, INSTALLABLE, PASS, REVIEW, ChecklistItem, Evidence


def compat_checklist(report: CompatReport, since: str) -> list[ChecklistItem]:
    """``compat.breaking`` (required: a breaking change fails the check) and ``compat.review``."""
    breaking, review = report.breaking, report.review
    notes = (" " + " ".join(report.notes)) if report.notes else ""
    items = [ChecklistItem(
        "compat.breaking", INSTALLABLE, "No change since the old App JSON breaks installations or flows",
        FAIL if breaking else PASS, True,
        (f"{len(breaking)} breaking change(s) since {since}: " + "; ".join(f"{c.what}: {c.impact}"
                                                                            for c in breaking[:5]) + "."
         if breaking else f"No breaking change since {since} ({len(report.changes)} change(s) in all).") + notes,
        tuple(_evidence(c, f"{c.what}: {c.impact}"[:300]) for c in breaking))]
    items.append(ChecklistItem(
        "compat.review", INSTALLABLE, "Changes since the old App JSON that send the app back to review",
        REVIEW if review else PASS, False,
        ("; ".join(f"{c.what}: {c.impact}" for c in review[:5]) if review
         else "No change that needs ManyChat's review."),
        tuple(_evidence(c, c.what) for c in review)))
    return items


def _evidence(change: CompatChange, label: str) -> Evidence:
    """A place in the checked App JSON is a finding (located in the file); a place in the old one is not."""
    return Evidence("finding" if change.side == "new" else "compat", change.pointer or "/", label)
