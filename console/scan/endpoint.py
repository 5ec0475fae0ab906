"""The endpoint security scan for a listing: TLS version, certificate chain and expiry, HSTS, plain http.

It talks to the install endpoint's host only, sends no App Key (a bare ``GET`` of the URL's path), obeys
team mode's address rules (the address is checked, then pinned), and bounds every step by a deadline.
Each item carries its proof: what was negotiated, which certificate, which header, which answer.
"""

from __future__ import annotations

import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from console.netpolicy import AddressPolicy, check_addresses, resolve_host
from console.readiness import CONFIGURED, FAIL, NOT_RUN, PASS, REVIEW, ChecklistItem, Evidence

EXPIRY_WARNING_DAYS = 30
MAX_HEAD = 64 * 1024
USER_AGENT = "AppKeyConsole-scan/1 (no App Key is sent)"
MODERN = ("TLSv1.2", "TLSv1.3")
TITLES = {
    "scan.tls_version": "The endpoint speaks TLS 1.2 or newer",
    "scan.certificate": "The certificate chain is valid and trusted",
    "scan.expiry": f"The certificate is valid for {EXPIRY_WARNING_DAYS} days or more",
    "scan.hsts": "The endpoint sends Strict-Transport-Security",
    "scan.plain_http": "Plain http on the same host is redirected or refused",
}
REQUIRED = {"scan.tls_version", "scan.certificate", "scan.plain_http"}  # with --for-listing


@dataclass(frozen=True)
class ScanItem:
    id: str
    status: str  # readiness statuses: pass, fail, review, not_run
    why: str
    proof: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.id]


@dataclass(frozen=True)
class EndpointScan:
    url: str
    address: str | None
    items: tuple[ScanItem, ...]
    scanned_at: datetime

    def checklist(self, for_listing: bool) -> list[ChecklistItem]:
        """The scan as checklist items (required under --for-listing: TLS version, chain, plain http)."""
        return [ChecklistItem(i.id, CONFIGURED, i.title, i.status, for_listing and i.id in REQUIRED, i.why,
                              (Evidence("scan", self.url, f"scan of {self.url}: {i.proof or i.why}"[:300],
                                        self.scanned_at),)) for i in self.items]


def _all(status: str, why: str) -> tuple[ScanItem, ...]:
    return tuple(ScanItem(check_id, status, why) for check_id in TITLES)


