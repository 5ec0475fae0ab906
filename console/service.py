"""Every operation a page or a command performs, one function each.

Pages and the CLI call these and never write the store themselves, so each operation (a
scope change, a saved App JSON, a fire) has one place where its rules and side effects live.
Results are frozen dataclasses; a refused change raises ServiceError and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from console import demo
from console.catalog import get_scope, sort_paths
from console.conformance import MAX_FIRES, ConformanceFire, new_run_id, run_conformance
from console.fire.prepare import FireContext, fill_params
from console.fire.send import Timeouts, fire_install_request
from console.manifest.document import new_manifest, param_names, request_of, request_or_default
from console.netpolicy import AddressPolicy
from console.outcome import FireRecord, FireResult
from console.profile import AppProfile, check_profile
from console.readiness import ChecklistItem, ReadinessInput, Verdict, evaluate_checklist, verdict_of
from console.sandbox.sample_endpoint import install_path
from console.store import AppRecord, AppSummary, FireFilter, Store, open_store

TARGETS = ("sample", "endpoint")
MAX_CONFORMANCE_FIRES = MAX_FIRES
RECENT_FIRES = 20
DEFAULT_SETTINGS: dict[str, Any] = {
    "target": "endpoint", "sample_mode": "ok", "sample_arg": None, "sample_series": 0,
    "page_id": "100200300", "param_values": {}, "connect_timeout": 5.0, "total_timeout": 10.0,
}


class ServiceError(ValueError):
    """A change that was refused; the message says which field and why. Nothing was written."""


def open_console_store(url: str | None = None) -> Store:
    """The console's database (CONSOLE_DATABASE_URL, default a SQLite file under .console/), migrated."""
    from console.config import database_url

    return open_store(url or database_url())


# ---------------------------------------------------------------- apps


def list_apps(store: Store) -> list[AppSummary]:
    return store.apps.summaries()


def get_app(store: Store, app_ref: int) -> AppRecord | None:
    return store.apps.get(app_ref)


def profile_of(app: AppRecord) -> AppProfile:
    return AppProfile(app.name, app.app_id, app.version, app.kind)


def _checked(profile: AppProfile) -> AppProfile:
    problems = check_profile(profile)
    if problems:
        raise ServiceError(" ".join(problems))
    return AppProfile(profile.name.strip(), profile.app_id.strip(), profile.version.strip(), profile.kind)


def _must_get(store: Store, app_ref: int) -> AppRecord:
    app = store.apps.get(app_ref)
    if app is None:
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    return app


def _log(store: Store, app: AppRecord | None, actor: str, action: str, summary: str, *, app_ref: int | None = None,
         app_name: str = "", fire_id: int | None = None, run_id: str | None = None,
         signoff_id: int | None = None) -> None:
    """One row of the activity log: who did what to which app (the evidence linked by id)."""
    store.activity.record(app_ref=app.id if app else app_ref, app_name=app.name if app else app_name, actor=actor,
                          action=action, summary=summary, fire_id=fire_id, run_id=run_id, signoff_id=signoff_id)


def create_app(store: Store, profile: AppProfile, manifest: dict[str, Any] | None = None,
               scopes: Sequence[str] = (), settings: dict[str, Any] | None = None, *,
               actor: str = "local") -> AppRecord:
    """A new app (an empty server-side auth section unless a document is given)."""
    profile = _checked(profile)
    app_ref = store.apps.insert(
        name=profile.name, app_id=profile.app_id, version=profile.version, kind=profile.kind,
        scopes=sort_paths(scopes), manifest=new_manifest() if manifest is None else manifest,
        settings={**DEFAULT_SETTINGS, **(settings or {})},
    )
    app = _must_get(store, app_ref)
    _log(store, app, actor, "app_created", f"created {app.name} (App ID {app.app_id}, version {app.version}, "
                                          f"{app.kind} app) with {len(app.scopes)} scope(s)")
    return app


