"""The readiness checklist: App Store review criteria, each item decided by evidence.

Pure functions over a manifest, scopes and stored fires, so every outcome can be built
from a constructed history.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.catalog import get_scope
from console.manifest.document import request_of
from console.manifest.request_rules import split_url
from console.manifest.validate import validate_manifest
from console.outcome import FireRecord
from console.sandbox.usage import LeastPrivilege

PASS, FAIL, NOT_RUN, NOT_PROVABLE, REVIEW = "pass", "fail", "not_run", "not_provable", "review"
STATUS_LABELS = {PASS: "pass", FAIL: "fail", NOT_RUN: "not yet run", NOT_PROVABLE: "not provable",
                 REVIEW: "review"}

GROUPS = (
    "Obtains the App Key server-side",
    "Installable from its link and behaves as described",
    "Captures only what it needs",
    "External dependencies are configured",
)
SERVER_SIDE, INSTALLABLE, MINIMAL, CONFIGURED = GROUPS
P95_LIMIT_MS = 2000.0
RECENT_FIRES = 20


@dataclass(frozen=True)
class Evidence:
    kind: str  # "fire" | "finding"
    ref: str  # fire id, or a JSON pointer
    label: str
    at: datetime | None = None


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    group: str
    title: str
    status: str
    required: bool
    why: str
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReadinessInput:
    manifest: dict[str, Any]
    scopes: tuple[str, ...]
    target_kind: str  # "endpoint" | "sample"
    recent_fires: Sequence[FireRecord]  # at the checked target, newest first
    conformance: Sequence[FireRecord]  # the latest conformance run, in firing order
    for_listing: bool = False
    scopes_known: bool = True  # False on the command line: the scopes live in ManyChat, not in App JSON
    sandbox: LeastPrivilege | None = None  # the app's sandbox usage (None: no sandbox item)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _fire_evidence(fire: FireRecord) -> Evidence:
    outcome = f"HTTP {fire.status}" if fire.status is not None else fire.category.value
    return Evidence("fire", str(fire.id), f"fire #{fire.id}: {outcome}, {fire.elapsed_ms:.0f} ms", fire.fired_at)


def evaluate_checklist(data: ReadinessInput) -> list[ChecklistItem]:
    """Every checklist item, grouped in GROUPS order."""
    items = _manifest_items(data) + _fire_items(data) + _conformance_items(data) + _scope_items(data) \
        + _sandbox_items(data)
    return sorted(items, key=lambda item: GROUPS.index(item.group))


def _manifest_items(data: ReadinessInput) -> list[ChecklistItem]:
    report = validate_manifest(data.manifest, for_listing=data.for_listing,
                               scopes=data.scopes if data.scopes_known else None)
    request = request_of(data.manifest)
    items = []
    legacy = report.by_code("params.legacy_api_key")
    if request is None:
        items.append(ChecklistItem(
            "delivery.server_side", SERVER_SIDE, "Server-side key delivery is configured", FAIL, data.for_listing,
            "There is no auth.request object: installers would copy the key by hand. The App Store expects "
            "server-side delivery.", (Evidence("finding", "/auth", "request.missing"),)))
    else:
        items.append(ChecklistItem(
            "delivery.server_side", SERVER_SIDE, "Server-side key delivery is configured", PASS, data.for_listing,
            f"auth.request sends the install request to {str(request.get('url') or '(no URL)')[:300]}.",
            (Evidence("finding", "/auth/request", "auth.request"),)))
    items.append(ChecklistItem(
        "delivery.no_legacy_param", MINIMAL, "No legacy ManyChat API-key param", FAIL if legacy else PASS,
        data.for_listing,
        legacy[0].message + " " + legacy[0].hint if legacy else "No installer param asks for a ManyChat API key.",
        tuple(Evidence("finding", i.pointer, i.code) for i in legacy)))
    errors = [i for i in report.issues if i.severity == "error"]
    items.append(ChecklistItem(
        "manifest.valid", CONFIGURED, "The App JSON validates with no errors", FAIL if errors else PASS, True,
        f"{len(errors)} error(s): " + "; ".join(f"{i.pointer or '/'}: {i.message}" for i in errors[:3])
        if errors else "Schema and lint found no errors.",
        tuple(Evidence("finding", i.pointer, i.code) for i in errors)))
    unknown = report.by_code("template.unknown")
    items.append(ChecklistItem(
        "manifest.templates_known", CONFIGURED, "No unknown template names", FAIL if unknown else PASS, True,
        "; ".join(f"{i.pointer}: {i.message}" for i in unknown) if unknown
        else "Every {{…}} and [[…]] name is a system variable or a declared param.",
        tuple(Evidence("finding", i.pointer, i.code) for i in unknown)))
    items.append(_https_item(data, request))
    return items


def _https_item(data: ReadinessInput, request: dict[str, Any] | None) -> ChecklistItem:
    """HTTPS judged on the URL actually fired (the newest fire at this target), else on auth.request.url."""
    fired = next(iter(data.recent_fires), None) or next(iter(reversed(data.conformance)), None)
    if fired is not None and fired.url:
        url, evidence = fired.url, _fire_evidence(fired)
        where = "The URL fired at"
    else:
        raw = request.get("url") if request else None
        url = raw if isinstance(raw, str) else ""
        evidence, where = Evidence("finding", "/auth/request/url", url or "(none)"), "auth.request.url"
    parts = split_url(url)
    scheme = parts.scheme.lower() if parts is not None else ""
    if scheme == "https":
        status, why = PASS, f"{where} uses HTTPS."
    elif not url:
        status, why = NOT_RUN, "No endpoint URL yet."
    else:
        status, why = FAIL, f"{where} ({url}) is not https://: the App Key would travel unencrypted."
    return ChecklistItem("endpoint.https", CONFIGURED, "The endpoint is https://", status, data.for_listing, why,
                         (evidence,))


def _fire_items(data: ReadinessInput) -> list[ChecklistItem]:
    rehearsal = " (rehearsal at the built-in sample endpoint)" if data.target_kind == "sample" else ""
    fires = list(data.recent_fires)
    items = []
    if not fires:
        status = FAIL if data.for_listing else NOT_RUN
        items.append(ChecklistItem(
            "fire.latest_200", INSTALLABLE, "The latest fire returned 200", status, data.for_listing,
            "No fire yet at this target. Fire on the Test fire page, or run the conformance runs."
            + (" A listing needs a 200 from the real endpoint." if data.for_listing else "")))
        items.append(ChecklistItem(
            "fire.p95", INSTALLABLE, f"p95 of recent fires under {P95_LIMIT_MS / 1000:g} s", NOT_RUN, False,
            "No fires yet."))
    else:
        latest = fires[0]
        ok = latest.status == 200 and latest.ok
        listing_sample = data.for_listing and data.target_kind == "sample"
        items.append(ChecklistItem(
            "fire.latest_200", INSTALLABLE, "The latest fire returned 200",
            FAIL if listing_sample or not ok else PASS, data.for_listing,
            ("A listing needs a 200 from the real endpoint, not the sample endpoint. " if listing_sample else "")
            + (f"The latest fire got HTTP 200{rehearsal}." if ok
               else f"The latest fire failed ({latest.category.value}, HTTP {latest.status}){rehearsal}."),
            (_fire_evidence(latest),)))
        window = fires[:RECENT_FIRES]
        answered = [f for f in window if f.category.was_answered]
        p95 = percentile([f.elapsed_ms for f in answered], 95)
        items.append(ChecklistItem(
            "fire.p95", INSTALLABLE, f"p95 of recent fires under {P95_LIMIT_MS / 1000:g} s",
            NOT_RUN if not answered else (PASS if p95 < P95_LIMIT_MS else FAIL), False,
            f"p95 over the {len(answered)} answered fire(s) of the last {len(window)} is {p95:.0f} ms{rehearsal}"
            + (f" ({len(window) - len(answered)} got no HTTP answer and are left out)."
               if len(answered) < len(window) else ".")
            if answered else "No fire was answered yet.",
            tuple(_fire_evidence(f) for f in answered[:3])))
    proof = next((f for f in fires if f.delivery_status), None)
    if proof is None:
        items.append(ChecklistItem(
            "delivery.proven", SERVER_SIDE, "The key reaches the endpoint where the manifest says", NOT_RUN, False,
            "No fire with an answer yet."))
    else:
        assert proof.detail is not None and proof.detail.delivery is not None
        delivery = proof.detail.delivery
        status = {"proven": PASS, "mismatch": FAIL, "missing": FAIL}.get(delivery.status, NOT_PROVABLE)
        if status == PASS and not delivery.received:
            status = FAIL  # "proven" with no place proven is no proof
        # A fire that delivered the key nowhere (or elsewhere) is a failure of its own: it blocks readiness.
        items.append(ChecklistItem(
            "delivery.proven", SERVER_SIDE, "The key reaches the endpoint where the manifest says", status,
            data.for_listing or status == FAIL, delivery.message + rehearsal, (_fire_evidence(proof),)))
    return items


def _conformance_items(data: ReadinessInput) -> list[ChecklistItem]:
    by_step: dict[str, list[FireRecord]] = {}
    for fire in data.conformance:
        by_step.setdefault(fire.step or "", []).append(fire)
    rehearsal = " (at the sample endpoint)" if data.target_kind == "sample" else ""
    titles = {
        "recover": "A fire after a failed one succeeds",
        "retry": "The same key fired twice gets 200 both times",
        "rekey": "A fresh key for the same page gets 200",
        "burst": "Answers within the deadline under 10 fires in a row",
    }
    items = []
    for step, title in titles.items():
        fires = by_step.get(step, [])
        evidence = tuple(_fire_evidence(f) for f in fires)
        if not fires:
            items.append(ChecklistItem(f"conformance.{step}", INSTALLABLE, title, NOT_RUN, True,
                                       "Not run yet: press 'Run conformance' (or `check --url`)."))
            continue
        status, why = _judge_step(step, fires)
        items.append(ChecklistItem(f"conformance.{step}", INSTALLABLE, title, status, True, why + rehearsal,
                                   evidence))
    return items


def _judge_step(step: str, fires: list[FireRecord]) -> tuple[str, str]:
    if step == "recover":
        if fires[0].ok:
            return NOT_PROVABLE, ("The endpoint never failed, so recovery could not be observed. Rehearse it "
                                  "with the sample endpoint's flaky mode.")
        recovered = next((i for i, f in enumerate(fires) if f.ok), None)
        if recovered is None:
            return FAIL, (f"The first fire failed ({fires[0].category.value}) and {len(fires) - 1} retry(ies) "
                          "failed too.")
        return PASS, f"The first fire failed ({fires[0].category.value}); retry {recovered} got 200."
    if step == "retry":
        if all(f.ok for f in fires) and len(fires) == 2:
            return PASS, "Both fires with the same key got 200: ManyChat's Retry is safe."
        bad = [f"fire {i + 1}: {f.category.value} (HTTP {f.status})" for i, f in enumerate(fires) if not f.ok]
        return FAIL, "Re-sending the same key failed: " + "; ".join(bad) + ". Make the endpoint idempotent."
    if step == "rekey":
        fire = fires[0]
        if fire.ok:
            return PASS, "A new key for an already-installed page got 200."
        return FAIL, f"A new key for the same page failed ({fire.category.value}, HTTP {fire.status}): re-keying " \
                     "after a scope change would fail for every installation."
    late = [f for f in fires if not f.category.was_answered]
    if late:
        return FAIL, f"{len(late)} of {len(fires)} fires got no answer within the deadline."
    ok = sum(1 for f in fires if f.ok)
    return PASS, (f"All {len(fires)} fires were answered in time (p95 "
                  f"{percentile([f.elapsed_ms for f in fires], 95):.0f} ms); {ok} of {len(fires)} got 200.")


def _scope_items(data: ReadinessInput) -> list[ChecklistItem]:
    scopes = [s for s in (get_scope(p) for p in data.scopes) if s is not None]
    if not scopes:
        return [ChecklistItem("scopes.review", MINIMAL, "Scopes are chosen and reviewed", FAIL, data.for_listing,
                              "No scopes are selected: the App Key would not allow any API call.")]
    flagged = [s for s in scopes if s.needs_attention]
    if not flagged:
        return [ChecklistItem("scopes.review", MINIMAL, "Scopes are chosen and reviewed", PASS, False,
                              f"{len(scopes)} read-only scope(s).")]
    return [ChecklistItem(
        "scopes.review", MINIMAL, "Scopes are chosen and reviewed", REVIEW, False,
        f"{len(flagged)} of {len(scopes)} scopes write data or send messages; check that the app needs each: "
        + ", ".join(f"{s.method} {s.path}" for s in flagged) + ".")]


def _sandbox_items(data: ReadinessInput) -> list[ChecklistItem]:
    usage = data.sandbox
    if usage is None:
        return []
    title = "No scopes granted but never used in the sandbox"
    missing = (" Calls were refused for lack of: " + ", ".join(usage.missing) + ".") if usage.missing else ""
    if not usage.exercised:
        return [ChecklistItem("scopes.sandbox_unused", MINIMAL, title, NOT_RUN, False,
                              "No call with this app's App Keys has passed the sandbox's scope check yet: call the "
                              "local ManyChat API the way the app will." + missing)]
    if not usage.unused:
        return [ChecklistItem("scopes.sandbox_unused", MINIMAL, title, PASS, False,
                              f"Every one of the {len(usage.granted)} granted scope(s) was called in the sandbox."
                              + missing)]
    return [ChecklistItem(
        "scopes.sandbox_unused", MINIMAL, title, REVIEW, False,
        f"{len(usage.unused)} of {len(usage.granted)} granted scope(s) were never used in the sandbox: "
        + ", ".join(usage.unused) + ". Candidates to drop." + missing)]


@dataclass(frozen=True)
class Verdict:
    """The one readiness verdict that Home, the Checklist, the report and `check` all show."""

    ready: bool
    failing: tuple[ChecklistItem, ...]
    not_run: tuple[ChecklistItem, ...]

    @property
    def summary(self) -> str:
        if self.failing:
            return f"{len(self.failing)} required item(s) fail: " + ", ".join(i.title for i in self.failing)
        if self.not_run:
            return f"{len(self.not_run)} required item(s) not yet run: " + ", ".join(i.title for i in self.not_run)
        return "every required item passes"


def verdict_of(items: Sequence[ChecklistItem]) -> Verdict:
    """Ready when every required item has run and none fails: missing evidence is never a pass."""
    failing = tuple(i for i in items if i.required and i.status == FAIL)
    not_run = tuple(i for i in items if i.required and i.status == NOT_RUN)
    return Verdict(not failing and not not_run, failing, not_run)


def is_ready(items: Sequence[ChecklistItem]) -> bool:
    """True when every required item has run and none fails."""
    return verdict_of(items).ready
