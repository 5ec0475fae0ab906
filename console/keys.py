"""App Key generation, masking, fingerprints and redaction.

An App Key is a secret: it is shown masked and stored only as a fingerprint. ``redact``
hides every form the key takes on the wire: raw, JSON-escaped, URL-encoded and base64
(standard and URL-safe, alone or inside a longer base64 text).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from functools import lru_cache
from urllib.parse import quote, quote_plus

KEY_BYTES = 32  # 64 hex characters, the length of ManyChat-style tokens
FINGERPRINT_PREFIX = "fp_"
MIN_EMBEDDED_BASE64 = 12  # shorter cores would match unrelated base64 text


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


def _base64_cores(raw: bytes) -> set[str]:
    """The part of base64(prefix + key + suffix) that depends only on the key, for each alignment."""
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = 4 if offset else 0
        end = len(encoded) if (offset + len(raw)) % 3 == 0 else len(encoded) - 4
        core = encoded[start:end]
        if offset == 0:
            cores.add(encoded.rstrip("="))
        if len(core) >= MIN_EMBEDDED_BASE64:
            cores.add(core)
    return cores | {c.replace("+", "-").replace("/", "_") for c in cores}


@lru_cache(maxsize=64)
def wire_forms(key: str) -> tuple[str, ...]:
    """Every spelling of ``key`` that may appear in a request or a response, longest first."""
    if not key:
        return ()
    forms = {key, json.dumps(key)[1:-1], json.dumps(key, ensure_ascii=False)[1:-1],
             quote(key, safe=""), quote(key), quote_plus(key), quote_plus(quote(key, safe=""))}
    forms |= _base64_cores(key.encode("utf-8"))
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


@lru_cache(maxsize=64)
def _pattern(key: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(form) for form in wire_forms(key)), re.IGNORECASE)


def redact(text: str, key: str) -> str:
    """``text`` with every wire form of ``key`` replaced by the key's masked form."""
    if not key or not text:
        return text
    masked = mask_key(key)
    return _pattern(key).sub(lambda _: masked, text)  # a function: the mask is not a template


def holds_key(text: str, key: str) -> bool:
    """True when ``text`` holds the key in any of its wire forms."""
    return bool(key) and bool(text) and _pattern(key).search(text) is not None
