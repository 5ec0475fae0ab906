"""Readiness: the checklist verdict over stored evidence, the five steps' progress, the report.

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
from dataclasses import dataclass, field

from console.actions.readiness import StoredRehearsal, action_items
from console.evidence import Staleness
from console.manifest.document import Document, document_hash, request_of
from console.manifest.findings import ValidationReport
from console.manifest.validate import validate_manifest
from console.outcome import FireRecord
from console.profile import AppProfile, file_slug
from console.readiness import (
    ChecklistItem,
    ReadinessInput,
    Verdict,
    current_input,
    evaluate_checklist,
    needs_new_evidence,
    verdict_of,
)
from console.readiness import (
    model_table as readiness_model_table,
)
from console.report import build_report, render_html, render_json, render_markdown, report_fingerprint
from console.sandbox.sample_endpoint import SAMPLE_HTTPS_PLACEHOLDER
from console.sandbox.usage import LeastPrivilege, least_privilege
from console.service.base import address_policy, must_get, settings_of
from console.signoff import SignoffView, judge
from console.store import AppRecord, FireFilter, Store

RECENT_FIRES = 20
ACTION_SOURCE = "action"  # the History source of action rehearsals
LOOK_BACK = 200  # stored rehearsals read to decide the action items


@dataclass(frozen=True)
class Readiness:
    items: list[ChecklistItem]
    verdict: Verdict
    fires: tuple[FireRecord, ...] = field(default=())  # the stored fires the verdict was decided on (its proof)
    stale: Staleness = Staleness()  # evidence set aside: gathered at another URL or App JSON
    needs_new: tuple[ChecklistItem, ...] = ()  # the items that lost their evidence to that change

    def with_items(self, extra: Sequence[ChecklistItem]) -> Readiness:
        """This checklist with more items (compatibility, the endpoint scan), the verdict over all of them."""
        items = [*self.items, *extra]
        return Readiness(items, verdict_of(items), self.fires, self.stale, self.needs_new)


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
    manifest_hash: str | None = None  # evidence counts for this App JSON only (None: the filter decides)
    evidence_url: str | None = None  # ... and for this URL only (None: any URL of the target kind)


def verdict_over(store: Store, evidence: EvidenceSource) -> Readiness:
    """The checklist and its verdict from the newest stored fires and the latest conformance run."""
    where = FireFilter(app_ref=evidence.fires.app_ref, manifest_hash=evidence.fires.manifest_hash,
                       target_kind=evidence.target_kind, not_source=ACTION_SOURCE)  # install requests only
    recent = [FireRecord.from_row(r) for r in store.fires.page(where, limit=RECENT_FIRES, with_detail=True)]
    run_id = store.fires.latest_run_id(where.app_ref, evidence.target_kind, manifest_hash=where.manifest_hash)
    conformance = [FireRecord.from_row(r) for r in store.fires.in_order(FireFilter(run_id=run_id))] if run_id else []
    data = ReadinessInput(evidence.manifest, evidence.scopes, evidence.target_kind, recent, conformance,
                          evidence.for_listing, evidence.scopes_known, evidence.sandbox, evidence.manifest_hash,
                          evidence.evidence_url)
    items = evaluate_checklist(data)
    if not evidence.scopes_known:
        items = [item for item in items if item.id != "scopes.review"]  # scopes live in ManyChat, not App JSON
    current, stale = current_input(data)
    seen = {f.id: f for f in [*current.recent_fires, *current.conformance]}  # only evidence that still counts
    return Readiness(items, verdict_of(items), tuple(seen.values()), stale, tuple(needs_new_evidence(items, stale)))


def readiness(store: Store, app: AppRecord, target: str, for_listing: bool) -> Readiness:
    """The checklist for one app at one target, from its newest fires and latest conformance run: only those
    gathered at today's App JSON and URL count (the others are set aside, and the verdict says why)."""
    core = verdict_over(store, EvidenceSource(app.manifest, app.scopes, target, for_listing, FireFilter(app_ref=app.id),
                                              sandbox=sandbox_least_privilege(store, app.id),
                                              manifest_hash=document_hash(app.manifest),
                                              evidence_url=_evidence_url(app, target)))
    return core.with_items(action_checklist(store, app, target, for_listing))  # and the actions' rehearsals


def _evidence_url(app: AppRecord, target: str) -> str | None:
    """The URL an endpoint's evidence must have been gathered at: the saved target Test fire fires at, else
    auth.request.url. None (no URL filter; the App JSON's hash still applies) for the sample endpoint, whose
    port changes with each console process, and for URLs that templates or the demo's placeholder fill in."""
    if target != "endpoint":
        return None
    settings = settings_of(app)
    saved = settings.saved_url(settings.target.removeprefix("saved:")) if settings.target.startswith("saved:") \
        else None
    url = saved or str((request_of(app.manifest) or {}).get("url") or "")
    if not url or "{{" in url or "[[" in url or url.startswith(SAMPLE_HTTPS_PLACEHOLDER):
        return None
    return url


