"""The role catalogue: what each role per app may do, as plain data, and ``can(role, action)``.

Four roles, from least to most: a *viewer* reads everything and fires nothing; an *editor*
changes the app and fires; a *reviewer* fires, signs off and requests changes (but does not
change the app); an *admin* does everything, including people, roles and the console's settings.
Every write path asks ``can`` on the server side before it stores anything.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "editor", "reviewer", "admin")
ALL_APPS = 0  # a role given for app 0 holds for every app without a role of its own

# action -> what it covers (shown by `team role --help` and on the Team page)
ACTIONS: dict[str, str] = {
    "read": "see the app, its fires, versions, sign-offs, comments and activity",
    "comment": "comment on a checklist item and reply to comments",
    "fire": "fire the install request, run the conformance steps, start a burst, call the sandbox",
    "edit": "change the App JSON, scopes, profile, settings and targets; restore a version; install in the sandbox",
    "create": "create an app (a console-wide permission: give a role for every app)",
    "signoff": "sign off the App JSON, request changes, resolve comments",
    "delete": "delete the app with its history",
    "manage": "invite and revoke people, give roles, the shared token, the webhook, separation of duties",
}

PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "editor": frozenset({"read", "comment", "fire", "edit", "create"}),
    "reviewer": frozenset({"read", "comment", "fire", "signoff"}),
    "admin": frozenset(ACTIONS),
}

# Who the console is when no person is signed in: the local console without a gate, and the
# command line (whoever runs it holds the database already). Both are admins.
OPERATORS = ("local", "cli")


@dataclass(frozen=True)
class RoleGrant:
    """A role given to a person for one app (``app_ref``) or for every app (``ALL_APPS``)."""

    person: str
    app_ref: int
    role: str


def check_role(role: str) -> str:
    """The role's canonical name, or ValueError naming the roles there are."""
    name = role.strip().lower()
    if name not in ROLES:
        raise ValueError(f"{role!r} is not a role: use one of {', '.join(ROLES)}.")
    return name


def can(role: str | None, action: str) -> bool:
    """May someone with ``role`` do ``action``? Unknown roles and actions may do nothing."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return role is not None and action in PERMISSIONS.get(role, frozenset())


def effective_role(grants: list[RoleGrant], app_ref: int | None, default: str | None) -> str | None:
    """The role for ``app_ref``: the app's own grant, else the all-apps grant, else ``default``."""
    own = [g.role for g in grants if app_ref is not None and g.app_ref == app_ref]
    every = [g.role for g in grants if g.app_ref == ALL_APPS]
    return own[0] if own else every[0] if every else default


def needed_role(action: str) -> str:
    """The least role that may do ``action`` (for messages)."""
    return next(role for role in ROLES if action in PERMISSIONS[role])
