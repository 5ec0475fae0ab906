"""The sample endpoint's https: a certificate from a local CA the console creates, trusted for that
origin alone (the single fire and the burst client), never for another host or port."""

from __future__ import annotations

import asyncio
import os
import ssl
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from console.fire.burst import BurstPlan, Installation
from console.fire.burst_loop import fire_many
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from console.local_ca import ca_file_for, ensure_local_ca
from console.sandbox.sample_endpoint import SampleEndpoint

CTX = FireContext(params={"workspace": "acme"})
FAST = Timeouts(connect=1.0, total=3.0)


@pytest.fixture
def https_sample(tmp_path: Path) -> Iterator[SampleEndpoint]:
    endpoint = SampleEndpoint().start()
    endpoint.serve_https(tmp_path)
    yield endpoint
    endpoint.stop()


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def same_ca_other_port(tmp_path: Path, https_sample: SampleEndpoint) -> Iterator[str]:
    """Another https server on loopback with a certificate from the very same local CA."""
    ca = ensure_local_ca(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.socket = ca.server_context().wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_local_ca_is_created_once_with_private_keys(tmp_path: Path) -> None:
    first = ensure_local_ca(tmp_path)
    folder = first.ca_file.parent
    for key in (folder / "ca-key.pem", first.key_file):
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    before = first.ca_file.read_bytes()
    assert ensure_local_ca(tmp_path).ca_file.read_bytes() == before  # not re-created on the next start


def test_consoles_starting_at_once_create_one_ca(tmp_path: Path) -> None:
    """Several processes (a console, the CLI, test workers) starting together create the CA one at a time:
    while one holds the creation lock another waits, then finds the CA made and keeps it."""
    import fcntl
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from console.local_ca import ensure_local_ca; " \
           "ensure_local_ca(Path(sys.argv[1]))"
    with open(tmp_path / "local-ca.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another console is creating it
        waiting = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)])
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=3)
        assert not (tmp_path / "local-ca" / "ca.pem").exists()  # it waited instead of writing a second CA
        from console.local_ca import _create

        (tmp_path / "local-ca").mkdir(mode=0o700)
        _create(tmp_path / "local-ca")  # the holder's CA
        made = (tmp_path / "local-ca" / "ca.pem").read_bytes()
    assert waiting.wait(timeout=60) == 0
    ca = ensure_local_ca(tmp_path)
    assert ca.ca_file.read_bytes() == made  # the waiter kept the CA it found
    ca.server_context()  # the leaf's key matches its certificate
    from cryptography import x509

    leaf = x509.load_pem_x509_certificate(ca.cert_file.read_bytes())
    leaf.verify_directly_issued_by(x509.load_pem_x509_certificate(made))


def test_a_fire_at_the_https_sample_endpoint_is_ok_with_verified_tls(https_sample: SampleEndpoint,
                                                                     auth_request: dict) -> None:
    twin = https_sample.https
    assert twin is not None and twin.base_url.startswith("https://127.0.0.1:")
    result = fire_install_request(auth_request, CTX, url=twin.install_url("ok"), timeouts=FAST)
    assert (result.ok, result.status, result.category.value) == (True, 200, "ok"), result.message
    assert result.delivery is not None and result.delivery.status == "proven"
    assert https_sample.received()  # one endpoint, two schemes: the same logs


def test_the_local_ca_is_not_trusted_for_any_other_origin(https_sample: SampleEndpoint, same_ca_other_port: str,
                                                          auth_request: dict) -> None:
    twin = https_sample.https
    assert twin is not None
    assert ca_file_for(same_ca_other_port) is None
    assert ca_file_for(twin.base_url.replace("127.0.0.1", "localhost")) is None  # another host name
    assert ca_file_for(twin.base_url.replace("https", "http")) is None
    result = fire_install_request(auth_request, CTX, url=same_ca_other_port + "/install", timeouts=FAST)
    assert result.category.value == "tls" and not result.ok
    with pytest.raises(ssl.SSLError):  # nothing global: the default trust store does not know the CA
        import socket
        with socket.create_connection(("127.0.0.1", twin.port), timeout=2) as raw, \
                ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1"):
            pass


def _burst(url: str, request: dict) -> list[Any]:
    rows: list[Any] = []
    plan = BurstPlan(request, FireContext(params={"workspace": "w"}), url=url, timeouts=FAST)
    asyncio.run(fire_many(plan, [Installation(i, None, str(100 + i)) for i in range(3)], 2, rows.extend))
    return rows


def test_the_burst_client_trusts_the_sample_https_alone(https_sample: SampleEndpoint, same_ca_other_port: str,
                                                        auth_request: dict) -> None:
    twin = https_sample.https
    assert twin is not None
    ok = _burst(twin.install_url("ok"), auth_request)
    assert len(ok) == 3 and all(row[2] for row in ok), ok
    refused = _burst(same_ca_other_port + "/install", auth_request)
    assert len(refused) == 3 and not any(row[2] for row in refused)
    assert {row[4] for row in refused} == {"tls"}
