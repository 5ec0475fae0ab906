"""Readiness: the checklist verdict over stored evidence, the four steps' progress, the report.

One function decides a verdict, ``verdict_over``, for both faces. Its evidence is the stored fires:
  - for a console app (the Checklist, Home, `check --app ID`): the app's newest fires at the checked
    target kind and its latest conformance run there;
  - for an App JSON file (`check APP_JSON`): the fires of that exact document, found by its sha256
    (kept with every fire, whichever face fired it: `fire APP_JSON`, `check --url`, the pages), at the
    same target kind ('sample' for the built-in sample endpoint, else 'endpoint'), and the latest
    conformance run among them. A fire of another version of the file never counts.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass

from console.manifest.document import Document, document_hash
from console.manifest.findings import ValidationReport
from console.manifest.validate import validate_manifest
from console.outcome import FireRecord
from console.profile import AppProfile, file_slug
from console.readiness import ChecklistItem, ReadinessInput, Verdict, evaluate_checklist, model_table, verdict_of
from console.report import build_report, render_html, render_json, render_markdown, report_fingerprint
from console.sandbox.usage import LeastPrivilege, least_privilege
from console.service.base import must_get, settings_of
from console.signoff import SignoffView, judge
from console.store import AppRecord, FireFilter, Store

RECENT_FIRES = 20


@dataclass(frozen=True)
class Readiness:
    items: list[ChecklistItem]
    verdict: Verdict


@dataclass(frozen=True)
class EvidenceSource:
    """What a verdict is decided on: a document, its scopes, and which stored fires count."""

    manifest: Document
    scopes: tuple[str, ...]
    target_kind: str
    for_listing: bool
    fires: FireFilter  # the stored fires that are evidence (narrowed to the target kind here)
    scopes_known: bool = True  # False for a file: the scopes live in ManyChat, not in App JSON
    sandbox: LeastPrivilege | None = None


def verdict_over(store: Store, evidence: EvidenceSource) -> Readiness:
    """The checklist and its verdict from the newest stored fires and the latest conformance run."""
    where = FireFilter(app_ref=evidence.fires.app_ref, manifest_hash=evidence.fires.manifest_hash,
                       target_kind=evidence.target_kind)
    recent = [FireRecord.from_row(r) for r in store.fires.page(where, limit=RECENT_FIRES, with_detail=True)]
    run_id = store.fires.latest_run_id(where.app_ref, evidence.target_kind, manifest_hash=where.manifest_hash)
    conformance = [FireRecord.from_row(r) for r in store.fires.in_order(FireFilter(run_id=run_id))] if run_id else []
    items = evaluate_checklist(ReadinessInput(evidence.manifest, evidence.scopes, evidence.target_kind, recent,
                                              conformance, evidence.for_listing, evidence.scopes_known,
                                              evidence.sandbox))
    if not evidence.scopes_known:
        items = [item for item in items if item.id != "scopes.review"]  # scopes live in ManyChat, not App JSON
    return Readiness(items, verdict_of(items))


def readiness(store: Store, app: AppRecord, target: str, for_listing: bool) -> Readiness:
    """The checklist for one app at one target, from its newest fires and latest conformance run."""
    return verdict_over(store, EvidenceSource(app.manifest, app.scopes, target, for_listing, FireFilter(app_ref=app.id),
                                        sandbox=sandbox_least_privilege(store, app.id)))


def file_readiness(store: Store, manifest: Document, target_kind: str, for_listing: bool) -> Readiness:
    """The checklist for an App JSON file: the stored fires of this exact document at ``target_kind``."""
    return verdict_over(store, EvidenceSource(manifest, (), target_kind, for_listing,
                                        FireFilter(manifest_hash=document_hash(manifest)), scopes_known=False))


def checklist(store: Store, app: AppRecord, for_listing: bool | None = None) -> Readiness:
    """The readiness verdict as the Checklist page shows it for this app (its target, and the mode of the
    person looking: ``for_listing``, None = the app's stored default): Home, the Checklist, the report and
    `check --app ID` all show this one."""
    settings = settings_of(app)
    return readiness(store, app, settings.checklist_kind, settings.for_listing if for_listing is None else for_listing)


def sandbox_least_privilege(store: Store, app_ref: int) -> LeastPrivilege:
    """Granted scopes against the scopes the app's sandbox calls used; the 401s show what is missing."""
    app = must_get(store, app_ref)
    state = store.installations.sandbox_app(app.id)
    granted = state.live_scopes if state is not None else tuple(app.scopes)
    return least_privilege(granted, store.sandbox_calls.usage(app.id))


def validate_app(app: AppRecord, for_listing: bool = False) -> ValidationReport:
    """The whole App JSON checked, with the cross-checks against the app's scopes."""
    return validate_manifest(app.manifest, for_listing=for_listing, scopes=app.scopes)


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    done: bool
    status: str


def progress(store: Store, app: AppRecord, for_listing: bool | None = None) -> list[Step]:
    """The four steps, each done or not, derived from the app's state and its readiness verdict."""
    latest = store.fires.page(FireFilter(app_ref=app.id), limit=1)
    check = checklist(store, app, for_listing)
    by_id = {item.id: item for item in check.items}
    valid = by_id["manifest.valid"].status == "pass"
    server_side = by_id["delivery.server_side"].status == "pass"
    errors = len(by_id["manifest.valid"].evidence)  # one piece of evidence per error
    last = FireRecord.from_row(latest[0]) if latest else None
    return [
        Step(1, "Scopes", bool(app.scopes),
             f"{len(app.scopes)} scope(s) selected" if app.scopes else "no scopes selected yet"),
        Step(2, "Auth section", valid and server_side,
             "valid, server-side delivery" if valid and server_side
             else (f"{errors} error(s) to fix" if errors else "manual delivery (no request object)")),
        Step(3, "Test fire", last is not None and last.ok,
             "no fire yet" if last is None else
             (f"latest fire: HTTP 200 ({last.target_kind})" if last.ok
              else f"latest fire failed: {last.category.value}")),
        Step(4, "Checklist", check.verdict.ready, check.verdict.summary),
    ]


def signoffs_for_app(store: Store, app: AppRecord) -> list[SignoffView]:
    """The app's sign-offs, newest first, each judged fresh or stale against the app's current state."""
    return [judge(record, app.manifest, app.scopes) for record in store.signoffs.for_app(app.id)]


@dataclass(frozen=True)
class ReportFiles:
    """The readiness report in its three formats, with file names."""

    markdown: str
    html: str
    json: str
    slug: str

    def names(self) -> tuple[str, str, str]:
        return f"{self.slug}-readiness.md", f"{self.slug}-readiness.html", f"{self.slug}-readiness.json"


def report_files(store: Store, app: AppRecord, check: Readiness, target_label: str, for_listing: bool,
                 signoffs: Sequence[SignoffView] = (), *, times: MutableMapping[str, str] | None = None
                 ) -> ReportFiles:
    """The Checklist's downloadable report: the verdict's items, the app, its sign-offs.

    ``times`` keeps one "Generated" time per report content (a browser session's), so the Markdown, HTML
    and JSON downloads of one report (each click reruns the page) carry the same time."""
    profile = AppProfile(app.name, app.app_id, app.version, app.kind)
    report = build_report(profile, app.scopes, app.manifest, check.items, for_listing=for_listing,
                          target=target_label, signoffs=[v.to_dict() for v in signoffs])
    if times is not None:
        report["generated_at"] = times.setdefault(report_fingerprint(report), report["generated_at"])
    return ReportFiles(render_markdown(report), render_html(report), render_json(report), file_slug(app.name))


def file_report(manifest: Document, name: str, app_id: str, app_version: str, check: Readiness, *,
                target_label: str, for_listing: bool, signoff: SignoffView | None = None) -> dict[str, object]:
    """The readiness report of an App JSON file (`check APP_JSON --json`), as one JSON-ready object."""
    report: dict[str, object] = build_report(AppProfile(name, app_id, app_version), (), manifest, check.items,
                                             target=target_label, for_listing=for_listing,
                                             signoffs=[signoff.to_dict()] if signoff else ())
    return report
