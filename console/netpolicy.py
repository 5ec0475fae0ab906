"""Which addresses the console may fire at.

Local mode fires anywhere (a developer's own localhost server is normal). Team mode blocks
internal addresses, decided on the resolved IP, with an allowlist.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class AddressPolicy:
    mode: str = "local"  # "local" | "team"
    allowlist: tuple[str, ...] = ()


@dataclass(frozen=True)
class AddressDecision:
    allowed: bool
    address: str
    reason: str = ""


def resolve_host(host: str, port: int) -> list[str]:
    """The IP addresses a host name resolves to, in the resolver's order (raises OSError)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def blocked_reason(address: str) -> str:
    """Why team mode refuses this IP address, or '' when it is a public address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"an IPv4-mapped IPv6 address (it reaches {ip.ipv4_mapped})"
    if ip == ipaddress.ip_address("169.254.169.254"):
        return "the cloud metadata address"
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_link_local:
        return "a link-local address"
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fc00::/7"):
        return "a unique-local address (a private IPv6 network)"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private or ip.is_reserved or not ip.is_global:
        return "a private or reserved address (an internal network)"
    return ""


def _allowlisted(host: str, address: str, allowlist: Iterable[str]) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    for entry in allowlist:
        if entry == host.lower():
            return True
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def check_addresses(host: str, addresses: list[str], policy: AddressPolicy) -> AddressDecision:
    """Allowed when every resolved address passes; the first address is the one to connect to."""
    if policy.mode != "team":
        return AddressDecision(True, addresses[0])
    for address in addresses:
        reason = blocked_reason(address)
        if reason and not _allowlisted(host, address, policy.allowlist):
            return AddressDecision(
                False, address,
                f"{host} resolves to {address}, {reason}. Team mode (CONSOLE_MODE=team) does not fire at "
                "internal addresses. Fire at a public address, or add the host to CONSOLE_ALLOWED_HOSTS.",
            )
    return AddressDecision(True, addresses[0])
