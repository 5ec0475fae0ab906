"""What the first release's suite did not pin: header redaction, pinning over real HTTPS, p95 over
answered fires only, the retry step's two fires, the flaky series reset."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests.adapters
import trustme

from console import keys, service
from console.fire.prepare import FireContext
from console.fire.send import fire_install_request
from console.netpolicy import AddressPolicy
from console.outcome import Category, FireRecord
from console.readiness import ReadinessInput, evaluate_checklist
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, firing
from console.store import Store

CTX = FireContext(params={"workspace": "acme"})


class _HeaderEcho(BaseHTTPRequestHandler):
    """Answers 200 and echoes every request header value back as a response header (the key too)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        for index, (_, value) in enumerate(self.headers.items()):
            self.send_header(f"X-Echo-{index}", value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        return


def _serve(handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_a_key_echoed_in_response_headers_is_redacted(auth_request: dict) -> None:
    key = keys.generate_app_key()
    for port in _serve(_HeaderEcho):
        result = fire_install_request(auth_request, CTX, app_key=key, url=f"http://127.0.0.1:{port}/i")
        assert result.ok and result.response is not None
        values = [value for _, value in result.response.headers]
        assert keys.mask_key(key) in values  # the x-token-header came back, masked
        assert key not in repr(result.to_dict()) + repr(result.to_stored())


@pytest.fixture
def trusted_ca(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> trustme.CA:
    """A CA that the fire engine trusts for this test (as a public CA would be)."""
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(bundle))
    return ca


@pytest.mark.parametrize(("cert_for", "ok"), [("install.example.test", True), ("other.example.test", False)])
def test_team_mode_pins_the_checked_ip_over_real_https(trusted_ca: trustme.CA, auth_request: dict, cert_for: str,
                                                       ok: bool) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    trusted_ca.issue_cert(cert_for).configure_cert(context)
    resolved: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"]

    policy = AddressPolicy("team", ("install.example.test",))
    for port in _serve(_HeaderEcho, context):
        result = fire_install_request(auth_request, CTX, url=f"https://install.example.test:{port}/i",
                                      policy=policy, resolver=resolver)
        assert resolved == ["install.example.test"]  # resolved once, by the policy; the connection is pinned
        if ok:  # SNI and the certificate check used the host name while the socket went to the checked IP
            assert result.ok, result.message
        else:
            assert result.category is Category.TLS and "does not match" in result.message


T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _record(n: int, category: Category, ms: float, status: int | None = None, step: str | None = None) -> FireRecord:
    return FireRecord(n, 1, "a", "page", "endpoint", "https://e/x", "POST", category is Category.OK,
                      status if status is not None else (200 if category is Category.OK else None), category, ms,
                      "fp_x", "run" if step else None, step, T0 + timedelta(seconds=n))


def test_p95_leaves_out_fires_that_got_no_answer(demo_doc: dict) -> None:
    recent = [_record(1, Category.OK, 100.0), _record(2, Category.OK, 120.0),
              _record(3, Category.DNS, 0.0), _record(4, Category.BLOCKED, 0.0),
              _record(5, Category.CONNECT, 1.0), _record(6, Category.TLS, 53.0)]
    items = {i.id: i for i in evaluate_checklist(ReadinessInput(demo_doc, (), "endpoint", recent[::-1], []))}
    p95 = items["fire.p95"]
    assert "120 ms" in p95.why and "2 answered" in p95.why and "4 got no HTTP answer" in p95.why


@pytest.mark.parametrize(("retry", "status"), [
    ([Category.OK, Category.OK], "pass"),
    ([Category.OK, Category.HTTP_STATUS], "fail"),
    ([Category.OK], "fail"),  # one fire is not a retry
])
def test_the_retry_step_needs_two_fires_both_200(demo_doc: dict, retry: list[Category], status: str) -> None:
    fires = [_record(i, c, 50.0, 200 if c is Category.OK else 500, step="retry") for i, c in enumerate(retry)]
    items = {i.id: i for i in evaluate_checklist(ReadinessInput(demo_doc, (), "endpoint", [], fires))}
    assert items["conformance.retry"].status == status


def test_a_new_flaky_series_starts_counting_again(store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    app = apps.choose_sample_mode(store, app.id, "flaky", 1)
    policy = AddressPolicy()
    first = [firing.fire_for_app(store, app, sample.base_url, policy).result.status for _ in range(2)]
    app = apps.choose_sample_mode(store, app.id, "flaky", 2)  # the user picks K=2: a fresh series
    second = [firing.fire_for_app(store, app, sample.base_url, policy).result.status for _ in range(3)]
    assert first == [500, 200] and second == [500, 500, 200]
    with pytest.raises(service.ServiceError, match="Unknown sample mode"):
        apps.choose_sample_mode(store, app.id, "sometimes", None)


def test_a_tls_failure_has_one_cause_and_one_next_step(sample: SampleEndpoint, auth_request: dict) -> None:
    from console.diagnosis import diagnose

    plain = fire_install_request(auth_request, CTX, url=sample.install_url("ok").replace("http://", "https://"))
    verdict = diagnose(plain.category, plain.status, plain.message)
    assert plain.category is Category.TLS and "does not speak TLS" in plain.message
    assert "does not speak TLS" in verdict.title and "http://" in verdict.next_step
    assert "not trusted" not in verdict.title + verdict.explanation + verdict.next_step  # no second cause
    assert "self-signed" in diagnose("tls", None, "TLS verification failed: the certificate is self-signed.").title


def test_the_request_shows_every_header_as_sent_on_the_wire(sample: SampleEndpoint, auth_request: dict) -> None:
    key = keys.generate_app_key()
    result = fire_install_request(auth_request, CTX, app_key=key, url=sample.install_url("ok"))
    sent = dict(result.request.headers)
    assert {"Host", "User-Agent", "Accept-Encoding", "Content-Length", "x-token-header"} <= set(sent)
    assert sent["Host"] == f"127.0.0.1:{sample.port}" and sent["x-token-header"] == keys.mask_key(key)
    received = sample.received()[-1]["headers"]  # what the endpoint got: the same headers, nothing more
    assert set(received) == {name.lower() for name in sent}


def test_the_oversized_sample_mode_does_not_advise_firing_at_the_sample_endpoint(sample: SampleEndpoint,
                                                                               auth_request: dict) -> None:
    result = fire_install_request(auth_request, CTX, url=sample.install_url("oversized"))
    assert result.delivery is not None and result.delivery.status == "not_provable"
    assert "ok mode" in result.delivery.message and "Fire at the sample endpoint" not in result.delivery.message
