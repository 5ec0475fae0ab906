"""The review conversation and its record, one function per action: sign-in through the identity
provider, comments per checklist item, the review state shown on Home, what changed since the last
sign-off, and the audit log (filter, pages without a cap, CSV/JSON export)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from console import access, audit, review_hooks, team
from console.manifest.diff import Change, diff_documents
from console.service.base import ServiceError
from console.service.readiness import checklist, signoffs_for_app
from console.signoff import document_hash
from console.store import AppRecord, Store
from console.store.audit_log import AuditEntry, AuditFilter
from console.store.review import CommentRecord

MAX_COMMENT = 2000

# ---------------------------------------------------------------- sign-in through the identity provider


def oidc_sign_in(store: Store, email: str, name: str, client: str, *, verified: bool = True) -> team.SignIn:
    """A session for the person the identity provider vouched for (by e-mail). Someone new becomes a member
    with the console's default role; a revoked person is refused."""
    email = email.strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise ServiceError("The identity provider gave no usable e-mail address: ask your admin to add the "
                           "'email' scope to the console's client.")
    if not verified:
        raise ServiceError(f"The identity provider has not verified {email}: verify it there, then sign in again.")
    found = store.identities.person_for(email)
    if found is not None and found[2] is not None:
        raise ServiceError(f"{found[1]}'s access was revoked: ask an admin to invite {email} again.")
    if found is None:
        person_name = _free_name(store, name, email)
        store.people.invite(person_name, team.hash_token(team.new_token()), "identity provider")
        person = store.people.by_name(person_name)
        assert person is not None
        person_id = person.id
        review_hooks.log(store, None, "", person_name, "person_invited",
                         f"{person_name} ({email}) joined through the identity provider")
    else:
        person_id, person_name = found[0], found[1]
    store.identities.link(email, person_id)
    session = team.new_token()
    store.people.start_session(team.hash_token(session), person_name, person_id, client)
    review_hooks.log(store, None, "", person_name, "signed_in", f"signed in through the identity provider ({email})")
    return team.SignIn(person_name, session)


def _free_name(store: Store, name: str, email: str) -> str:
    """A member name from the provider's name (else the e-mail's local part) that nobody holds yet."""
    raw = "".join(ch if ch.isalnum() or ch in " ._-" else " " for ch in (name.strip() or email.split("@")[0]))
    base = " ".join(raw.split())[:34] or "member"
    for suffix in [""] + [f" {n}" for n in range(2, 100)]:
        candidate = base + suffix
        try:
            team.check_name(candidate)
        except team.TeamError:
            candidate = "member " + candidate
        if store.people.by_name(candidate) is None:
            return candidate[:40]
    raise ServiceError("Too many members share this name: ask an admin to invite you by name.")


# ---------------------------------------------------------------- comments per checklist item


@dataclass(frozen=True)
class Thread:
    item: str
    first: CommentRecord
    replies: tuple[CommentRecord, ...]

    @property
    def open(self) -> bool:
        return self.first.open


def add_comment(store: Store, app_ref: int, item: str, body: str, *, parent_id: int | None = None,
                actor: str = "local") -> CommentRecord:
    """A comment on a checklist item (``parent_id``: a reply in that thread), attributed and kept."""
    access_reason = access.refusal(store, actor, app_ref, "comment")
    if access_reason:
        raise ServiceError(access_reason)
    app = store.apps.get(app_ref)
    if app is None:
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    body = body.strip()
    if not body:
        raise ServiceError("The comment is empty: say what is wrong or what you checked.")
    if len(body) > MAX_COMMENT:
        raise ServiceError(f"The comment is {len(body)} characters long: keep it under {MAX_COMMENT}.")
    items = {i.id for i in checklist(store, app).items}
    if parent_id is not None:
        parent = store.comments.get(parent_id)
        if parent is None or parent.app_ref != app_ref:
            raise ServiceError(f"There is no comment #{parent_id} on this app to reply to.")
        item, parent_id = parent.item, parent.parent_id or parent.id
    elif item not in items:
        raise ServiceError(f"Unknown checklist item {item!r}: use one of {', '.join(sorted(items))}.")
    new_id = store.comments.add(app_ref=app_ref, item=item, parent_id=parent_id, actor=actor, body=body,
                                manifest_hash=document_hash(app.manifest))
    review_hooks.log(store, app.id, app.name, actor, "comment",
                     f"{'replied on' if parent_id else 'commented on'} {item}: {body[:200]}",
                     {"comment": new_id, "item": item, "reply_to": parent_id})
    record = store.comments.get(new_id)
    assert record is not None
    return record


def resolve_comment(store: Store, comment_id: int, *, actor: str = "local") -> None:
    """Resolve a thread: its author, a reviewer or an admin."""
    comment = store.comments.get(comment_id)
    if comment is None:
        raise ServiceError(f"There is no comment #{comment_id}.")
    first = store.comments.get(comment.parent_id) if comment.parent_id else comment
    assert first is not None
    if access.base_name(actor) != access.base_name(first.actor):
        reason = access.refusal(store, actor, first.app_ref, "signoff")
        if reason:
            raise ServiceError(reason)
    if not store.comments.resolve(first.id, actor):
        raise ServiceError(f"The thread #{first.id} is already resolved.")
    app = store.apps.get(first.app_ref)
    review_hooks.log(store, first.app_ref, app.name if app else "", actor, "comment_resolved",
                     f"resolved the thread on {first.item}: {first.body[:120]}", {"comment": first.id})


