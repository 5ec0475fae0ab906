"""One App Key per installation per burst run, the same when a request is resent after an interruption.

A run has a random 32-byte secret; installation ``seq`` gets the key HMAC-SHA256(secret, "app-key:<seq>")
(64 hex characters, like a fresh key). The key itself is never stored (only its fingerprint). The
secret is stored in the run's row sealed with AES-GCM (the run id as associated data) under the
console's secret key, which lives outside the database (``CONSOLE_SECRET_KEY``, or a key file made
once, readable only by its owner, under ``.console/``); it is deleted from the row when the run is done.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SECRET_BYTES = 32
KEY_FILE = Path(".console") / "secret.key"
ENV = "CONSOLE_SECRET_KEY"


class RunSecretError(ValueError):
    """The run's sealed secret cannot be opened here; the message says why and what to do."""


def new_run_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _console_key() -> bytes:
    """The console's secret key: CONSOLE_SECRET_KEY (base64 of 32 bytes), else the key file (made once)."""
    given = os.environ.get(ENV, "").strip()
    if given:
        try:
            key = base64.urlsafe_b64decode(given + "=" * (-len(given) % 4))
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != SECRET_BYTES:
            raise RunSecretError(f"{ENV} must be the base64 of 32 random bytes (python -c \"import base64, os; "
                                 "print(base64.urlsafe_b64encode(os.urandom(32)).decode())\").")
        return key
    path = Path.cwd() / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(SECRET_BYTES))
        try:  # appears whole or not at all: another process never reads a half-written key
            with contextlib.suppress(FileExistsError):  # another process made it first: read theirs
                os.link(draft, path)
        finally:
            draft.unlink()
    data = path.read_bytes()
    if len(data) != SECRET_BYTES:
        raise RunSecretError(f"The console's key file {path} is damaged (it must hold 32 bytes).")
    return data


def seal(secret: bytes, run_id: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_console_key()).encrypt(nonce, secret, run_id.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, run_id: str) -> bytes:
    try:
        data = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(_console_key()).decrypt(data[:12], data[12:], run_id.encode())
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise RunSecretError(
            f"The key secret of burst run {run_id} cannot be opened with this console's secret key (another "
            f"machine's {KEY_FILE}, or another {ENV}): resume the run where it started, or start a new run.") from exc
