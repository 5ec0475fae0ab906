"""The endpoint security scan against loopback TLS servers with throwaway certificates (trustme): TLS 1.3,
a server limited to TLS 1.1, an expired and a self-signed certificate, with and without HSTS, and what plain
http on the same host does. The scan talks only to 127.0.0.1 here."""

from __future__ import annotations

import os
import socket
import ssl
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from console.netpolicy import AddressPolicy
from console.readiness import FAIL, NOT_RUN, PASS, REVIEW
from console.scan.endpoint import EndpointScan, scan_endpoint

LOCAL = AddressPolicy("local")
HSTS = "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"


class Server:
    """A loopback server answering each request with one canned HTTP response; it records what it got."""

    def __init__(self, response: bytes, context: ssl.SSLContext | None = None):
        self.response, self.context, self.requests = response, context, []  # type: list[bytes]
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            try:
                conn.settimeout(3)
                if self.context is not None:
                    conn = self.context.wrap_socket(conn, server_side=True)
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    self.requests.append(data)
                    conn.sendall(self.response)
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.sock.close()


def answer(status: str = "200 OK", headers: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\n{headers}Content-Length: 2\r\nConnection: close\r\n\r\nok".encode()


def tls_context(cert: trustme.LeafCert | None = None, *, ca: trustme.CA | None = None,
                max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if cert is not None:
        cert.configure_cert(context)
    elif ca is not None:  # the CA's own certificate: self-signed
        with tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False) as handle:
            handle.write(ca.cert_pem.bytes() + ca.private_key_pem.bytes())
        context.load_cert_chain(handle.name)
        os.unlink(handle.name)
    if max_version is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = max_version
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trust(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@contextmanager
def servers(tls: ssl.SSLContext, response: bytes, plain: bytes | None = None) -> Iterator[tuple[Server, Server | None]]:
    secure = Server(response, tls)
    insecure = Server(plain) if plain is not None else None
    try:
        yield secure, insecure
    finally:
        secure.stop()
        if insecure is not None:
            insecure.stop()


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


def by_id(scan: EndpointScan) -> dict[str, tuple[str, str, str]]:
    return {i.id: (i.status, i.why, i.proof) for i in scan.items}


def test_a_modern_endpoint_passes(ca: trustme.CA, trust: ssl.SSLContext) -> None:
    tls = tls_context(ca.issue_cert("127.0.0.1"))
    redirect = answer("301 Moved Permanently", "Location: https://127.0.0.1/install\r\n")
    with servers(tls, answer(headers=HSTS), redirect) as (secure, plain):
        assert plain is not None
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/install", policy=LOCAL, trust=trust,
                             http_port=plain.port)
    items = by_id(scan)
    assert items["scan.tls_version"][0] == PASS and "TLSv1.3" in items["scan.tls_version"][1]
    assert items["scan.certificate"][0] == PASS
    assert items["scan.expiry"][0] == PASS
    assert items["scan.hsts"][0] == PASS and "max-age=31536000" in items["scan.hsts"][2]
    assert items["scan.plain_http"][0] == PASS and "redirected to https" in items["scan.plain_http"][1]
    # the scan sends no key: a bare GET of the path, nothing else
    for request in secure.requests:
        head = request.decode("latin-1")
        assert head.startswith("GET /install HTTP/1.1\r\n")
        assert {line.split(":")[0].lower() for line in head.split("\r\n")[1:] if line} == \
            {"host", "user-agent", "accept", "connection"}


def test_no_hsts_and_plain_http_served(ca: trustme.CA, trust: ssl.SSLContext) -> None:
    with servers(tls_context(ca.issue_cert("127.0.0.1")), answer(), answer()) as (secure, plain):
        assert plain is not None
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/", policy=LOCAL, trust=trust, http_port=plain.port)
    items = by_id(scan)
    assert items["scan.hsts"][0] == FAIL and "no Strict-Transport-Security" in items["scan.hsts"][2]
    assert items["scan.plain_http"][0] == FAIL and "Plain http is served" in items["scan.plain_http"][1]
    checklist = {i.id: i for i in scan.checklist(for_listing=True)}
    assert checklist["scan.plain_http"].required and not checklist["scan.hsts"].required


def test_plain_http_refused_passes(ca: trustme.CA, trust: ssl.SSLContext) -> None:
    with servers(tls_context(ca.issue_cert("127.0.0.1")), answer(headers=HSTS)) as (secure, _):
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/", policy=LOCAL, trust=trust, http_port=closed_port())
    assert by_id(scan)["scan.plain_http"][:2] == (PASS, by_id(scan)["scan.plain_http"][1])
    assert "refused" in by_id(scan)["scan.plain_http"][1]


def test_expired_certificate(ca: trustme.CA, trust: ssl.SSLContext) -> None:
    now = datetime.now(UTC)
    expired = ca.issue_cert("127.0.0.1", not_before=now - timedelta(days=90), not_after=now - timedelta(days=3))
    with servers(tls_context(expired), answer(headers=HSTS)) as (secure, _):
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/", policy=LOCAL, trust=trust, http_port=closed_port())
    items = by_id(scan)
    assert items["scan.certificate"][0] == FAIL and "expired" in items["scan.certificate"][1]
    assert items["scan.expiry"][0] == FAIL and "expired 3 day(s) ago" in items["scan.expiry"][1]
    assert items["scan.hsts"][0] == PASS  # still read over the untrusted connection


def test_expiring_soon_is_a_warning(ca: trustme.CA, trust: ssl.SSLContext) -> None:
    now = datetime.now(UTC)
    soon = ca.issue_cert("127.0.0.1", not_before=now - timedelta(days=60), not_after=now + timedelta(days=10, hours=1))
    with servers(tls_context(soon), answer(headers=HSTS)) as (secure, _):
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/", policy=LOCAL, trust=trust, http_port=closed_port())
    status, why, _ = by_id(scan)["scan.expiry"]
    assert status == REVIEW and "expires in 10 day(s)" in why
    assert by_id(scan)["scan.certificate"][0] == PASS


def test_self_signed_certificate(trust: ssl.SSLContext) -> None:
    own = trustme.CA()  # its own certificate, signed by itself, trusted by nobody
    with servers(tls_context(ca=own), answer(headers=HSTS)) as (secure, _):
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/", policy=LOCAL, trust=trust, http_port=closed_port())
    status, why, _ = by_id(scan)["scan.certificate"]
    assert status == FAIL and "self-signed" in why
    assert by_id(scan)["scan.expiry"][0] == PASS  # the date is read even from an untrusted certificate


def tls_1_1_handshake(context: ssl.SSLContext) -> str | None:
    """Whether this machine's OpenSSL completes a TLS 1.1 handshake at all (None), or why not."""
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname, client.verify_mode = False, ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client.minimum_version = ssl.TLSVersion.TLSv1
    client.set_ciphers("DEFAULT:@SECLEVEL=0")
    server = Server(answer(), context)
    try:
        with client.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=3)) as tls:
            return None if tls.version() == "TLSv1.1" else f"negotiated {tls.version()}"
    except (OSError, ssl.SSLError) as exc:
        return str(exc)
    finally:
        server.stop()