def recent_rehearsals(store: Store, app_ref: int, target: str | None = None,
                      limit: int = LOOK_BACK) -> list[StoredRehearsal]:
    """The app's action rehearsals, newest first (at ``target`` when given)."""
    rows = store.fires.page(FireFilter(app_ref=app_ref, source=ACTION_SOURCE, target_kind=target), limit=limit,
                            with_detail=True)
    return [r for r in (StoredRehearsal.from_row(row) for row in rows) if r is not None]


def action_checklist(store: Store, app: AppRecord, target: str, for_listing: bool) -> list[ChecklistItem]:
    """The action items of the readiness checklist, from the rehearsals stored at ``target``."""
    return action_items(app.manifest, recent_rehearsals(store, app.id, target), for_listing)


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


def since_items(old: Document, new: Document, old_label: str) -> list[ChecklistItem]:
    """The compatibility items (`check --since`): what changed since ``old``, and what it breaks for whom."""
    from console.checks.compat_items import compat_checklist
    from console.manifest.compat import classify

    return compat_checklist(classify(old, new), old_label)


def scan_items(url: str, timeout: float = 10.0) -> list[ChecklistItem]:
    """The endpoint security scan of an https install URL as listing items (no key is sent; team mode's
    address rules apply)."""
    from console.scan.endpoint import scan_endpoint

    return scan_endpoint(url, policy=address_policy(), timeout=timeout).checklist(True)


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
    """The five steps, each done or not, derived from the app's state and its readiness verdict (in the
    listing mode of the person looking: ``for_listing``, None = the app's stored default)."""
    latest = store.fires.page(FireFilter(app_ref=app.id, not_source=ACTION_SOURCE), limit=1)
    check = checklist(store, app, for_listing)
    by_id = {item.id: item for item in check.items}
    valid = by_id["manifest.valid"].status == "pass"
    server_side = by_id["delivery.server_side"].status == "pass"
    errors = len(by_id["manifest.valid"].evidence)  # one piece of evidence per error
    last = FireRecord.from_row(latest[0]) if latest else None
    rehearsed = by_id.get("actions.rehearsed")
    latest_200 = by_id.get("fire.latest_200")  # judged at today's App JSON and URL, as on the Checklist
    set_aside = last is not None and latest_200 is not None and latest_200.status == "not_run"
    return [
        Step(1, "Scopes", bool(app.scopes),
             f"{len(app.scopes)} scope(s) selected" if app.scopes else "no scopes selected yet"),
        Step(2, "Auth section", valid and server_side,
             "valid, server-side delivery" if valid and server_side
             else (f"{errors} error(s) to fix" if errors else "manual delivery (no request object)")),
        Step(3, "Actions", rehearsed is not None and rehearsed.status == "pass",
             _actions_status(app, rehearsed)),
        Step(4, "Test fire", last is not None and last.ok and not set_aside, _fire_status(last, set_aside)),
        Step(5, "Checklist", check.verdict.ready, _verdict_line(check, app, for_listing)),
    ]


def _fire_status(last: FireRecord | None, set_aside: bool) -> str:
    """Step 4's line: the latest fire; when every fire was at an earlier App JSON or URL (the Checklist's
    "The latest fire returned 200" has nothing to judge), that they are set aside."""
    if last is None:
        return "no fire yet"
    if set_aside:
        return "no fire at today's App JSON and URL yet (earlier fires set aside)"
    return f"latest fire: HTTP 200 ({last.target_kind})" if last.ok else f"latest fire failed: {last.category.value}"


def _verdict_line(check: Readiness, app: AppRecord, for_listing: bool | None) -> str:
    """The verdict in the Checklist's words: "Ready for a listing: …", "Not ready: …"."""
    listing = settings_of(app).for_listing if for_listing is None else for_listing
    return f"{verdict_words(check.verdict.ready, listing)}: {check.verdict.summary}"


def verdict_words(ready: bool, for_listing: bool) -> str:
    """How Home and the Checklist name a verdict: ready or not, and for a listing or while building."""
    return f"{'Ready' if ready else 'Not ready'}{' for a listing' if for_listing else ''}"


def _actions_status(app: AppRecord, rehearsed: ChecklistItem | None) -> str:
    count = len([a for a in app.manifest.get("actions") or [] if isinstance(a, dict)])
    if count == 0:
        return "no action yet"
    if rehearsed is not None and rehearsed.status == "pass":
        return f"{count} action(s), every one rehearsed with a 200"
    return f"{count} action(s), " + ("a rehearsal failed" if rehearsed is not None and rehearsed.status == "fail"
                                     else "not all rehearsed with today's App JSON")


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


def model_table() -> str:
    """The readiness model (which items each mode requires, how to make each provable), as a Markdown table."""
    return readiness_model_table()
