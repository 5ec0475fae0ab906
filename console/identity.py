"""Who may sign in how: OpenID Connect configured (Streamlit's ``[auth]`` in .streamlit/secrets.toml),
the shared token switched on or off, and the rule that a name typed with the shared token is never an
invited person's name. Used by console.team's sign-in and by the OIDC sign-in."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from console.store import Store


def secrets_files() -> list[Path]:
    """Where Streamlit reads secrets: the user's ~/.streamlit and the working directory's .streamlit."""
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def oidc_configured(paths: list[Path] | None = None) -> bool:
    """Is sign-in through an identity provider configured (an ``[auth]`` with redirect_uri, cookie_secret and a
    provider's server_metadata_url)? CONSOLE_OIDC=off switches the check off."""
    if os.environ.get("CONSOLE_OIDC", "").strip().lower() == "off":
        return False
    for path in paths or secrets_files():
        try:
            auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        if isinstance(auth, dict) and auth.get("redirect_uri") and auth.get("cookie_secret") and (
                auth.get("server_metadata_url") or any(isinstance(v, dict) and v.get("server_metadata_url")
                                                       for v in auth.values())):
            return True
    return False


def shared_token_allowed(store: Store) -> bool:
    """The shared token signs people in unless an admin switched it off (`team shared off`)."""
    return bool(store.settings.get("shared_token", True))


def shared_name_refusal(store: Store, name: str) -> str | None:
    """A name typed with the shared token may not be an invited person's (any case, active or revoked)."""
    wanted = name.strip().casefold()
    if any(p.name.casefold() == wanted for p in store.people.all()):
        return (f"{name.strip()!r} is the name of an invited person: sign in with your personal token or your "
                "company account, or give another name with the shared token.")
    return None
