"""The profile of an app being configured: name, ManyChat app_id, version, dev or public."""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("dev", "public")
APP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


@dataclass(frozen=True)
class AppProfile:
    name: str
    app_id: str
    version: str = "1.0"
    kind: str = "dev"


def file_slug(name: str) -> str:
    """A file-name-safe form of an app's name (for downloads)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "app"


def check_profile(profile: AppProfile) -> list[str]:
    """What is wrong with a profile, one sentence each naming the field; empty when fine."""
    problems = []
    if not profile.name.strip():
        problems.append("Name: enter a name for the app.")
    elif len(profile.name.strip()) > 80:
        problems.append("Name: keep it to 80 characters.")
    if not APP_ID.match(profile.app_id.strip()):
        problems.append("App ID: use 1-64 letters, digits, '-' or '_' (the ID ManyChat shows for your app).")
    if not VERSION.match(profile.version.strip()) or len(profile.version.strip()) > 20:
        problems.append("Version: use numbers like 1, 1.2 or 1.2.3.")
    if profile.kind not in KINDS:
        problems.append("Kind: choose 'dev' or 'public'.")
    return problems