def update_profile(store: Store, app_ref: int, profile: AppProfile, *, actor: str = "local") -> AppRecord:
    profile = _checked(profile)
    before = store.apps.get(app_ref)
    if before is None or not store.apps.update(app_ref, name=profile.name, app_id=profile.app_id,
                                               version=profile.version, kind=profile.kind):
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    app = _must_get(store, app_ref)
    changed = [f"{field} {getattr(before, field)!r} → {getattr(app, field)!r}"
               for field in ("name", "app_id", "version", "kind") if getattr(before, field) != getattr(app, field)]
    _log(store, app, actor, "profile_changed", "profile: " + ("; ".join(changed) or "saved unchanged"))
    return app


def delete_app(store: Store, app_ref: int, *, actor: str = "local") -> None:
    """Delete an app with its fire history (the database cascades); the deletion stays in the activity log."""
    app = store.apps.get(app_ref)
    if app is None or not store.apps.delete(app_ref):
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted already.")
    _log(store, app, actor, "app_deleted", f"deleted {app.name} with its fires and sign-offs")


def change_scopes(store: Store, app_ref: int, scopes: Sequence[str], *, actor: str = "local") -> AppRecord:
    """Replace the app's scopes (unknown paths refused). The one place a scope change happens."""
    unknown = [path for path in scopes if get_scope(path) is None]
    if unknown:
        raise ServiceError("Unknown scope(s): " + ", ".join(unknown) + ". Pick endpoints from the catalog.")
    before = set(_must_get(store, app_ref).scopes)
    store.apps.update(app_ref, scopes=sort_paths(scopes))
    app = _must_get(store, app_ref)
    added, removed = sorted(set(app.scopes) - before), sorted(before - set(app.scopes))
    _log(store, app, actor, "scopes_changed",
         "scopes: " + ", ".join([f"+{p}" for p in added] + [f"-{p}" for p in removed] or ["unchanged"])
         + f" ({len(app.scopes)} selected)")
    return app


def toggle_scope(store: Store, app_ref: int, path: str, *, actor: str = "local") -> AppRecord:
    """Select the scope if it is not selected, else deselect it (read fresh, so two tabs do not collide)."""
    current = set(_must_get(store, app_ref).scopes)
    return change_scopes(store, app_ref, sorted(current ^ {path}), actor=actor)


def save_manifest(store: Store, app_ref: int, document: dict[str, Any], *, actor: str = "local") -> AppRecord:
    """Replace the app's App JSON document."""
    from console.signoff import document_hash

    if not isinstance(document, dict):
        raise ServiceError("App JSON must be an object with 'auth' and 'actions'.")
    _must_get(store, app_ref)
    store.apps.update(app_ref, manifest=document)
    app = _must_get(store, app_ref)
    _log(store, app, actor, "app_json_changed", f"App JSON saved (sha256 {document_hash(document)[:12]})")
    return app


def save_settings(store: Store, app_ref: int, *, actor: str = "local", **changes: Any) -> AppRecord:
    """Change some of the app's settings (target, sample mode, sample values, timeouts)."""
    app = _must_get(store, app_ref)
    before = settings_of(app)
    store.apps.update(app_ref, settings={**before, **changes})
    app = _must_get(store, app_ref)
    changed = sorted(name for name, value in changes.items() if before.get(name) != value)
    if changed:
        _log(store, app, actor, "settings_changed", "settings: " + ", ".join(
            f"{name} = {value!r}" for name, value in sorted(changes.items()) if name in changed))
    return app


