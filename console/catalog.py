"""The ManyChat Public API endpoints (the scopes an app may ask for), as data.

Source: ../shared/reference/manychat.md. Plain data plus lookups; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

API_BASE = "https://api.manychat.com"

GROUP_TITLES = {
    "page": "Page (bot) settings",
    "sending": "Sending messages",
    "subscriber": "Subscribers",
}


@dataclass(frozen=True)
class Scope:
    """One Public API endpoint an app can be granted."""

    path: str
    method: str
    description: str
    rps: int
    installer_text: str

    @property
    def group(self) -> str:
        return self.path.split("/")[2]

    @property
    def is_write(self) -> bool:
        return self.method == "POST"

    @property
    def access(self) -> str:
        return "write" if self.is_write else "read"

    @property
    def is_sending(self) -> bool:
        return self.group == "sending"

    @property
    def creates_subscribers(self) -> bool:
        return self.path == "/fb/subscriber/createSubscriber"

    @property
    def needs_attention(self) -> bool:
        """Write and sending scopes deserve an installer's attention."""
        return self.is_write or self.is_sending


def _s(path: str, method: str, description: str, rps: int, installer_text: str) -> Scope:
    return Scope(path, method, description, rps, installer_text)


SCOPES: tuple[Scope, ...] = (
    _s("/fb/page/getInfo", "GET", "page (bot) information", 100, "read your bot's name and settings"),
    _s("/fb/page/getTags", "GET", "list tags", 100, "see your tags"),
    _s("/fb/page/createTag", "POST", "create a tag", 10, "create new tags"),
    _s("/fb/page/removeTag", "POST", "delete a tag everywhere", 10,
       "delete tags from your bot and from every subscriber"),
    _s("/fb/page/removeTagByName", "POST", "delete a tag by name", 10,
       "delete tags by name from your bot and from every subscriber"),
    _s("/fb/page/getWidgets", "GET", "list widgets (legacy growth tools)", 100,
       "see your widgets (legacy growth tools)"),
    _s("/fb/page/getGrowthTools", "GET", "list growth tools", 100, "see your growth tools"),
    _s("/fb/page/getFlows", "GET", "list flows and folders", 10, "see your flows and folders"),
    _s("/fb/page/getCustomFields", "GET", "list user custom fields", 100, "see your user custom fields"),
    _s("/fb/page/createCustomField", "POST", "create a user custom field", 10,
       "create new user custom fields"),
    _s("/fb/page/getBotFields", "GET", "list bot fields", 100, "see your bot fields"),
    _s("/fb/page/createBotField", "POST", "create a bot field", 10, "create new bot fields"),
    _s("/fb/page/setBotField", "POST", "set a bot field by id", 10, "change the values of your bot fields"),
    _s("/fb/page/setBotFieldByName", "POST", "set a bot field by name", 10,
       "change the values of your bot fields (by name)"),
    _s("/fb/page/setBotFields", "POST", "set up to 20 bot fields", 10,
       "change up to 20 bot field values at once"),
    _s("/fb/page/getOtnTopics", "GET", "list one-time-notification topics", 100,
       "see your one-time-notification topics"),
    _s("/fb/sending/sendContent", "POST", "send messages to a subscriber", 25,
       "send messages to your subscribers"),
    _s("/fb/sending/sendContentByUserRef", "POST", "send messages by user_ref", 25,
       "send messages to people by their user_ref"),
    _s("/fb/sending/sendFlow", "POST", "start a flow for a subscriber", 20,
       "start your flows for your subscribers"),
    _s("/fb/subscriber/getInfo", "GET", "subscriber by id", 10, "read a subscriber's profile"),
    _s("/fb/subscriber/findByName", "GET", "search subscribers by name (max 100)", 10,
       "search your subscribers by name"),
    _s("/fb/subscriber/getInfoByUserRef", "GET", "subscriber by user_ref", 10,
       "read a subscriber's profile by user_ref"),
    _s("/fb/subscriber/findByCustomField", "GET", "search by custom field (max 100)", 10,
       "search your subscribers by custom field"),
    _s("/fb/subscriber/findBySystemField", "GET", "search by email or phone", 50,
       "search your subscribers by email or phone"),
    _s("/fb/subscriber/addTag", "POST", "tag a subscriber by tag id", 10, "tag subscribers"),
    _s("/fb/subscriber/addTagByName", "POST", "tag a subscriber by tag name", 10, "tag subscribers (by name)"),
    _s("/fb/subscriber/removeTag", "POST", "untag by tag id", 10, "remove tags from subscribers"),
    _s("/fb/subscriber/removeTagByName", "POST", "untag by tag name", 10,
       "remove tags from subscribers (by name)"),
    _s("/fb/subscriber/setCustomField", "POST", "set one custom field by id", 10,
       "change subscribers' custom field values"),
    _s("/fb/subscriber/setCustomFields", "POST", "set up to 20 custom fields", 10,
       "change up to 20 custom field values of a subscriber at once"),
    _s("/fb/subscriber/setCustomFieldByName", "POST", "set one custom field by name", 10,
       "change subscribers' custom field values (by name)"),
    _s("/fb/subscriber/verifyBySignedRequest", "POST", "verify a signed request", 10,
       "verify subscribers through signed requests"),
    _s("/fb/subscriber/createSubscriber", "POST",
       "create a subscriber (needs special permission for phone/email import)", 10,
       "create new subscribers in your bot"),
    _s("/fb/subscriber/updateSubscriber", "POST", "update a subscriber", 10,
       "change subscribers' profile data"),
)

