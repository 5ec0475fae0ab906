"""Team mode: the access gate, people and their tokens, the activity log, sign-offs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from console import access, team
from console.access import guard_writes
from console.manifest.document import Document, document_hash
from console.separation import SEPARATION
from console.service.base import TARGETS, ServiceError, log_activity, must_get
from console.service.readiness import readiness, signoffs_for_app
from console.signoff import DECISIONS, MAX_COMMENT, SignoffView, evidence_of, judge, scopes_hash
from console.store import ActivityRecord, AppRecord, Person, Store


def gate_problem(store: Store) -> str | None:
    """Why the console refuses to start (team mode without a gate, a short shared token), or None."""
    return team.gate_problem(store)


def gate_enabled(store: Store) -> bool:
    return team.gate_enabled(store)


def sign_in(store: Store, token: str, name: str, client: str) -> team.SignIn:
    """A session for a valid token (team.GateRefused otherwise, with the client's slow-down applied)."""
    try:
        return team.sign_in(store, token, name, client)
    except team.GateRefused as exc:
        raise ServiceError(str(exc)) from None


def session_actor(store: Store, session_token: str) -> str | None:
    return team.session_actor(store, session_token)


def sign_out(store: Store, session_token: str) -> None:
    team.sign_out(store, session_token)


def invite_person(store: Store, name: str, *, actor: str = "cli") -> str:
    """Invite a person; their personal token, to be shown once (only its hash is stored)."""
    try:
        token = team.invite(store, name, actor)
    except team.TeamError as exc:
        raise ServiceError(str(exc)) from None
    log_activity(store, None, actor, "person_invited", f"invited {name.strip()}")
    return token


def revoke_person(store: Store, name: str, *, actor: str = "cli") -> None:
    try:
        team.revoke(store, name)
    except team.TeamError as exc:
        raise ServiceError(str(exc)) from None
    log_activity(store, None, actor, "person_revoked", f"revoked {name.strip()}'s token and ended their sessions")


def list_people(store: Store) -> list[Person]:
    return store.people.all()


def activity_for_app(store: Store, app_ref: int, limit: int = 200) -> list[ActivityRecord]:
    """The app's activity log, newest first: what changed, when, by whom, with the evidence's ids."""
    return store.activity.for_app(app_ref, limit=limit)


@dataclass(frozen=True)
class ActivityPage:
    """One page of an app's activity log, newest first, and whether older entries match too."""

    entries: list[ActivityRecord]
    has_older: bool


def activity_page(store: Store, app_ref: int, *, actions: Sequence[str] = (), actors: Sequence[str] = (),
                  page: int = 1, page_size: int = 100) -> ActivityPage:
    """The entries of page ``page`` (``page_size`` each) that match ``actions`` and ``actors`` (all when empty)."""
    page = max(1, page)
    rows = store.activity.for_app(app_ref, limit=page_size + 1, actions=actions, actors=actors,
                                  offset=(page - 1) * page_size)
    return ActivityPage(rows[:page_size], len(rows) > page_size)


def activity_actors(store: Store, app_ref: int) -> list[str]:
    """Who appears in the app's recent activity (the Activity page's "who" choices)."""
    return store.activity.recent_actors(app_ref)


def sign_off(store: Store, app: AppRecord, decision: str, comment: str, target: str, for_listing: bool, *,
             actor: str = "local") -> SignoffView:
    """Record a reviewer's decision on the app's current state (verdict, App JSON, scopes, evidence)."""
    if decision not in DECISIONS:
        raise ServiceError(f"Unknown decision {decision!r}: use one of {', '.join(DECISIONS)}.")
    if target not in TARGETS:
        raise ServiceError(f"Unknown target {target!r}: use one of {', '.join(TARGETS)}.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ServiceError(f"The comment is {len(comment)} characters long: keep it under {MAX_COMMENT}.")
    if decision == "changes_requested" and not comment:
        raise ServiceError("Say which changes you request in the comment.")
    app = must_get(store, app.id)  # sign what is stored now, not what the page read earlier
    check = readiness(store, app, target, for_listing)
    if decision == "approved" and not check.verdict.ready:
        raise ServiceError(f"Cannot sign off: not ready at the {target} ({check.verdict.summary}). "
                           "Missing evidence is never a pass: run the conformance runs, or request changes.")
    signoff_id = store.signoffs.insert(
        app_ref=app.id, actor=actor, decision=decision, comment=comment, ready=check.verdict.ready,
        verdict=check.verdict.summary, target=target, for_listing=for_listing,
        manifest_hash=document_hash(app.manifest), scopes_hash=scopes_hash(app.scopes),
        evidence=evidence_of(check.items))
    log_activity(store, app, actor, "signoff", f"{DECISIONS[decision]} at the {target} ({check.verdict.summary})"
         + (f": {comment}" if comment else ""), signoff_id=signoff_id)
    return judge(store.signoffs.for_app(app.id, limit=1)[0], app.manifest, app.scopes)


@dataclass(frozen=True)
class SignoffCheck:
    ok: bool
    message: str
    signoff: SignoffView | None = None


def require_signoff(store: Store, manifest: Document, app_ref: int | None = None,
                    for_listing: bool = False) -> SignoffCheck:
    """Is there a fresh sign-off for this App JSON, by someone who was not an author of the changes it covered
    (separation of duties, unless the console switched it off)? The message says who signed and who authored."""
    check = _fresh_signoff(store, manifest, app_ref, for_listing)
    if not check.ok or check.signoff is None:
        return check
    record = check.signoff.record
    authors = _authors_before(store, record.app_ref, record.at) if store.apps.get(record.app_ref) else []
    signer = access.base_name(record.actor)
    if signer in authors and bool(store.settings.get(SEPARATION, True)):
        return SignoffCheck(False, f"The sign-off by {record.actor} covers changes {signer} made: "
                                   "separation of duties needs someone else to sign off.", check.signoff)
    detail = (f"; {signer} was not an author of the changes it covered (authors: {', '.join(authors)})"
              if authors else "; no App JSON changes since the previous sign-off")
    return SignoffCheck(True, check.message + detail, check.signoff)


def _authors_before(store: Store, app_ref: int, at: datetime) -> list[str]:
    """Who changed the App JSON between the approval before ``at`` and ``at``."""
    approvals = [s.at for s in store.signoffs.for_app(app_ref, limit=100) if s.decision == "approved" and s.at < at]
    since = approvals[0] if approvals else None
    return sorted({access.base_name(v.author) for v in store.versions.listing(app_ref, limit=10_000)
                   if v.created_at <= at and (since is None or v.created_at > since) and v.source != "initial"}
                  - {"console"})


def _fresh_signoff(store: Store, manifest: Document, app_ref: int | None, for_listing: bool) -> SignoffCheck:
    """Is there a fresh sign-off for this App JSON (of the app ``app_ref``, or any app holding the document)?
    With ``for_listing``, the sign-off must have been made with the App Store listing rules on."""
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
    return team.client_key(headers, ip_address)


def reveal_allowed() -> bool:
    """Team mode never reveals a key on screen, not even the one this browser session fired."""
    from console.config import console_mode

    return console_mode() != "team"


# every write checks the actor's role (a sign-off also separation of duties) before storing: console.access
guard_writes(globals(), ServiceError)
