"""Who is on the other end of a request: the client's address and whether it came over HTTPS.

Behind a reverse proxy the peer of every request (REMOTE_ADDR) is the proxy, and the client's
own address is only in `X-Forwarded-For`, which anyone can also send. The header is believed
only when the peer is one of settings.TRUSTED_PROXIES, and then only as far as trusted
proxies wrote it: walking from the right, the first address that is not itself a trusted
proxy is the client. Entries to its left were written by the client and are ignored.
`X-Forwarded-Proto` is believed on the same terms. See docs/decisions/0027-client-address.md.

ClientAddressMiddleware (first in settings.MIDDLEWARE) works this out once per request;
everything else (rate limits, the audit, the payment gateway's vnp_IpAddr) asks client_ip().
"""

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR networks, e.g. "10.0.0.0/8", "::1"; ValueError for a malformed one."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_networks() -> tuple[Network, ...]:
    return _trusted(tuple(settings.TRUSTED_PROXIES))


def parse_address(value: str) -> Address | None:
    """One hop of X-Forwarded-For: an IPv4 or IPv6 address, with or without a port
    ("1.2.3.4:5678", "[2001:db8::1]:443"); None when it is anything else."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def resolve(meta: dict, networks: tuple[Network, ...]) -> tuple[str, bool | None]:
    """(client address, True/False for a trusted X-Forwarded-Proto of https/http, or None).

    An untrusted peer's headers are ignored. A malformed hop stops the walk: what lies to
    its left cannot be told apart from what the client made up, so the last trusted hop
    (the proxy that passed it on) stands for the client.
    """
    peer = meta.get("REMOTE_ADDR") or ""
    address = parse_address(peer)
    if address is None or not networks or not _is_trusted(address, networks):
        return peer, None
    client = address
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not hop.strip():
            continue
        parsed = parse_address(hop)
        if parsed is None:
            break
        client = parsed
        if not _is_trusted(parsed, networks):
            break
    secure = None
    proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
    if proto in ("https", "http"):
        secure = proto == "https"
    return str(client), secure


def client_ip(request) -> str | None:
    """The client's address as ClientAddressMiddleware found it (REMOTE_ADDR without it)."""
    if request is None:
        return None
    return getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR")
