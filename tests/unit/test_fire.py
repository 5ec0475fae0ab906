"""Every outcome category reproduced for real on loopback; the key never leaks."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import trustme

from console import keys
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import SampleEndpoint

CTX = FireContext(params={"workspace": "acme"})
FAST = Timeouts(connect=1.0, total=1.5)


def _serve(handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def echo_url() -> Iterator[str]:
    yield from _serve(_Echo)


@pytest.fixture
def tls_url() -> Iterator[str]:
    ca = trustme.CA()  # a CA nobody trusts: the chain cannot be verified
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    yield from _serve(_Echo, context)


@pytest.mark.parametrize(("mode", "arg", "category", "status"), [
    ("ok", None, "ok", 200),
    ("201", None, "http_status", 201),
    ("500", None, "http_status", 500),
    ("401", None, "http_status", 401),
    ("redirect", None, "redirect", 302),
    ("oversized", None, "too_large", 200),
])
def test_sample_endpoint_modes(sample: SampleEndpoint, auth_request: dict, mode: str, arg: int | None,
                               category: str, status: int) -> None:
    result = fire_install_request(auth_request, CTX, url=sample.install_url(mode, arg), timeouts=FAST)
    assert (result.category, result.status, result.ok) == (category, status, category == "ok")
    assert result.message
    if mode == "redirect":
        assert result.location == "/install/ok"
    if mode == "oversized":
        assert result.response.truncated and len(result.response.body) == 64 * 1024


def test_success_proves_where_the_key_landed(sample: SampleEndpoint, auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url=sample.install_url("ok"))
    assert result.delivery.status == "proven"
    assert result.delivery.received == ("header x-token-header", "payload /app_token")
    assert "matches the key issued" in result.delivery.message


def test_delivery_mismatch_when_the_endpoint_gets_something_else(sample: SampleEndpoint, auth_request: dict) -> None:
    # A duplicate header line overrides the key: the endpoint receives "other" in x-token-header.
    auth_request["headers"] = ["Content-Type: application/json", "x-token-header: {{app_token}}",
                               "X-Token-Header: other"]
    result = fire_install_request(auth_request, CTX, url=sample.install_url("ok"))
    assert result.ok and result.delivery.status == "mismatch"
    assert "header x-token-header" in result.delivery.message
    assert result.delivery.received == ("payload /app_token",)


def test_flaky_fails_first_then_succeeds(sample: SampleEndpoint, auth_request: dict) -> None:
    url = sample.install_url("flaky", 2, series="t1")
    outcomes = [fire_install_request(auth_request, CTX, url=url).status for _ in range(3)]
    assert outcomes == [500, 500, 200]


def test_slow_responder_past_the_deadline_times_out(sample: SampleEndpoint, auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url=sample.install_url("slow", 3), timeouts=FAST)
    assert result.category == "timeout" and not result.ok
    assert 1400 <= result.elapsed_ms < 2900


def test_closed_port_is_connect(auth_request: dict) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fire_install_request(auth_request, CTX, url=f"http://127.0.0.1:{port}/install", timeouts=FAST)
    assert result.category == "connect" and "refused" in result.message


def test_unresolvable_name_is_dns(auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url="https://install.nothing.invalid/x", timeouts=FAST)
    assert result.category == "dns" and result.status is None


def test_untrusted_certificate_is_tls(tls_url: str, auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url=tls_url + "/install", timeouts=FAST)
    assert result.category == "tls" and ("not trusted" in result.message or "self-signed" in result.message)


@pytest.mark.parametrize(("url", "params", "needle"), [
    ("ftp://example.com/x", {"workspace": "a"}, "scheme must be http or https"),
    ("http:///nohost", {"workspace": "a"}, "no host"),
    (None, {"workspace": "evil\r\nX-Injected: 1"}, "line break"),
    (None, {}, "workspace"),
])
def test_invalid_requests_send_nothing(sample: SampleEndpoint, auth_request: dict, url: str | None,
                                       params: dict, needle: str) -> None:
    auth_request["headers"].append("x-workspace: [[workspace]]")
    result = fire_install_request(auth_request, FireContext(params=params), url=url or sample.install_url("ok"))
    assert result.category == "invalid_request" and needle in result.message
    assert sample.received() == []


def test_key_never_appears_in_plain_even_when_echoed(echo_url: str, auth_request: dict) -> None:
    key = keys.generate_app_key()
    result = fire_install_request(auth_request, CTX, app_key=key, url=echo_url + "/install")
    assert result.ok and result.key_fingerprint == keys.fingerprint(key)
    assert result.delivery.status == "proven" and result.delivery.received == ("echo",)
    dumped = json.dumps(result.to_dict()) + repr(result.timeline)
    assert key not in dumped and keys.mask_key(key) in dumped


def test_not_provable_without_echo(sample: SampleEndpoint, auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url=sample.install_url("oversized"))
    assert result.delivery.status == "not_provable"


# ---------------------------------------------------------------- team-mode address policy

TEAM = AddressPolicy("team")


def test_team_mode_blocks_loopback_and_sends_nothing(sample: SampleEndpoint, auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url=sample.install_url("ok"), policy=TEAM)
    assert result.category == "blocked" and "loopback" in result.message and "CONSOLE_ALLOWED_HOSTS" in result.message
    assert sample.received() == []


@pytest.mark.parametrize(("address", "reason"), [
    ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.5", "private"),
    ("169.254.169.254", "metadata"), ("169.254.10.1", "link-local"), ("fe80::1", "link-local"),
    ("fd12:3456::1", "unique-local"), ("::ffff:127.0.0.1", "IPv4-mapped"), ("::ffff:10.0.0.1", "IPv4-mapped"),
    ("::1", "loopback"), ("0.0.0.0", "unspecified"),
])
def test_team_mode_blocks_internal_ranges_without_traffic(auth_request: dict, address: str, reason: str) -> None:
    # The resolver answers without DNS; the policy refuses before any socket is opened.
    result = fire_install_request(auth_request, CTX, url="https://install.example.com/x", policy=TEAM,
                                  resolver=lambda host, port: [address])
    assert result.category == "blocked" and reason in result.message and address in result.message


def test_team_mode_blocks_when_any_resolved_address_is_internal(auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url="https://install.example.com/x", policy=TEAM,
                                  resolver=lambda host, port: ["93.184.215.14", "10.0.0.7"])
    assert result.category == "blocked" and "10.0.0.7" in result.message


def test_allowlisted_host_is_fired_at_the_pinned_address(sample: SampleEndpoint, auth_request: dict) -> None:
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    policy = AddressPolicy("team", ("install.example.test",))
    url = f"http://install.example.test:{sample.port}/install/ok"
    result = fire_install_request(auth_request, CTX, url=url, policy=policy, resolver=resolver)
    assert result.ok and calls == ["install.example.test"]  # resolved once, then pinned
    host_seen = sample.received()[-1]["headers"]["host"]
    assert host_seen == keys.fingerprint(f"install.example.test:{sample.port}")  # Host kept, IP pinned


def test_allowlist_by_cidr(sample: SampleEndpoint, auth_request: dict) -> None:
    policy = AddressPolicy("team", ("127.0.0.0/8",))
    assert fire_install_request(auth_request, CTX, url=sample.install_url("ok"), policy=policy).ok


def test_local_mode_fires_at_localhost(sample: SampleEndpoint, auth_request: dict) -> None:
    url = f"http://localhost:{sample.port}/install/ok"
    assert fire_install_request(auth_request, CTX, url=url).ok


def test_invalid_port_is_invalid_request(auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url="http://127.0.0.1:99999/x")
    assert result.category == "invalid_request" and "invalid port" in result.message