def choose_sample_mode(store: Store, app_ref: int, mode: str, arg: int | None, *,
                       actor: str = "local") -> AppRecord:
    """Fire at the sample endpoint in ``mode``; a changed mode starts a new series (flaky counts from 0)."""
    from console.sandbox.sample_endpoint import MODES

    if mode not in MODES:
        raise ServiceError(f"Unknown sample mode {mode!r}: use one of {', '.join(MODES)}.")
    if arg is not None and not 1 <= int(arg) <= 60:
        raise ServiceError("The sample mode's number must be from 1 to 60.")
    app = _must_get(store, app_ref)
    settings = settings_of(app)
    if (mode, arg) == (settings["sample_mode"], settings["sample_arg"]):
        return app
    return save_settings(store, app_ref, actor=actor, sample_mode=mode, sample_arg=arg,
                         sample_series=int(settings["sample_series"]) + 1)


def create_demo_app(store: Store, name: str | None = None, *, actor: str = "local") -> AppRecord:
    """The demo app from assets/, set to fire at the built-in sample endpoint (numbered if loaded again)."""
    taken = {app.name for app in store.apps.summaries()}
    base = replace(demo.DEMO_PROFILE, name=name) if name else demo.DEMO_PROFILE
    profile, number = base, 1
    while profile.name in taken:
        number += 1
        profile = replace(base, name=f"{base.name} ({number})")
    return create_app(store, profile, demo.demo_manifest(), demo.DEMO_SCOPES, demo.demo_settings(), actor=actor)


def seed_demo(store: Store, fires: int, app_name: str | None = None,
              on_batch: Callable[[int], None] | None = None, *, actor: str = "local") -> AppRecord:
    """The demo app with ``fires`` realistic stored fires over 30 days (batched, no network)."""
    if not 0 <= fires <= 1_000_000:
        raise ServiceError("--fires: give a number from 0 to 1,000,000.")
    app = create_demo_app(store, app_name, actor=actor)
    for done in demo.seed_fires(store.fires.insert_many, app.id, app.name, fires):
        if on_batch is not None:
            on_batch(done)
    return app


# ---------------------------------------------------------------- firing


def settings_of(app: AppRecord) -> dict[str, Any]:
    """The app's settings with defaults filled in."""
    return {**DEFAULT_SETTINGS, **app.settings}


def fire_context(app: AppRecord) -> FireContext:
    settings = settings_of(app)
    params = fill_params(param_names(app.manifest), settings["param_values"])
    return FireContext(app.app_id, app.version, str(settings["page_id"]), params)


def timeouts_of(app: AppRecord) -> Timeouts:
    settings = settings_of(app)
    return Timeouts(float(settings["connect_timeout"]), float(settings["total_timeout"]))


def target_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str | None:
    """The URL to fire at: the sample endpoint in its mode, or None for the app's own auth.request.url."""
    settings = settings_of(app)
    if (target or settings["target"]) != "sample":
        return None
    series = f"{app.id}-{settings['sample_series']}" if settings["sample_mode"] == "flaky" else ""
    return sample_base_url + install_path(settings["sample_mode"], settings["sample_arg"], series)


def fired_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str:
    """The URL a fire at ``target`` goes to (before templates are filled in); '' when there is none."""
    return target_url(app, sample_base_url, target) or str((request_of(app.manifest) or {}).get("url") or "")


def _row(result: FireResult, *, app_ref: int | None, app_name: str, source: str, target_kind: str,
         run_id: str | None = None, step: str | None = None, actor: str = "local") -> dict[str, Any]:
    return {**result.to_stored(), "app_ref": app_ref, "app_name": app_name, "source": source,
            "target_kind": target_kind, "run_id": run_id, "step": step, "actor": actor[:80]}


@dataclass(frozen=True)
class FireOutcome:
    result: FireResult
    record: FireRecord


def fire_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                 app_key: str | None = None, *, actor: str = "local") -> FireOutcome:
    """Fire the app's install request at its current target and store the fire (with who fired)."""
    target = settings_of(app)["target"]
    result = fire_install_request(request_or_default(app.manifest), fire_context(app), app_key=app_key,
                                  url=target_url(app, sample_base_url), timeouts=timeouts_of(app), policy=policy)
    fire_id = store.fires.insert(_row(result, app_ref=app.id, app_name=app.name, source="page",
                                      target_kind=target, actor=actor))
    record = get_fire(store, fire_id)
    assert record is not None
    _log(store, app, actor, "fire", f"fired at the {target}: {result.category.value}"
                                    + (f" (HTTP {result.status})" if result.status is not None else ""),
         fire_id=fire_id)
    return FireOutcome(result, record)


