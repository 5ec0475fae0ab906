"""Reviewing as a team, one function per action (both faces call these): roles, the shared token,
separation of duties, sign-in through the identity provider, comments per checklist item, what
changed since the last sign-off, the webhook and the audit log.

Every write checks the actor's role first (``access.check``) and raises ServiceError, storing nothing,
when it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from console import access, notify, review_hooks, roles
from console.separation import SEPARATION
from console.service.base import ServiceError
from console.store import Store
from console.store.review import DeliveryRecord

MAX_COMMENT = 2000


def _check(store: Store, actor: str, app_ref: int | None, action: str) -> None:
    reason = access.refusal(store, actor, app_ref, action)
    if reason:
        raise ServiceError(reason)


def role_of(store: Store, actor: str, app_ref: int | None) -> str | None:
    """The actor's role for the app (None: the console as a whole); pages use it to hide what is refused."""
    return access.role_for(store, actor, app_ref)


# ---------------------------------------------------------------- roles


@dataclass(frozen=True)
class MemberView:
    name: str
    active: bool
    email: str | None
    console_role: str  # for every app without a grant of its own
    app_roles: tuple[tuple[int, str], ...]


def set_role(store: Store, name: str, app: str | int, role: str, *, actor: str = "cli") -> str:
    """Give ``name`` the role for app ``app`` (an id, or 'all'/'*' for every app); 'none' takes an app's grant
    away. What the role was before."""
    _check(store, actor, None, "manage")
    person = store.people.by_name(name.strip())
    if person is None or not person.active:
        raise ServiceError(f"Nobody named {name.strip()!r} is an active member: invite them first "
                           "(`python -m console team invite NAME`), or they sign in through the identity provider.")
    app_ref = _app_arg(store, app)
    new_role: str | None = None
    if str(role).strip().lower() != "none":
        try:
            new_role = roles.check_role(str(role))
        except ValueError as exc:
            raise ServiceError(f"{exc} ('none' takes a per-app role away)") from None
    if new_role != "admin" and _last_admin(store, person.name, app_ref):
        raise ServiceError(f"{person.name} is the console's last admin: make someone else admin first.")
    before = store.roles.set(person.name, app_ref, new_role, actor)
    where = "every app" if app_ref == roles.ALL_APPS else f"app #{app_ref}"
    review_hooks.log(store, None if app_ref == roles.ALL_APPS else app_ref, "", actor, "role_changed",
                     f"{person.name}: {before or 'no role'} → {new_role or 'no role'} for {where}",
                     {"person": person.name, "app": app_ref, "before": before, "after": new_role})
    return before or "none"


def _app_arg(store: Store, app: str | int) -> int:
    text = str(app).strip().lower()
    if text in ("all", "*", "0"):
        return roles.ALL_APPS
    if not text.isdigit() or store.apps.get(int(text)) is None:
        raise ServiceError(f"APP {app!r}: give an app's id (see `python -m console app list`) or 'all'.")
    return int(text)


def _last_admin(store: Store, name: str, app_ref: int) -> bool:
    current = [g for g in store.roles.all() if g.role == "admin" and g.app_ref == roles.ALL_APPS]
    return app_ref == roles.ALL_APPS and [g.person for g in current] == [name]


def members(store: Store) -> list[MemberView]:
    emails = {pid: email for pid, email in store.identities.emails().items()}
    grants = store.roles.all()
    default = str(store.settings.get("default_role", access.DEFAULT_ROLE))
    return [MemberView(p.name, p.active, emails.get(p.id),
                       next((g.role for g in grants if g.person == p.name and g.app_ref == roles.ALL_APPS), default),
                       tuple((g.app_ref, g.role) for g in grants if g.person == p.name and g.app_ref != roles.ALL_APPS))
            for p in store.people.all()]


# ---------------------------------------------------------------- console settings


@dataclass(frozen=True)
class TeamSettings:
    shared_token_on: bool
    separation_of_duties: bool
    default_role: str
    shared_role: str
    webhook_destination: str | None  # scheme://host only
    webhook_format: str


def team_settings(store: Store) -> TeamSettings:
    hook = review_hooks.webhook(store)
    return TeamSettings(bool(store.settings.get("shared_token", True)), bool(store.settings.get(SEPARATION, True)),
                        str(store.settings.get("default_role", access.DEFAULT_ROLE)),
                        str(store.settings.get("shared_role", access.DEFAULT_SHARED_ROLE)),
                        notify.destination(hook["url"]) if hook else None,
                        hook.get("format", "slack") if hook else "slack")


def set_shared_token(store: Store, on: bool, *, actor: str = "cli") -> None:
    """Switch the team's shared token off (only when people can still sign in: invites or OIDC) or back on."""
    from console.identity import oidc_configured

    _check(store, actor, None, "manage")
    if not on and store.people.count(active_only=True) == 0 and not oidc_configured():
        raise ServiceError("Nobody could sign in with the shared token off: invite people "
                           "(`python -m console team invite NAME`) or configure sign-in with OpenID Connect first.")
    store.settings.set("shared_token", bool(on), actor)
    review_hooks.log(store, None, "", actor, "shared_token", f"shared token switched {'on' if on else 'off'}")


def set_team_setting(store: Store, key: str, value: str | bool, *, actor: str = "cli") -> None:
    """separation_of_duties (on/off), default_role, shared_role."""
    _check(store, actor, None, "manage")
    if key == SEPARATION:
        stored: str | bool = value if isinstance(value, bool) else str(value).strip().lower() in ("on", "true", "1")
    elif key in ("default_role", "shared_role"):
        try:
            stored = roles.check_role(str(value))
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
    else:
        raise ServiceError(f"Unknown setting {key!r}: separation_of_duties, default_role or shared_role.")
    store.settings.set(key, stored, actor)
    review_hooks.log(store, None, "", actor, "console_setting", f"{key} = {stored}")


def set_webhook(store: Store, url: str, fmt: str = "slack", *, actor: str = "cli") -> None:
    """The console's webhook ('' removes it); ``fmt`` slack ({"text": …}) or json (an event object)."""
    _check(store, actor, None, "manage")
    if fmt not in notify.FORMATS:
        raise ServiceError(f"Format {fmt!r}: use slack or json.")
    if not url.strip():
        store.settings.set("webhook", {}, actor)
        review_hooks.log(store, None, "", actor, "console_setting", "webhook removed")
        return
    try:
        url = notify.check_url(url)
    except notify.WebhookError as exc:
        raise ServiceError(str(exc)) from None
    store.settings.set("webhook", {"url": url, "format": fmt}, actor)
    review_hooks.log(store, None, "", actor, "console_setting", f"webhook set to {notify.destination(url)} ({fmt})")


def webhook_deliveries(store: Store, limit: int = 50) -> list[DeliveryRecord]:
    return store.deliveries.recent(limit)
