"""A local certificate authority for the built-in sample endpoint's https, trusted for it alone.

On first start the console creates a CA (key file 0600) under ``.console/local-ca/`` and issues
a certificate for 127.0.0.1 / localhost / ::1 from it. Nothing else trusts this CA: the fire
engines ask :func:`ca_file_for` for a URL, and it answers the CA file only when the URL's origin
is exactly the sample endpoint's https origin (scheme, host and port), never a global trust-store
change. Built with ``cryptography`` (a runtime dependency; trustme is for tests only).
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

CA_DIR_NAME = "local-ca"
CA_CERT, CA_KEY = "ca.pem", "ca-key.pem"
LEAF_CERT, LEAF_KEY = "sample-endpoint.pem", "sample-endpoint-key.pem"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
VALID_DAYS = 825

_trusted: dict[tuple[str, str, int], str] = {}  # (scheme, host, port) -> CA file
_lock = threading.Lock()


@dataclass(frozen=True)
class LocalCA:
    ca_file: Path
    cert_file: Path  # the sample endpoint's certificate (with the chain)
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context


def _write_private(path: Path, data: bytes) -> None:
    """Write a key file readable by its owner only (0600), created so, never widened afterwards."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def ensure_local_ca(base: Path) -> LocalCA:
    """The local CA and the sample endpoint's certificate under ``base``/local-ca, created on first use."""
    folder = base / CA_DIR_NAME
    ca = LocalCA(folder / CA_CERT, folder / LEAF_CERT, folder / LEAF_KEY)
    files = (ca.ca_file, ca.cert_file, ca.key_file, folder / CA_KEY)
    if all(p.is_file() for p in files):
        return ca
    base.mkdir(parents=True, exist_ok=True)
    with _lock, open(base / (CA_DIR_NAME + ".lock"), "a") as lock:  # one creator across threads and processes
        fcntl.flock(lock, fcntl.LOCK_EX)  # (two consoles starting at once must not mix two CAs' files)
        if all(p.is_file() for p in files):
            return ca
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        _create(folder)
    return ca


def _create(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "App Key Console local CA (sample endpoint only)")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=VALID_DAYS))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                     x509.IPAddress(ipaddress.ip_address("::1"))]
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sample endpoint")]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    private = serialization.PrivateFormat.PKCS8
    _write_private(folder / CA_KEY, ca_key.private_bytes(pem, private, serialization.NoEncryption()))
    _write_private(folder / LEAF_KEY, leaf_key.private_bytes(pem, private, serialization.NoEncryption()))
    (folder / CA_CERT).write_bytes(ca_cert.public_bytes(pem))
    (folder / LEAF_CERT).write_bytes(leaf.public_bytes(pem) + ca_cert.public_bytes(pem))


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not host or parts.username or parts.password:
        return None
    return ("https", host, port if port is not None else 443)


def trust_for_origin(origin_url: str, ca_file: Path) -> None:
    """Trust ``ca_file`` for exactly this https origin (scheme, host, port), in this process only."""
    origin = _origin(origin_url)
    if origin is None:
        raise ValueError(f"not an https origin: {origin_url!r}")
    with _lock:
        _trusted[origin] = str(ca_file)


def forget_origin(origin_url: str) -> None:
    origin = _origin(origin_url)
    with _lock:
        if origin is not None:
            _trusted.pop(origin, None)


def ca_file_for(url: str) -> str | None:
    """The local CA file when ``url`` is exactly a trusted sample endpoint's https origin, else None."""
    origin = _origin(url)
    if origin is None:
        return None
    with _lock:
        return _trusted.get(origin)


def ca_file_for_host(host: str, port: int) -> str | None:
    """The same, for a connection to ``host``:``port`` over TLS (the burst client)."""
    name = host.strip("[]").lower()
    with _lock:
        return _trusted.get(("https", name, port))


@lru_cache(maxsize=8)
def client_context(ca_file: str) -> ssl.SSLContext:
    """A client TLS context that trusts the local CA (and nothing else), hostname checked."""
    context = ssl.create_default_context(cafile=ca_file)
    context.set_alpn_protocols(["http/1.1"])
    return context