def run_conformance_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                            target: str, on_fire: Callable[[ConformanceFire, int], None] | None = None, *,
                            actor: str = "local") -> str:
    """Run every conformance step at ``target``; the fires are stored in one transaction. The run's id."""
    run_id = new_run_id()
    fired = run_conformance(request_or_default(app.manifest), fire_context(app),
                            url=target_url(app, sample_base_url, target), timeouts=timeouts_of(app), policy=policy,
                            on_fire=on_fire)
    ids = store.fires.insert_many([_row(item.result, app_ref=app.id, app_name=app.name, source="conformance",
                                        target_kind=target, run_id=run_id, step=item.step, actor=actor)
                                   for item in fired])
    ok = sum(1 for item in fired if item.result.ok)
    _log(store, app, actor, "conformance_run", f"conformance run at the {target}: {len(fired)} fire(s), {ok} got 200",
         fire_id=ids[0] if ids else None, run_id=run_id)
    return run_id


def record_cli_fires(store: Store, results: Sequence[tuple[FireResult, str | None]], app_name: str,
                     target_kind: str, run_id: str | None = None, *, actor: str = "cli") -> list[FireRecord]:
    """Store fires made on the command line (one transaction); the stored records, in firing order."""
    ids = store.fires.insert_many([_row(result, app_ref=None, app_name=app_name, source="cli",
                                        target_kind=target_kind, run_id=run_id, step=step, actor=actor)
                                   for result, step in results])
    if ids:
        _log(store, None, actor, "cli_fires", f"{len(ids)} fire(s) from the command line at the {target_kind}",
             app_name=app_name, fire_id=ids[0], run_id=run_id)
    return [FireRecord.from_row(row) for row in store.fires.in_order(FireFilter(run_id=run_id), len(ids))] \
        if run_id else []


# ---------------------------------------------------------------- reading fires


def get_fire(store: Store, fire_id: int) -> FireRecord | None:
    row = store.fires.get(fire_id)
    return None if row is None else FireRecord.from_row(row)


def latest_fire(store: Store, app_ref: int) -> FireRecord | None:
    rows = store.fires.page(FireFilter(app_ref=app_ref), limit=1, with_detail=True)
    return FireRecord.from_row(rows[0]) if rows else None


def recent_fires(store: Store, app_ref: int, limit: int = 5) -> list[FireRecord]:
    return [FireRecord.from_row(row) for row in store.fires.page(FireFilter(app_ref=app_ref), limit=limit)]


@dataclass(frozen=True)
class HistoryView:
    total: int
    breakdown: dict[str, int]
    points: list[tuple[datetime, float, str]]  # the newest fires' time, latency and category
    rows: list[FireRecord]
    pages: int


def history(store: Store, where: FireFilter, page: int = 1, page_size: int = 25,
            points: int = 500) -> HistoryView:
    """One page of History: counts and breakdown aggregated in SQL, the newest points, one page of rows."""
    breakdown = store.fires.breakdown(where)
    total = sum(breakdown.values())
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = [FireRecord.from_row(r) for r in store.fires.page(where, limit=page_size, offset=(page - 1) * page_size)]
    latency = [(r["fired_at"], float(r["elapsed_ms"]), str(r["category"]))
               for r in store.fires.latencies(where, limit=points)] if total else []
    return HistoryView(total, breakdown, latency, rows, pages)


# ---------------------------------------------------------------- readiness and progress


@dataclass(frozen=True)
class Readiness:
    items: list[ChecklistItem]
    verdict: Verdict