def threads(store: Store, app_ref: int, item: str | None = None) -> list[Thread]:
    """The app's comment threads (of one item), oldest first."""
    records = store.comments.for_app(app_ref)
    firsts = [c for c in records if c.parent_id is None and (item is None or c.item == item)]
    return [Thread(f.item, f, tuple(c for c in records if c.parent_id == f.id)) for f in firsts]


# ---------------------------------------------------------------- the review state (Home)


@dataclass(frozen=True)
class ReviewState:
    state: str  # "none" | "signed_off" | "stale" | "changes_requested"
    by: str
    at: datetime | None
    comment: str
    open_threads: tuple[Thread, ...]


def review_state(store: Store, app: AppRecord) -> ReviewState:
    """Where the app's review stands, with the open comments (a 'changes requested' state lists them)."""
    views = signoffs_for_app(store, app)
    open_threads = tuple(t for t in threads(store, app.id) if t.open)
    if not views:
        state = "changes_requested" if open_threads else "none"
        return ReviewState(state, "", None, "", open_threads)
    latest = views[0]
    record = latest.record
    if record.decision == "changes_requested":
        state = "changes_requested"
    else:
        state = "stale" if latest.stale else "signed_off"
    return ReviewState(state, record.actor, record.at, record.comment, open_threads)


# ---------------------------------------------------------------- since the last sign-off


@dataclass(frozen=True)
class SinceSignoff:
    signed_version: int | None  # the version current at the last approval (None: never signed off)
    current_version: int | None
    changes: tuple[Change, ...]
    changed_at: datetime | None  # when the App JSON last changed after that sign-off
    predating_items: tuple[str, ...]  # checklist items whose evidence is older than that change


def since_last_signoff(store: Store, app: AppRecord) -> SinceSignoff:
    """The diff from the version signed off last to today's, and which items' evidence predates it."""
    approvals = [s for s in store.signoffs.for_app(app.id, limit=100) if s.decision == "approved"]
    listing = store.versions.listing(app.id, limit=10_000)
    current = listing[0].number if listing else None
    if not approvals or not listing:
        return SinceSignoff(None, current, (), None, ())
    signed = approvals[0]
    signed_number = next((v.number for v in listing if v.created_at <= signed.at), None)
    base = store.versions.get(app.id, signed_number) if signed_number is not None else None
    if base is None or base.document is None:
        return SinceSignoff(signed_number, current, (), None, ())
    changes = tuple(diff_documents(base.document, app.manifest))
    later = [v.created_at for v in listing if v.created_at > signed.at]
    changed_at = max(later) if later and changes else None
    predating: tuple[str, ...] = ()
    if changed_at is not None:
        check = checklist(store, app)  # evidence from before the change is set aside: those items need it anew
        predating = tuple(dict.fromkeys([item.id for item in check.needs_new] + [
            item.id for item in check.items if any(e.at is not None and e.at < changed_at for e in item.evidence)]))
    return SinceSignoff(signed_number, current, changes, changed_at, predating)


# ---------------------------------------------------------------- the audit log


def audit_filter(*, since: str | None = None, actor: str | None = None, actions: tuple[str, ...] = (),
                 app_ref: int | None = None, text: str | None = None) -> AuditFilter:
    """A filter from what a person typed; ServiceError for a since that is not a time."""
    try:
        moment = audit.parse_since(since) if since else None
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    unknown = [a for a in actions if a not in audit.KINDS]
    if unknown:
        raise ServiceError(f"Unknown kind(s) {', '.join(unknown)}: use {', '.join(audit.KINDS)}.")
    return AuditFilter(since=moment, actor=actor or None, actions=actions, app_ref=app_ref, text=text or None)


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    total: int
    next_before: int | None  # give it back for the next (older) page; None on the last page


def audit_page(store: Store, where: AuditFilter, before_id: int | None = None, size: int = 50, *,
               actor: str = "local") -> AuditPage:
    reason = access.refusal(store, actor, where.app_ref, "read")
    if reason:
        raise ServiceError(reason)
    size = max(1, min(size, 500))
    rows = store.audit.page(where, before_id, size + 1)
    return AuditPage(tuple(rows[:size]), store.audit.count(where), rows[size - 1].id if len(rows) > size else None)


def audit_export(store: Store, where: AuditFilter, fmt: str, *, actor: str = "local") -> Iterator[str]:
    """Every matching entry (no cap), newest first, as CSV or JSON text pieces. The export is itself logged."""
    reason = access.refusal(store, actor, where.app_ref, "read")
    if reason:
        raise ServiceError(reason)
    if fmt not in audit.FORMATS:
        raise ServiceError(f"--format {fmt!r}: use csv or json.")
    return audit.export(store.audit.each(where), fmt)


def now() -> datetime:
    return datetime.now(UTC)
