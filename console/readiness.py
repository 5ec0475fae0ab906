"""The readiness checklist: App Store review criteria, each item decided by evidence.

Pure functions over a manifest, scopes and stored fires, so every outcome can be built
from a constructed history. The readiness model (``MODEL``) is defined once here: an item's
required-ness depends on the mode alone (building, or a listing); a required item that fails,
has not run or is not provable is never ready; evidence counts only for the App JSON and URL it
was gathered at (``console.evidence``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.catalog import get_scope
from console.evidence import Staleness, current_evidence, judge_recovery
from console.manifest.document import request_of
from console.manifest.request_rules import split_url
from console.manifest.validate import validate_manifest
from console.outcome import FireRecord
from console.sandbox.usage import LeastPrivilege

PASS, FAIL, NOT_RUN, NOT_PROVABLE, REVIEW = "pass", "fail", "not_run", "not_provable", "review"
STATUS_LABELS = {PASS: "pass", FAIL: "fail", NOT_RUN: "not yet run", NOT_PROVABLE: "not provable",
                 REVIEW: "review"}
BLOCKING = (FAIL, NOT_RUN, NOT_PROVABLE)  # a required item in one of these is never ready

GROUPS = (
    "Obtains the App Key server-side",
    "Installable from its link and behaves as described",
    "Captures only what it needs",
    "External dependencies are configured",
)
SERVER_SIDE, INSTALLABLE, MINIMAL, CONFIGURED = GROUPS
P95_LIMIT_MS = 2000.0
RECENT_FIRES = 20


BUILDING, LISTING = "building", "listing"


@dataclass(frozen=True)
class Rule:
    """One row of the readiness model: which mode requires the item, and what evidence proves it."""

    title: str
    building: bool  # required while building
    listing: bool  # required for an App Store listing
    proof: str  # how to make it provable (the advice the verdict line gives)


# The readiness model, defined once. Required-ness depends on the mode alone, never on state.
# A required item that fails, has not run, or is not provable is never ready.
MODEL: dict[str, Rule] = {
    "delivery.server_side": Rule("Server-side key delivery is configured", False, True,
                                 "add an auth.request object (Auth section page)"),
    "delivery.proven": Rule("The key reaches the endpoint where the manifest says", False, True,
                            "fire at an endpoint that echoes what it received (or the sample endpoint's ok mode)"),
    "fire.latest_200": Rule("The latest fire returned 200", True, True,
                            "fire at the endpoint (Test fire page, or the fire command)"),
    "fire.p95": Rule(f"p95 of recent fires under {P95_LIMIT_MS / 1000:g} s", False, True,
                     "fire at the endpoint a few times (Test fire or Burst)"),
    # Optional in both modes: ManyChat's review does not test it, and a healthy endpoint cannot show it without
    # being made to fail; when evidence exists (a 200 after a failure, from any face) it is shown as proof.
    "conformance.recover": Rule("A fire after a failed one succeeds", False, False,
                                "let the endpoint fail once (stop it or make it answer 500), fire, fix it, "
                                "then Retry: a 200 after a failure at this URL proves recovery"),
    "conformance.retry": Rule("The same key fired twice gets 200 both times", True, True,
                              "press Run conformance (or the check --url command)"),
    "conformance.rekey": Rule("A fresh key for the same page gets 200", True, True,
                              "press Run conformance (or the check --url command)"),
    "conformance.burst": Rule("Answers within the deadline under 10 fires in a row", True, True,
                              "press Run conformance (or the check --url command)"),
    "actions.present": Rule("The app has at least one action", False, True,
                            "add one on the Actions page, or import an App JSON with its actions"),
    "actions.rehearsed": Rule("Every action rehearsed with a 200 and every mapping output found", False, True,
                              "press Run conformance (it rehearses every action too), or Rehearse on the Actions "
                              "page (the check --actions command)"),
    "sources.rpc_answers": Rule("Every rpc source answers with options", False, True,
                                "press Run conformance, or rehearse the source on the Actions page"),
    "delivery.no_legacy_param": Rule("No legacy ManyChat API-key param", False, True,
                                     "remove the installer param that asks for a ManyChat API key"),
    "scopes.review": Rule("Scopes are chosen and reviewed", False, True, "select scopes on the Scopes page"),
    "scopes.sandbox_unused": Rule("No scopes granted but never used in the sandbox", False, False,
                                  "call the sandbox's ManyChat API with this app's App Keys"),
    "manifest.valid": Rule("The App JSON validates with no errors", True, True,
                           "fix the errors the Auth section page lists"),
    "manifest.listing_rules": Rule("The App JSON meets the listing rules", False, True,
                                   "fix the errors validation lists for a listing "
                                   "(the validate --for-listing command)"),
    "manifest.templates_known": Rule("No unknown template names", True, True,
                                     "declare the param, or fix the {{…}} name"),
    "endpoint.https": Rule("The endpoint is https://", False, True, "serve the install URL over https://"),
}


def required(item_id: str, for_listing: bool) -> bool:
    """Whether the item is required in this mode (building, or a listing): the mode alone decides."""
    rule = MODEL[item_id]
    return rule.listing if for_listing else rule.building


def model_table() -> str:
    """The readiness model as a Markdown table (the Checklist page and the README show it)."""
    lines = ["| Item | While building | For a listing | How to make it provable |", "|---|---|---|---|"]
    for rule in MODEL.values():
        lines.append(f"| {rule.title} | {'required' if rule.building else 'optional'} | "
                     f"{'required' if rule.listing else 'optional'} | {rule.proof} |")
    return "\n".join(lines)


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

    @property
    def blocks(self) -> bool:
        """Required and not passing with proof: it keeps the verdict from READY."""
        return self.required and self.status in BLOCKING

    @property
    def how(self) -> str:
        """How to make this item provable (from the model)."""
        return MODEL[self.id].proof


@dataclass(frozen=True)
class ReadinessInput:
    manifest: dict[str, Any]
    scopes: tuple[str, ...]
    target_kind: str  # "endpoint" | "sample"
    recent_fires: Sequence[FireRecord]  # every fire at the checked target, any source, newest first
    conformance: Sequence[FireRecord]  # the latest conformance run, in firing order
    for_listing: bool = False
    scopes_known: bool = True  # False on the command line: the scopes live in ManyChat, not in App JSON
    sandbox: LeastPrivilege | None = None  # the app's sandbox usage (None: no sandbox item)
    manifest_hash: str | None = None  # the current App JSON's sha256: older evidence is set aside (None: keep all)
    evidence_url: str | None = None  # the URL evidence must have been gathered at (None: keep all)


def _item(item_id: str, group: str, status: str, data: ReadinessInput, why: str,
          evidence: tuple[Evidence, ...] = (), title: str | None = None) -> ChecklistItem:
    return ChecklistItem(item_id, group, title or MODEL[item_id].title, status, required(item_id, data.for_listing),
                         why, evidence)


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


def current_input(data: ReadinessInput) -> tuple[ReadinessInput, Staleness]:
    """The input with only the evidence gathered at the current App JSON and URL, and what changed since."""
    recent, stale = current_evidence(data.recent_fires, data.manifest_hash, data.evidence_url)
    conformance, stale_runs = current_evidence(data.conformance, data.manifest_hash, data.evidence_url)
    return (ReadinessInput(data.manifest, data.scopes, data.target_kind, recent, conformance, data.for_listing,
                           data.scopes_known, data.sandbox),
            Staleness(stale.url_changed + stale_runs.url_changed, stale.app_json_changed + stale_runs.app_json_changed,
                      tuple(dict.fromkeys(stale.old_urls + stale_runs.old_urls))))


def evaluate_checklist(data: ReadinessInput) -> list[ChecklistItem]:
    """Every checklist item, grouped in GROUPS order, judged on the current evidence only."""
    data, _ = current_input(data)
    items = _manifest_items(data) + _fire_items(data) + _conformance_items(data) + _scope_items(data) \
        + _sandbox_items(data)
    return sorted(items, key=lambda item: GROUPS.index(item.group))


def needs_new_evidence(items: Sequence[ChecklistItem], stale: Staleness) -> list[ChecklistItem]:
    """The fire-based items that lost evidence to a change (URL or App JSON) and have none now."""
    if not stale.any:
        return []
    return [i for i in items if i.id.startswith(("fire.", "conformance.", "delivery.proven")) and i.status == NOT_RUN]


def _manifest_items(data: ReadinessInput) -> list[ChecklistItem]:
    scopes = data.scopes if data.scopes_known else None
    report = validate_manifest(data.manifest, for_listing=False, scopes=scopes)
    request = request_of(data.manifest)
    items = []
    legacy = report.by_code("params.legacy_api_key")
    if request is None:
        items.append(_item(
            "delivery.server_side", SERVER_SIDE, FAIL, data,
            "There is no auth.request object: installers would copy the key by hand. The App Store expects "
            "server-side delivery.", (Evidence("finding", "/auth", "request.missing"),)))
    else:
        items.append(_item(
            "delivery.server_side", SERVER_SIDE, PASS, data,
            f"auth.request sends the install request to {str(request.get('url') or '(no URL)')[:300]}.",
            (Evidence("finding", "/auth/request", "auth.request"),)))
    items.append(_item(
        "delivery.no_legacy_param", MINIMAL, FAIL if legacy else PASS, data,
        legacy[0].message + " " + legacy[0].hint if legacy else "No installer param asks for a ManyChat API key.",
        tuple(Evidence("finding", i.pointer, i.code) for i in legacy)))
    items.append(_actions_item(data, report.by_code("actions.none")))
    errors = [i for i in report.issues if i.severity == "error"]
    items.append(_item(
        "manifest.valid", CONFIGURED, FAIL if errors else PASS, data,
        f"{len(errors)} error(s): " + "; ".join(f"{i.pointer or '/'}: {i.message}" for i in errors[:3])
        if errors else "Schema and lint found no errors.",
        tuple(Evidence("finding", i.pointer, i.code) for i in errors)))
    items.append(_listing_rules_item(data, {(i.pointer, i.code) for i in errors}, scopes))
    unknown = report.by_code("template.unknown")
    items.append(_item(
        "manifest.templates_known", CONFIGURED, FAIL if unknown else PASS, data,
        "; ".join(f"{i.pointer}: {i.message}" for i in unknown) if unknown
        else "Every {{…}} and [[…]] name is a system variable or a declared param.",
        tuple(Evidence("finding", i.pointer, i.code) for i in unknown)))
    items.append(_https_item(data, request))
    return items


def _actions_item(data: ReadinessInput, none: list[Any]) -> ChecklistItem:
    actions = data.manifest.get("actions")
    if none or not isinstance(actions, list) or not actions:
        return _item("actions.present", INSTALLABLE, FAIL, data,
                     "No action yet: ManyChat's review checks that all of an app's actions are accessible in the "
                     "Flow Builder, and a listing needs at least one. Add one on the Actions page (a starter "
                     "template helps), or import an App JSON with its actions.",
                     (Evidence("finding", "/actions", "actions.none"),))
    return _item("actions.present", INSTALLABLE, PASS, data, f"{len(actions)} action(s) declared.",
                 (Evidence("finding", "/actions", f"{len(actions)} action(s)"),))


def _listing_rules_item(data: ReadinessInput, building: set[tuple[str, str]],
                        scopes: Sequence[str] | None) -> ChecklistItem:
    """The errors only a listing raises (an http:// URL in an action, …); those of both modes are manifest.valid's."""
    listing = validate_manifest(data.manifest, for_listing=True, scopes=scopes)
    own_items = {("/actions", "actions.none"), ("/auth/request/url", "url.insecure")}  # items of their own
    extra = [i for i in listing.issues if i.severity == "error"
             and (i.pointer, i.code) not in building | own_items]
    return _item("manifest.listing_rules", CONFIGURED, FAIL if extra else PASS, data,
                 f"{len(extra)} more error(s) for a listing: " + "; ".join(f"{i.pointer or '/'}: {i.message}"
                                                                          for i in extra[:3])
                 if extra else "No rule that applies only to a listing is broken.",
                 tuple(Evidence("finding", i.pointer, i.code) for i in extra))


def _https_item(data: ReadinessInput, request: dict[str, Any] | None) -> ChecklistItem:
    """HTTPS judged on the URL actually fired (the newest current fire at this target), else on auth.request.url."""
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
    return _item("endpoint.https", CONFIGURED, status, data, why, (evidence,))


def _manifest_url(data: ReadinessInput) -> str:
    request = request_of(data.manifest)
    url = request.get("url") if request else None
    return url if isinstance(url, str) else ""


def _fire_items(data: ReadinessInput) -> list[ChecklistItem]:
    rehearsal = " (rehearsal at the built-in sample endpoint)" if data.target_kind == "sample" else ""
    fires = list(data.recent_fires)
    items = []
    if not fires:
        items.append(_item("fire.latest_200", INSTALLABLE, NOT_RUN, data,
                           "No fire yet at this target. Fire on the Test fire page (or the fire command), "
                           "or run conformance."))
        items.append(_item("fire.p95", INSTALLABLE, NOT_RUN, data, "No fires yet."))
    else:
        latest = fires[0]
        ok = latest.status == 200 and latest.ok
        # A rehearsal at the sample endpoint proves nothing about the app's own endpoint (unless the
        # App JSON's install URL is the sample endpoint itself, as in the demo).
        listing_sample = data.for_listing and data.target_kind == "sample" and latest.url != _manifest_url(data)
        items.append(_item(
            "fire.latest_200", INSTALLABLE, FAIL if listing_sample or not ok else PASS, data,
            ("A listing needs a 200 from the app's own endpoint, not the sample endpoint. " if listing_sample else "")
            + (f"The latest fire got HTTP 200{rehearsal}." if ok
               else f"The latest fire failed ({latest.category.value}, HTTP {latest.status}){rehearsal}."),
            (_fire_evidence(latest),)))
        window = fires[:RECENT_FIRES]
        answered = [f for f in window if f.category.was_answered]
        p95 = percentile([f.elapsed_ms for f in answered], 95)
        items.append(_item(
            "fire.p95", INSTALLABLE, NOT_RUN if not answered else (PASS if p95 < P95_LIMIT_MS else FAIL), data,
            f"p95 over the {len(answered)} answered fire(s) of the last {len(window)} is {p95:.0f} ms{rehearsal}"
            + (f" ({len(window) - len(answered)} got no HTTP answer and are left out)."
               if len(answered) < len(window) else ".")
            if answered else "No fire was answered yet.",
            tuple(_fire_evidence(f) for f in answered[:3])))
    items.append(_delivery_item(data, fires, rehearsal))
    return items


def _delivery_item(data: ReadinessInput, fires: list[FireRecord], rehearsal: str) -> ChecklistItem:
    proof = next((f for f in fires if f.delivery_status), None)
    if proof is None:
        return _item("delivery.proven", SERVER_SIDE, NOT_RUN, data, "No fire with an answer yet.")
    assert proof.detail is not None and proof.detail.delivery is not None
    delivery = proof.detail.delivery
    status = {"proven": PASS, "mismatch": FAIL, "missing": FAIL}.get(delivery.status, NOT_PROVABLE)
    if status == PASS and not delivery.received:
        status = FAIL  # "proven" with no place proven is no proof
    return _item("delivery.proven", SERVER_SIDE, status, data, delivery.message + rehearsal,
                 (_fire_evidence(proof),))


def _conformance_items(data: ReadinessInput) -> list[ChecklistItem]:
    by_step: dict[str, list[FireRecord]] = {}
    for fire in data.conformance:
        by_step.setdefault(fire.step or "", []).append(fire)
    rehearsal = " (at the sample endpoint)" if data.target_kind == "sample" else ""
    items = [_recover_item(data, rehearsal)]
    for step in ("retry", "rekey", "burst"):
        fires = by_step.get(step, [])
        item_id = f"conformance.{step}"
        if not fires:
            items.append(_item(item_id, INSTALLABLE, NOT_RUN, data,
                               "Not run yet: press 'Run conformance' (or the check --url command)."))
            continue
        status, why = _judge_step(step, fires)
        items.append(_item(item_id, INSTALLABLE, status, data, why + rehearsal,
                           tuple(_fire_evidence(f) for f in fires)))
    return items


def _recover_item(data: ReadinessInput, rehearsal: str) -> ChecklistItem:
    """Recovery from every fire at this target, whatever sent it: a 200 after a failure proves it."""
    every = {f.id: f for f in [*data.recent_fires, *data.conformance]}
    recovery = judge_recovery(list(every.values()))
    why = recovery.why
    if recovery.status == NOT_PROVABLE:
        why += (" To prove it at this endpoint: let it fail once (stop it, or make it answer 500), fire, then "
                "fix it and press Retry.")
    elif recovery.status == NOT_RUN:
        why = "No fire yet at this target: fire (Test fire page or the fire command), or press 'Run conformance'."
    return _item("conformance.recover", INSTALLABLE, recovery.status, data, why + rehearsal,
                 tuple(_fire_evidence(f) for f in recovery.fires))


def _judge_step(step: str, fires: list[FireRecord]) -> tuple[str, str]:
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
        return [_item("scopes.review", MINIMAL, FAIL, data,
                      "No scopes are selected: the App Key would not allow any API call.")]
    flagged = [s for s in scopes if s.needs_attention]
    if not flagged:
        return [_item("scopes.review", MINIMAL, PASS, data, f"{len(scopes)} read-only scope(s).")]
    return [_item(
        "scopes.review", MINIMAL, REVIEW, data,
        f"{len(flagged)} of {len(scopes)} scopes write data or send messages; check that the app needs each: "
        + ", ".join(f"{s.method} {s.path}" for s in flagged) + ".")]


def _sandbox_items(data: ReadinessInput) -> list[ChecklistItem]:
    usage = data.sandbox
    if usage is None:
        return []
    item_id = "scopes.sandbox_unused"
    missing = (" Calls were refused for lack of: " + ", ".join(usage.missing) + ".") if usage.missing else ""
    if not usage.exercised:
        return [_item(item_id, MINIMAL, NOT_RUN, data,
                      "Nothing has run in the sandbox yet, so no scope can be called unused: call the local "
                      "ManyChat API with this app's App Keys the way the app will." + missing)]
    if not usage.unused:
        return [_item(item_id, MINIMAL, PASS, data,
                      f"Every one of the {len(usage.granted)} granted scope(s) was called in the sandbox." + missing)]
    return [_item(
        item_id, MINIMAL, REVIEW, data,
        f"{len(usage.unused)} of {len(usage.granted)} granted scope(s) were never used in the sandbox: "
        + ", ".join(usage.unused) + ". Candidates to drop." + missing)]


@dataclass(frozen=True)
class Verdict:
    """The one readiness verdict that Home, the Checklist, the report and `check` all show."""

    ready: bool
    failing: tuple[ChecklistItem, ...]
    not_run: tuple[ChecklistItem, ...]
    not_provable: tuple[ChecklistItem, ...] = ()

    @property
    def summary(self) -> str:
        """The verdict line: every blocking item named, with how to make it provable."""
        parts = []
        if self.failing:
            parts.append(f"{len(self.failing)} required item(s) fail: " + ", ".join(i.title for i in self.failing))
        if self.not_run:
            parts.append(f"{len(self.not_run)} required item(s) not yet run: "
                         + ", ".join(f"{i.title} ({i.how})" for i in self.not_run))
        if self.not_provable:
            parts.append(f"{len(self.not_provable)} required item(s) not provable yet: "
                         + ", ".join(f"{i.title} ({i.how})" for i in self.not_provable))
        return "; ".join(parts) if parts else "every required item passes"


def verdict_of(items: Sequence[ChecklistItem]) -> Verdict:
    """Ready when every required item passes with proof: missing evidence is never a pass."""
    failing = tuple(i for i in items if i.required and i.status == FAIL)
    not_run = tuple(i for i in items if i.required and i.status == NOT_RUN)
    not_provable = tuple(i for i in items if i.required and i.status == NOT_PROVABLE)
    return Verdict(not failing and not not_run and not not_provable, failing, not_run, not_provable)


def is_ready(items: Sequence[ChecklistItem]) -> bool:
    """True when every required item passes with proof."""
    return verdict_of(items).ready