def readiness(store: Store, app: AppRecord, target: str, for_listing: bool) -> Readiness:
    """The checklist for one app at one target, from its newest fires and latest conformance run."""
    recent = [FireRecord.from_row(r) for r in store.fires.page(
        FireFilter(app_ref=app.id, target_kind=target), limit=RECENT_FIRES, with_detail=True)]
    run_id = store.fires.latest_run_id(app.id, target)
    conformance = [FireRecord.from_row(r) for r in store.fires.in_order(FireFilter(run_id=run_id))] if run_id else []
    items = evaluate_checklist(ReadinessInput(app.manifest, app.scopes, target, recent, conformance, for_listing))
    return Readiness(items, verdict_of(items))


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    done: bool
    status: str


def progress(store: Store, app: AppRecord) -> list[Step]:
    """The four steps, each done or not, derived from the app's state and its readiness verdict."""
    latest = store.fires.page(FireFilter(app_ref=app.id), limit=1)
    check = readiness(store, app, settings_of(app)["target"], for_listing=False)
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



# ---- team mode: the access gate, invites, who did what, sign-offs


def gate_problem(store: Store) -> str | None:
    """Why the console refuses to start (team mode without a gate, a short shared token), or None."""
    from console import team

    return team.gate_problem(store)


def gate_enabled(store: Store) -> bool:
    from console import team

    return team.gate_enabled(store)


def sign_in(store: Store, token: str, name: str, client: str) -> Any:
    """A session for a valid token (team.GateRefused otherwise, with the client's slow-down applied)."""
    from console import team

    try:
        return team.sign_in(store, token, name, client)
    except team.GateRefused as exc:
        raise ServiceError(str(exc)) from None


def session_actor(store: Store, session_token: str) -> str | None:
    from console import team

    return team.session_actor(store, session_token)


def sign_out(store: Store, session_token: str) -> None:
    from console import team

    team.sign_out(store, session_token)


def invite_person(store: Store, name: str, *, actor: str = "cli") -> str:
    """Invite a person; their personal token, to be shown once (only its hash is stored)."""
    from console import team

    try:
        token = team.invite(store, name, actor)
    except team.TeamError as exc:
        raise ServiceError(str(exc)) from None
    _log(store, None, actor, "person_invited", f"invited {name.strip()}")
    return token


def revoke_person(store: Store, name: str, *, actor: str = "cli") -> None:
    from console import team

    try:
        team.revoke(store, name)
    except team.TeamError as exc:
        raise ServiceError(str(exc)) from None
    _log(store, None, actor, "person_revoked", f"revoked {name.strip()}'s token and ended their sessions")


def list_people(store: Store) -> list[Any]:
    return store.people.all()


def activity_for_app(store: Store, app_ref: int, limit: int = 200) -> list[Any]:
    """The app's activity log, newest first: what changed, when, by whom, with the evidence's ids."""
    return store.activity.for_app(app_ref, limit=limit)


def signoffs_for_app(store: Store, app: AppRecord) -> list[Any]:
    """The app's sign-offs, newest first, each judged fresh or stale against the app's current state."""
    from console.signoff import judge

    return [judge(record, app.manifest, app.scopes) for record in store.signoffs.for_app(app.id)]


