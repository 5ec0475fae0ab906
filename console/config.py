"""Configuration from the environment (read when asked, never at import)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB_DIR = ".console"
DEFAULT_DB_FILE = "console.db"


def database_url() -> str:
    """CONSOLE_DATABASE_URL, or a SQLite file under .console/ in the working folder."""
    url = os.environ.get("CONSOLE_DATABASE_URL", "").strip()
    if url:
        return url
    folder = Path.cwd() / DEFAULT_DB_DIR
    return f"sqlite:///{folder / DEFAULT_DB_FILE}"


def console_mode() -> str:
    """'local' (default: any address may be fired at) or 'team' (internal addresses blocked)."""
    mode = os.environ.get("CONSOLE_MODE", "local").strip().lower()
    return "team" if mode == "team" else "local"


def allowed_hosts() -> tuple[str, ...]:
    """CONSOLE_ALLOWED_HOSTS: comma-separated host names, IPs or CIDR ranges exempt in team mode."""
    raw = os.environ.get("CONSOLE_ALLOWED_HOSTS", "")
    return tuple(item.strip().lower() for item in raw.split(",") if item.strip())


def sample_port() -> int:
    """CONSOLE_SAMPLE_PORT for the built-in sample endpoint; 0 picks a free port."""
    raw = os.environ.get("CONSOLE_SAMPLE_PORT", "0").strip()
    return int(raw) if raw.isdigit() else 0


MIN_ACCESS_TOKEN = 12


def access_token() -> str:
    """CONSOLE_ACCESS_TOKEN: the team's shared token for the access gate ('' = no shared token)."""
    return os.environ.get("CONSOLE_ACCESS_TOKEN", "").strip()