def test_a_server_limited_to_tls_1_1_fails(ca: trustme.CA, trust: ssl.SSLContext) -> None:
    context = tls_context(ca.issue_cert("127.0.0.1"), max_version=ssl.TLSVersion.TLSv1_1)
    unable = tls_1_1_handshake(context)
    if unable is not None:
        reason = f"this OpenSSL ({ssl.OPENSSL_VERSION}) cannot speak TLS 1.1 even at SECLEVEL=0: {unable}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must install an OpenSSL build that allows it)")
        pytest.skip(reason)
    with servers(context, answer(headers=HSTS)) as (secure, _):
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/", policy=LOCAL, trust=trust, http_port=closed_port())
    status, why, proof = by_id(scan)["scan.tls_version"]
    assert status == FAIL and "TLSv1.1" in why and "TLS 1.2 or newer" in why and "negotiated TLSv1.1" in proof
    checklist = {i.id: i for i in scan.checklist(for_listing=True)}
    assert checklist["scan.tls_version"].required and checklist["scan.tls_version"].status == FAIL


def test_team_mode_blocks_loopback_and_connects_nowhere(ca: trustme.CA, trust: ssl.SSLContext) -> None:
    with servers(tls_context(ca.issue_cert("127.0.0.1")), answer(headers=HSTS)) as (secure, _):
        scan = scan_endpoint(f"https://127.0.0.1:{secure.port}/", policy=AddressPolicy("team"), trust=trust,
                             http_port=closed_port())
        assert secure.requests == []
    assert all(i.status == NOT_RUN and "Team mode" in i.why for i in scan.items)


def test_not_https_is_not_scanned() -> None:
    scan = scan_endpoint("http://127.0.0.1:9/install", policy=LOCAL)
    assert all(i.status == NOT_RUN and "https://" in i.why for i in scan.items)


def test_check_for_listing_adds_the_scan_with_proof(ca: trustme.CA, sqlite_url: str) -> None:
    import json

    from tests.unit.test_cli import DEMO, run

    with servers(tls_context(ca.issue_cert("127.0.0.1")), answer(headers=HSTS)) as (secure, _):
        url = f"https://127.0.0.1:{secure.port}/install"
        out = run("check", DEMO, "--for-listing", "--url", url, "--var", "workspace=a", "--timeout", "3", "--json",
                  env_db=sqlite_url)
    report = json.loads(out.stdout)
    items = {i["id"]: i for i in report["checklist"]}
    assert out.returncode == 1 and report["ready"] is False
    # trustme's CA is trusted by nobody but these tests: the chain fails, as it would for ManyChat
    assert items["scan.certificate"]["status"] == "fail" and items["scan.certificate"]["required"] is True
    assert items["scan.tls_version"]["status"] == "pass"
    assert items["scan.hsts"]["evidence"][0]["label"].startswith(f"scan of {url}: GET → HTTP 200; "
                                                                  "Strict-Transport-Security: max-age=31536000")


def test_a_server_that_never_speaks_tls_costs_only_the_deadline() -> None:
    import time

    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections (backlog), never answers
        start = time.monotonic()
        scan = scan_endpoint(f"https://127.0.0.1:{silent.getsockname()[1]}/", policy=LOCAL, timeout=1.0,
                             http_port=closed_port())
        elapsed = time.monotonic() - start
    assert elapsed < 3
    assert {i.status for i in scan.items} == {NOT_RUN} and "No TLS connection" in scan.items[0].why
