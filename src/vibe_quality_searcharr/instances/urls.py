"""Which URLs an instance may point at, checked before anything is stored or requested.

*arr apps live on the LAN, so private addresses are allowed. What is refused is what turns this
service into a proxy for secrets: link-local ranges and the cloud metadata endpoints (an SSRF
to 169.254.169.254 hands out cloud credentials), credentials inside the URL (they would be
logged and shown), and schemes other than http/https. Host names are checked again when they are
resolved, right before a connection test or a health check, because DNS can point anywhere.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

__all__ = ["BlockedAddress", "Resolver", "check_resolved", "normalize_url", "system_resolver"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]

_BLOCKED_NETWORKS = (
    ipaddress.ip_network("169.254.0.0/16"),  # IPv4 link-local, AWS/GCP/Azure metadata
    ipaddress.ip_network("fe80::/10"),  # IPv6 link-local
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS metadata over IPv6
    ipaddress.ip_network("0.0.0.0/8"),  # "this host": reaches local services unpredictably
    ipaddress.ip_network("224.0.0.0/4"),  # multicast
    ipaddress.ip_network("ff00::/8"),
)
_BLOCKED_NAMES = frozenset({"metadata", "metadata.google.internal", "metadata.goog"})
_MAX_URL_LENGTH = 2048
_API_SUFFIX = re.compile(r"/api(/v\d+)?$", re.IGNORECASE)


class BlockedAddress(ValueError):
    """The URL (or what its host resolves to) is not allowed; the message says why."""


def _blocked(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_unspecified or any(address in network for network in _BLOCKED_NETWORKS)


def _literal_address(host: str) -> IPAddress | None:
    """An IP written in the URL, including the legacy IPv4 forms (2852039166, 0xA9.254...)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def normalize_url(raw: str) -> str:
    """Validate an instance URL and return it in canonical form (keeps the URL base path)."""
    text = raw.strip()
    if not text:
        raise BlockedAddress("enter the address of the app, e.g. http://192.168.1.10:8989")
    if len(text) > _MAX_URL_LENGTH:
        raise BlockedAddress(f"the URL is longer than {_MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise BlockedAddress("not a valid URL; use the form http://host:port/urlbase") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BlockedAddress("only http:// and https:// URLs are allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise BlockedAddress(
            "remove the user name and password from the URL; the API key is entered separately"
        )
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise BlockedAddress("the URL has no host name")
    if parts.query or parts.fragment:
        raise BlockedAddress("remove the ?query or #fragment; give only host, port and URL base")
    if host in _BLOCKED_NAMES:
        raise BlockedAddress(f"{host} is a cloud metadata service, not an *arr app")
    address = _literal_address(host)
    if address is not None and _blocked(address):
        raise BlockedAddress(
            f"{host} is a link-local or metadata address; use the app's LAN address instead"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    # A pasted API address ("/sonarr/api/v3") is cut back to the app's own URL base.
    path = _API_SUFFIX.sub("", parts.path.rstrip("/"))
    return urlunsplit((scheme, netloc, path, "", ""))


def system_resolver(host: str) -> list[str]:
    """Every address the system resolver gives for `host` (blocking: run it off the loop)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def check_resolved(url: str, resolver: Resolver = system_resolver) -> None:
    """Refuse a host name that resolves to a blocked address. Unresolvable names pass here:
    the connection attempt then fails with a clear "unreachable" error of its own."""
    host = (urlsplit(url).hostname or "").lower()
    if _literal_address(host) is not None:
        return
    try:
        addresses = resolver(host)
    except OSError:
        return
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            continue
        if _blocked(address):
            raise BlockedAddress(
                f"{host} resolves to {address}, a link-local or metadata address; "
                "use the app's LAN address instead"
            )
