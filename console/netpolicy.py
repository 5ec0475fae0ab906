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
    # The console's own built-in sample endpoint: (loopback address, port) pairs always allowed.
    own_endpoints: tuple[tuple[str, int], ...] = ()


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


SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
TEREDO = ipaddress.ip_network("2001::/32")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def blocked_reason(address: str) -> str:
    """Why team mode refuses this IP address, or '' when it is a public address.

    IPv6 transition addresses (IPv4-mapped, 6to4, Teredo, NAT64) carry an IPv4 address that
    a relay or translator, not the console, finally connects to; ManyChat's install requests
    go to ordinary addresses, so team mode refuses them all and names the IPv4 they embed.
    """
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            kind, inner = embedded
            inside = blocked_reason(str(inner)) if inner is not None else ""
            return f"{kind} (it reaches {inner}{', ' + inside if inside else ''})" if inner is not None else kind
        if ip in SITE_LOCAL:
            return "a site-local address (a deprecated private IPv6 network)"
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


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address | None] | None:
    """The transition mechanism of ``ip`` and the IPv4 address it embeds, or None for a plain IPv6 address."""
    if ip.ipv4_mapped is not None:
        return "an IPv4-mapped IPv6 address", ip.ipv4_mapped
    if ip in SIX_TO_FOUR:
        return "a 6to4 address", ip.sixtofour
    if ip in TEREDO:
        teredo = ip.teredo
        return "a Teredo tunnel address", None if teredo is None else teredo[1]
    for network in NAT64:
        if ip in network:
            return "a NAT64 address", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


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


def _own_endpoint(address: str, port: int | None, policy: AddressPolicy) -> bool:
    if port is None:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return any(ip == ipaddress.ip_address(own) and port == own_port for own, own_port in policy.own_endpoints)


def check_addresses(host: str, addresses: list[str], policy: AddressPolicy,
                    port: int | None = None) -> AddressDecision:
    """Allowed when every resolved address passes; the first address is the one to connect to.

    The console's own sample endpoint (exactly its address and port) is always allowed.
    """
    if policy.mode != "team":
        return AddressDecision(True, addresses[0])
    for address in addresses:
        try:
            reason = blocked_reason(address)
        except ValueError:
            reason = "not an IP address"
        if reason and not _own_endpoint(address, port, policy) and not _allowlisted(host, address, policy.allowlist):
            return AddressDecision(
                False, address,
                f"{host} resolves to {address}, {reason}. Team mode (CONSOLE_MODE=team) does not fire at "
                "internal addresses. Fire at a public address, or add the host to CONSOLE_ALLOWED_HOSTS.",
            )
    return AddressDecision(True, addresses[0])
