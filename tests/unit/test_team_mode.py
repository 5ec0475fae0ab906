"""Team mode: transition addresses blocked with an injected resolver (no traffic to any
non-loopback address, ever), the console's own sample endpoint allowed, nothing else on loopback."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

from console.config import ConfigError, console_mode, sample_port
from console.fire.prepare import FireContext
from console.fire.send import Timeouts, fire_install_request
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import SampleEndpoint
from tests import hostile

CTX = FireContext(params={"workspace": "a"})
TEAM = AddressPolicy("team")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every address a socket of this process connects to; a non-loopback one fails the test at once."""
    seen: list[str] = []
    original = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        seen.append(host)
        if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            raise AssertionError(f"traffic to a non-loopback address: {host}")
        original(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield seen


@pytest.mark.parametrize(("address", "embedded"), [
    ("2002:7f00:1::1", "127.0.0.1"),  # 6to4 of loopback
    ("2002:a00:1::1", "10.0.0.1"),  # 6to4 of a private network
    ("2002:a9fe:a9fe::1", "169.254.169.254"),  # 6to4 of the cloud metadata address
    ("2002:808:808::1", "8.8.8.8"),  # 6to4 of a public address: still a relay's decision
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1"),  # Teredo (client IPv4 obfuscated)
    ("64:ff9b::7f00:1", "127.0.0.1"),  # NAT64
    ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
    ("fec0::1", None),  # site-local
    ("::ffff:127.0.0.1", "127.0.0.1"),  # IPv4-mapped (held before, kept)
])
def test_transition_and_site_local_addresses_are_blocked(connections: list[str], auth_request: dict,
                                                         address: str, embedded: str | None) -> None:
    result = fire_install_request(auth_request, CTX, url="https://install.example.com/i", policy=TEAM,
                                  resolver=lambda host, port: [address], timeouts=Timeouts(1, 2))
    assert result.category == "blocked", result.message
    assert address in result.message and (embedded is None or embedded in result.message)
    assert connections == []


@pytest.mark.parametrize("spelling", ["127.0.0.1", "localhost", "127.1", "0x7f.1", "[::1]", "2130706433"])
def test_loopback_stays_blocked_in_team_mode(connections: list[str], auth_request: dict, spelling: str) -> None:
    with hostile.hostile(hostile.status(200)) as server:
        result = fire_install_request(auth_request, CTX, url=f"http://{spelling}:{server.port}/i", policy=TEAM,
                                      timeouts=Timeouts(1, 2))
        assert server.requests == []
    assert result.category in ("blocked", "dns"), result.message
    assert connections == []


def test_the_consoles_own_sample_endpoint_is_always_allowed(connections: list[str], auth_request: dict,
                                                            sample: SampleEndpoint) -> None:
    policy = AddressPolicy("team", own_endpoints=((sample.host, sample.port),))
    result = fire_install_request(auth_request, CTX, url=sample.install_url("ok"), policy=policy)
    assert result.category == "ok" and len(sample.received()) == 1
    with hostile.hostile(hostile.status(200)) as other:  # another server on loopback: still blocked
        blocked = fire_install_request(auth_request, CTX, url=f"http://127.0.0.1:{other.port}/install/ok",
                                       policy=policy, timeouts=Timeouts(1, 2))
        assert other.requests == []
    assert blocked.category == "blocked"
    assert set(connections) == {"127.0.0.1"}


@pytest.mark.parametrize("value", ["teams", "strict", "production", "team,", "TEAM MODE"])
def test_unknown_modes_raise_naming_the_valid_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CONSOLE_MODE", value)
    with pytest.raises(ConfigError, match="local, team"):
        console_mode()


@pytest.mark.parametrize("value", ["team", " Team ", "local", ""])
def test_known_modes(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CONSOLE_MODE", value)
    assert console_mode() == (value.strip().lower() or "local")


@pytest.mark.parametrize("value", ["99999", "65536", "-1", "abc", "²", "8080x"])
def test_a_bad_sample_port_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CONSOLE_SAMPLE_PORT", value)
    with pytest.raises(ConfigError, match="CONSOLE_SAMPLE_PORT"):
        sample_port()