def _probe_context() -> ssl.SSLContext:
    """Accepts any certificate and any TLS version, to learn what the server speaks."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    try:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    return context


def default_trust() -> ssl.SSLContext:
    """The trust the fires use (requests' CA bundle, certifi)."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _connect(address: str, port: int, deadline: float) -> socket.socket:
    remaining = max(0.05, deadline - time.monotonic())
    sock = socket.create_connection((address, port), timeout=remaining)
    sock.settimeout(remaining)
    return sock


def _tls(address: str, host: str, port: int, context: ssl.SSLContext, deadline: float) -> ssl.SSLSocket:
    sock = _connect(address, port, deadline)
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def _http_get(sock: socket.socket, host_header: str, path: str, deadline: float) -> tuple[int, dict[str, str]]:
    """A bare GET (no key, no body); the status and the headers (lower-case names; a repeated one: the first)."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n" \
              "Connection: close\r\n\r\n"
    sock.sendall(request.encode("ascii", "replace"))
    data = b""
    while b"\r\n\r\n" not in data and len(data) < MAX_HEAD:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP answer: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), value.strip())
    return int(parts[1]), headers


def _not_after(der: bytes | None, peer: dict[str, object] | None) -> datetime | None:
    if peer and isinstance(peer.get("notAfter"), str):
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(str(peer["notAfter"])), UTC)
    if not der:
        return None
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        return x509.load_der_x509_certificate(der).not_valid_after_utc
    except ValueError:
        return None


def _version_item(version: str | None, cipher: str) -> ScanItem:
    proof = f"negotiated {version} ({cipher}) offering TLS 1.0 to 1.3"
    if version in MODERN:
        return ScanItem("scan.tls_version", PASS, f"The endpoint negotiates {version}.", proof)
    return ScanItem("scan.tls_version", FAIL, f"The best the endpoint speaks is {version}: the App Key deserves TLS "
                    "1.2 or newer. Enable TLS 1.2 and 1.3 on the server (and turn older versions off).", proof)


def _chain_items(verify_error: str | None, not_after: datetime | None, now: datetime,
                 subject: str) -> list[ScanItem]:
    if verify_error is None:
        chain = ScanItem("scan.certificate", PASS, "The chain verifies against the trusted CAs and names this host.",
                         subject)
    else:
        chain = ScanItem("scan.certificate", FAIL, f"The certificate does not verify: {verify_error}. ManyChat "
                         "would not deliver the key to it. Install a certificate from a public CA for this host "
                         "with its full chain.", subject or verify_error)
    if not_after is None:
        return [chain, ScanItem("scan.expiry", NOT_RUN, "The certificate's expiry date could not be read.")]
    days = (not_after - now).total_seconds() / 86400
    shown = f"valid until {not_after:%Y-%m-%d %H:%M} UTC"
    if days < 0:
        expiry = ScanItem("scan.expiry", FAIL, f"The certificate expired {-days:.0f} day(s) ago ({shown}).", shown)
    elif days < EXPIRY_WARNING_DAYS:
        expiry = ScanItem("scan.expiry", REVIEW, f"The certificate expires in {days:.0f} day(s) ({shown}): renew "
                          f"it (a warning under {EXPIRY_WARNING_DAYS} days).", shown)
    else:
        expiry = ScanItem("scan.expiry", PASS, f"The certificate is {shown}, {days:.0f} days from now.", shown)
    return [chain, expiry]


def _hsts_item(status: int, headers: dict[str, str]) -> ScanItem:
    value = headers.get("strict-transport-security")
    proof = f"GET → HTTP {status}; Strict-Transport-Security: {value}" if value else f"GET → HTTP {status}; no " \
        "Strict-Transport-Security header"
    max_age = next((p.split("=", 1)[1].strip().strip('"') for p in (value or "").split(";")
                    if p.strip().lower().startswith("max-age=")), "")
    if max_age.isdigit() and int(max_age) > 0:
        return ScanItem("scan.hsts", PASS, f"The endpoint sends Strict-Transport-Security (max-age={max_age}).", proof)
    return ScanItem("scan.hsts", FAIL, "No Strict-Transport-Security header with a positive max-age: browsers may "
                    "try plain http first. Send e.g. 'Strict-Transport-Security: max-age=31536000'.", proof)


def _plain_item(address: str, host: str, port: int, path: str, deadline: float) -> ScanItem:
    where = f"http://{host}{'' if port == 80 else f':{port}'}{path}"
    try:
        with _connect(address, port, deadline) as sock:
            status, headers = _http_get(sock, host if port == 80 else f"{host}:{port}", path, deadline)
    except (ConnectionRefusedError, TimeoutError) as exc:
        word = "refused" if isinstance(exc, ConnectionRefusedError) else "not answered within the deadline"
        return ScanItem("scan.plain_http", PASS, f"Plain http ({where}) is {word}: the key cannot travel in clear.",
                        f"{where}: connection {word}")
    except (OSError, ValueError) as exc:
        return ScanItem("scan.plain_http", PASS, f"Plain http ({where}) is not served ({exc}).", f"{where}: {exc}")
    location = headers.get("location", "")
    proof = f"{where} → HTTP {status}" + (f", Location: {location}" if location else "")
    if status in (301, 302, 303, 307, 308) and location.lower().startswith("https://"):
        return ScanItem("scan.plain_http", PASS, f"Plain http is redirected to https ({location[:200]}).", proof)
    return ScanItem("scan.plain_http", FAIL, f"Plain http is served ({where} answered HTTP {status}"
                    + (f", redirecting to {location[:200]}" if location else "") + "): a request sent there by "
                    "mistake carries the key in clear. Redirect http to https, or close port 80.", proof)


def _verify(address: str, host: str, port: int, trust: ssl.SSLContext,
            deadline: float) -> tuple[dict[str, object] | None, str | None]:
    """The verified certificate, or why the chain does not verify."""
    try:
        with _tls(address, host, port, trust, deadline) as tls:
            return dict(tls.getpeercert() or {}), None
    except ssl.SSLCertVerificationError as exc:
        return None, str(exc.verify_message or exc)
    except (OSError, ssl.SSLError) as exc:
        return None, f"the verified handshake failed ({exc})"


def _subject(peer: dict[str, object] | None) -> str:
    rdns = peer.get("subject", ()) if peer else ()
    names = [f"{pair[0]}={pair[1]}" for rdn in rdns if isinstance(rdn, tuple) for pair in rdn
             if isinstance(pair, tuple) and len(pair) == 2] if isinstance(rdns, tuple) else []
    issuer = peer.get("issuer", ()) if peer else ()
    issuers = [f"{pair[0]}={pair[1]}" for rdn in issuer if isinstance(rdn, tuple) for pair in rdn
               if isinstance(pair, tuple) and len(pair) == 2] if isinstance(issuer, tuple) else []
    return (f"subject {', '.join(names)}; issuer {', '.join(issuers)}") if names or issuers else ""


def _http_get_tls(address: str, host: str, port: int, host_header: str, path: str,
                  deadline: float) -> tuple[int, dict[str, str]]:
    with _tls(address, host, port, _probe_context(), deadline) as tls:
        return _http_get(tls, host_header, path, deadline)


def scan_endpoint(url: str, *, policy: AddressPolicy, timeout: float = 5.0, http_port: int = 80,
                  trust: ssl.SSLContext | None = None, now: datetime | None = None) -> EndpointScan:
    """Scan the host of an https install URL. ``trust``: the CAs to verify against (default: certifi's)."""
    now = now or datetime.now(UTC)
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        return EndpointScan(url, None, _all(NOT_RUN, "The scan needs an https:// install URL."), now)
    host, port, path = parts.hostname, parts.port or 443, parts.path or "/"
    deadline = time.monotonic() + timeout
    try:
        addresses = resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        return EndpointScan(url, None, _all(NOT_RUN, f"{host} does not resolve ({exc})."), now)
    decision = check_addresses(host, addresses, policy, port=port)
    if not decision.allowed:
        return EndpointScan(url, decision.address, _all(NOT_RUN, decision.reason), now)
    address = decision.address
    try:
        with _tls(address, host, port, _probe_context(), deadline) as probe:
            version, cipher, der = probe.version(), (probe.cipher() or ("?",))[0], probe.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as exc:
        return EndpointScan(url, address, _all(FAIL if isinstance(exc, ssl.SSLError) else NOT_RUN,
                                               f"No TLS connection to {host}:{port}: {exc}."), now)
    items = [_version_item(version, cipher)]
    peer, verify_error = _verify(address, host, port, trust or default_trust(), deadline)
    items += _chain_items(verify_error, _not_after(der, peer), now, _subject(peer))
    try:  # a bare GET over TLS (no key); with an untrusted certificate it still tells what the server sends
        http = _http_get_tls(address, host, port, parts.netloc.rpartition("@")[2], path, deadline)
        items.append(_hsts_item(*http))
    except (OSError, ssl.SSLError, ValueError) as exc:
        items.append(ScanItem("scan.hsts", NOT_RUN, f"No HTTP answer over TLS ({exc})."))
    items.append(_plain_item(address, host, http_port, path, time.monotonic() + timeout))  # its own deadline
    order = list(TITLES)
    return EndpointScan(url, address, tuple(sorted(items, key=lambda i: order.index(i.id))), now)
