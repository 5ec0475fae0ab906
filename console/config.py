"""Configuration from the environment (read when asked, never at import)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB_DIR = ".console"
DEFAULT_DB_FILE = "console.db"
MODES = ("local", "team")


class ConfigError(ValueError):
    """An environment variable holds a value the console cannot run with; the message names it and the fix."""


def database_url() -> str:
    """CONSOLE_DATABASE_URL, or a SQLite file under .console/ in the working folder."""
    url = os.environ.get("CONSOLE_DATABASE_URL", "").strip()
    if url:
        return url
    folder = Path.cwd() / DEFAULT_DB_DIR
    return f"sqlite:///{folder / DEFAULT_DB_FILE}"


def console_mode() -> str:
    """'local' (default: any address may be fired at) or 'team' (internal addresses blocked).

    Any other value raises ConfigError: a typo must not silently run a team console in local mode.
    """
    raw = os.environ.get("CONSOLE_MODE", "")
    mode = raw.strip().lower() or "local"
    if mode not in MODES:
        raise ConfigError(f"CONSOLE_MODE={raw!r} is not a mode the console knows; set it to one of "
                          f"{', '.join(MODES)} (or leave it unset for local).")
    return mode


def allowed_hosts() -> tuple[str, ...]:
    """CONSOLE_ALLOWED_HOSTS: comma-separated host names, IPs or CIDR ranges exempt in team mode."""
    raw = os.environ.get("CONSOLE_ALLOWED_HOSTS", "")
    return tuple(item.strip().lower() for item in raw.split(",") if item.strip())


def sample_port() -> int:
    """CONSOLE_SAMPLE_PORT for the built-in sample endpoint; 0 picks a free port."""
    raw = os.environ.get("CONSOLE_SAMPLE_PORT", "")
    text = raw.strip() or "0"
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and int(text) <= 65535):
        raise ConfigError(f"CONSOLE_SAMPLE_PORT={raw[:40]!r} is not a port; set it to a number from 1 to 65535 "
                          "(or 0, or leave it unset, for any free port).")
    return int(text)


def sandbox_port() -> int:
    """CONSOLE_SANDBOX_PORT for the local ManyChat API the pages start; 0 (default) picks a free port."""
    raw = os.environ.get("CONSOLE_SANDBOX_PORT", "")
    text = raw.strip() or "0"
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and int(text) <= 65535):
        raise ConfigError(f"CONSOLE_SANDBOX_PORT={raw[:40]!r} is not a port; set it to a number from 1 to 65535 "
                          "(or 0, or leave it unset, for any free port).")
    return int(text)


MIN_ACCESS_TOKEN = 12


def access_token() -> str:
    """CONSOLE_ACCESS_TOKEN: the team's shared token for the access gate ('' = no shared token)."""
    return os.environ.get("CONSOLE_ACCESS_TOKEN", "").strip()


MAX_TRUSTED_PROXIES = 10


def trusted_proxies() -> int:
    """CONSOLE_TRUSTED_PROXIES: how many reverse proxies in front of the console append their own
    X-Forwarded-For hop (0, the default: none; the gate counts the connection's own address)."""
    raw = os.environ.get("CONSOLE_TRUSTED_PROXIES", "")
    text = raw.strip() or "0"
    if not (text.isascii() and text.isdigit() and int(text) <= MAX_TRUSTED_PROXIES):
        raise ConfigError(f"CONSOLE_TRUSTED_PROXIES={raw[:40]!r} is not a number of proxies; set it to how many "
                          f"reverse proxies append an X-Forwarded-For hop in front of the console (0 to "
                          f"{MAX_TRUSTED_PROXIES}; 0 or unset when browsers connect to the console directly).")
    return int(text)


LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def listens_on_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this machine only (unset or empty: every interface)."""
    host = (address or "").strip().strip("[]").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def listen_anywhere() -> bool:
    """CONSOLE_LISTEN_ANYWHERE=1: the explicit choice to serve the console off loopback without a gate."""
    return os.environ.get("CONSOLE_LISTEN_ANYWHERE", "").strip().lower() in ("1", "true", "yes")


def listen_problem(address: str | None, gate_on: bool) -> str | None:
    """Why the console must not serve pages on ``address``: off loopback, with no gate and no explicit choice."""
    if listens_on_loopback(address) or gate_on or listen_anywhere():
        return None
    where = f"on {address}" if address and address.strip() else "on every interface"
    return (f"The console listens {where} with no access gate: anyone who can reach this machine could use it "
            "to fire at this machine's own loopback and local network. Listen on 127.0.0.1 (the default of "
            "`make run`), or turn the gate on (CONSOLE_ACCESS_TOKEN, or `python -m console team invite NAME`), "
            "or set CONSOLE_LISTEN_ANYWHERE=1 to serve it to the network anyway.")


def listen_notice(address: str | None, gate_on: bool) -> str | None:
    """What to state when the console is served beyond this machine (None on loopback)."""
    if listens_on_loopback(address):
        return None
    where = address.strip() if address and address.strip() else "every interface"
    why = "the access gate is on" if gate_on else "CONSOLE_LISTEN_ANYWHERE=1 was chosen, with no access gate"
    return f"Reachable from the network: the console listens on {where} ({why})."
