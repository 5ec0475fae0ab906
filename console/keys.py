"""App Key generation, masking and fingerprints.

An App Key is a secret: it is shown masked and stored only as a fingerprint.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_BYTES = 32  # 64 hex characters, the length of ManyChat-style tokens
FINGERPRINT_PREFIX = "fp_"


def generate_app_key() -> str:
    """A fresh, strong random App Key (64 lowercase hex characters)."""
    return secrets.token_hex(KEY_BYTES)


def mask_key(key: str) -> str:
    """The key with all but its first and last four characters hidden."""
    if len(key) <= 12:
        return "•" * len(key)
    return f"{key[:4]}{'•' * 8}{key[-4:]}"


def fingerprint(value: str) -> str:
    """A short, stable, one-way identifier of a key (safe to store and show)."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return FINGERPRINT_PREFIX + digest[:16]


def redact(text: str, key: str) -> str:
    """``text`` with every occurrence of ``key`` replaced by its masked form."""
    if not key:
        return text
    return text.replace(key, mask_key(key))
