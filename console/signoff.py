"""Sign-off rules: what a reviewer signed (hashes of the App JSON and the scopes, the verdict and
its evidence), and when a sign-off is stale (the App JSON or the scopes changed since)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.manifest.document import document_hash
from console.readiness import ChecklistItem
from console.store import SignoffRecord

DECISIONS = {"approved": "signed off", "changes_requested": "changes requested"}
MAX_COMMENT = 2000


def scopes_hash(scopes: Sequence[str]) -> str:
    return document_hash(sorted(scopes))


def evidence_of(items: Sequence[ChecklistItem]) -> list[dict[str, Any]]:
    """The evidence the verdict rested on: each item's status with its fires and findings."""
    return [{"item": item.id, "status": item.status, "required": item.required,
             "fires": [e.ref for e in item.evidence if e.kind == "fire"],
             "findings": [e.ref for e in item.evidence if e.kind != "fire"]} for item in items]


@dataclass(frozen=True)
class SignoffView:
    record: SignoffRecord
    stale: bool
    why_stale: str

    @property
    def fresh_approval(self) -> bool:
        return self.record.decision == "approved" and not self.stale

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {"id": r.id, "by": r.actor, "decision": r.decision, "comment": r.comment,
                "at": r.at.isoformat(), "ready": r.ready, "verdict": r.verdict, "target": r.target,
                "for_listing": r.for_listing, "app_json_sha256": r.manifest_hash, "scopes_sha256": r.scopes_hash,
                "evidence_fires": sorted({f for e in r.evidence for f in e.get("fires", [])}, key=str),
                "stale": self.stale, "why_stale": self.why_stale}


def judge(record: SignoffRecord, manifest: dict[str, Any], scopes: Sequence[str]) -> SignoffView:
    changed = [what for what, same in (("the App JSON", record.manifest_hash == document_hash(manifest)),
                                       ("the scopes", record.scopes_hash == scopes_hash(scopes))) if not same]
    return SignoffView(record, bool(changed), (" and ".join(changed) + " changed since") if changed else "")


def current(views: Sequence[SignoffView]) -> SignoffView | None:
    """The decision in force: the newest sign-off or request for changes (views are newest first)."""
    return views[0] if views else None