_BY_PATH = {scope.path: scope for scope in SCOPES}


def get_scope(path: str) -> Scope | None:
    """The scope with this exact path, or None."""
    return _BY_PATH.get(path)


def unknown_scopes(paths: Iterable[str]) -> list[str]:
    """The paths that are not in the catalog, in their given order."""
    return [p for p in paths if p not in _BY_PATH]


def search_scopes(
    text: str = "", groups: Iterable[str] | None = None, access: Iterable[str] | None = None
) -> list[Scope]:
    """Scopes whose path or description contains ``text`` (case-insensitive), filtered."""
    needle = text.strip().lower()
    wanted_groups = set(groups) if groups else None
    wanted_access = set(access) if access else None
    found = []
    for scope in SCOPES:
        if needle and needle not in scope.path.lower() and needle not in scope.description.lower():
            continue
        if wanted_groups is not None and scope.group not in wanted_groups:
            continue
        if wanted_access is not None and scope.access not in wanted_access:
            continue
        found.append(scope)
    return found


def sort_paths(paths: Iterable[str]) -> list[str]:
    """Known paths in catalog order (unknown ones dropped, duplicates removed)."""
    chosen = set(paths)
    return [scope.path for scope in SCOPES if scope.path in chosen]


@dataclass(frozen=True)
class InstallerView:
    """What ManyChat will tell an installer this app may do."""

    lines: tuple[str, ...]
    cautions: tuple[str, ...]


def describe_for_installer(paths: Iterable[str]) -> InstallerView:
    """Plain words for the installer, grouped like the catalog, with cautions for writes and sending."""
    scopes = [_BY_PATH[p] for p in sort_paths(paths)]
    lines = []
    for group, title in GROUP_TITLES.items():
        in_group = [s for s in scopes if s.group == group]
        if in_group:
            lines.append(f"{title}: " + "; ".join(s.installer_text for s in in_group) + ".")
    cautions = []
    if any(s.is_sending for s in scopes):
        cautions.append("This app can SEND MESSAGES to your subscribers on your behalf.")
    if any(s.creates_subscribers for s in scopes):
        cautions.append("This app can CREATE SUBSCRIBERS in your bot.")
    writes = [s for s in scopes if s.is_write and not s.is_sending and not s.creates_subscribers]
    if writes:
        cautions.append(
            f"This app can CHANGE data in your bot ({len(writes)} write "
            f"permission{'s' if len(writes) != 1 else ''}), not only read it."
        )
    return InstallerView(tuple(lines), tuple(cautions))


def rescope_consequence(kind: str) -> str:
    """What happens to installations when the scopes of an app of this kind change."""
    if kind == "public":
        return (
            "Public app: save the new scopes in API Access and republish. ManyChat reviews the "
            "new version; once the review passes, the scopes are added and a NEW App Key is "
            "generated for EVERY installation, so your install endpoint receives the install "
            "request again for each one. Keep old keys until the new ones arrive."
        )
    return (
        "Dev app: the change applies immediately. New App Keys are issued for every "
        "installation right away and your install endpoint receives the install request again."
    )