def sign_off(store: Store, app: AppRecord, decision: str, comment: str, target: str, for_listing: bool, *,
             actor: str = "local") -> Any:
    """Record a reviewer's decision on the app's current state (verdict, App JSON, scopes, evidence)."""
    from console.signoff import DECISIONS, MAX_COMMENT, document_hash, evidence_of, judge, scopes_hash

    if decision not in DECISIONS:
        raise ServiceError(f"Unknown decision {decision!r}: use one of {', '.join(DECISIONS)}.")
    if target not in TARGETS:
        raise ServiceError(f"Unknown target {target!r}: use one of {', '.join(TARGETS)}.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ServiceError(f"The comment is {len(comment)} characters long: keep it under {MAX_COMMENT}.")
    if decision == "changes_requested" and not comment:
        raise ServiceError("Say which changes you request in the comment.")
    app = _must_get(store, app.id)  # sign what is stored now, not what the page read earlier
    check = readiness(store, app, target, for_listing)
    if decision == "approved" and not check.verdict.ready:
        raise ServiceError(f"Cannot sign off: not ready at the {target} ({check.verdict.summary}). "
                           "Missing evidence is never a pass: run the conformance runs, or request changes.")
    signoff_id = store.signoffs.insert(
        app_ref=app.id, actor=actor, decision=decision, comment=comment, ready=check.verdict.ready,
        verdict=check.verdict.summary, target=target, for_listing=for_listing,
        manifest_hash=document_hash(app.manifest), scopes_hash=scopes_hash(app.scopes),
        evidence=evidence_of(check.items))
    _log(store, app, actor, "signoff", f"{DECISIONS[decision]} at the {target} ({check.verdict.summary})"
         + (f": {comment}" if comment else ""), signoff_id=signoff_id)
    return judge(store.signoffs.for_app(app.id, limit=1)[0], app.manifest, app.scopes)


@dataclass(frozen=True)
class SignoffCheck:
    ok: bool
    message: str
    signoff: Any = None


def require_signoff(store: Store, manifest: dict[str, Any], app_ref: int | None = None,
                    for_listing: bool = False) -> SignoffCheck:
    """Is there a fresh sign-off for this App JSON (of the app ``app_ref``, or any app holding the document)?
    With ``for_listing``, the sign-off must have been made with the App Store listing rules on."""
    from console.signoff import document_hash

    digest = document_hash(manifest)
    candidates = [app_ref] if app_ref is not None else store.signoffs.apps_with_manifest(digest)
    if app_ref is not None and store.apps.get(app_ref) is None:
        return SignoffCheck(False, f"--app {app_ref}: there is no app #{app_ref} in the console's database.")
    if not candidates:
        return SignoffCheck(False, f"No sign-off for this App JSON (sha256 {digest[:12]}): nobody signed off this "
                                   "exact document in the console. Sign off on the Checklist page, or give --app ID.")
    reasons = []
    for ref in candidates:
        app = store.apps.get(ref)
        if app is None:
            continue
        views = signoffs_for_app(store, app)
        if not views:
            reasons.append(f"app #{ref} ({app.name}) has no sign-off")
            continue
        latest = views[0]
        who = f"{latest.record.actor} on {latest.record.at:%Y-%m-%d %H:%M} UTC"
        if latest.record.decision != "approved":
            reasons.append(f"app #{ref} ({app.name}): the latest decision is 'changes requested' by {who}")
        elif latest.stale:
            reasons.append(f"app #{ref} ({app.name}): the sign-off by {who} is stale ({latest.why_stale})")
        elif for_listing and not latest.record.for_listing:
            reasons.append(f"app #{ref} ({app.name}): the sign-off by {who} was made without the App Store listing "
                           "rules (turn on 'For an App Store listing' on the Checklist and sign off again)")
        elif latest.record.manifest_hash != digest:
            reasons.append(f"app #{ref} ({app.name}): the sign-off by {who} is for another App JSON "
                           f"(sha256 {latest.record.manifest_hash[:12]}, this file is {digest[:12]})")
        else:
            return SignoffCheck(True, f"signed off by {who} for app #{ref} ({app.name})", latest)
    return SignoffCheck(False, "No fresh sign-off: " + "; ".join(reasons or ["the signed app was deleted"]) + ".")


def gate_client(headers: dict[str, str], ip_address: str | None) -> str:
    from console import team

    return team.client_key(headers, ip_address)


def reveal_allowed() -> bool:
    """Team mode never reveals a key on screen, not even the one this browser session fired."""
    from console.config import console_mode

    return console_mode() != "team"
