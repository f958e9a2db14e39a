"""Who is really on the other end of a request.

X-Forwarded-For and X-Forwarded-Proto are believed only when the socket peer is one of
VQS_TRUSTED_PROXIES; anyone else could write anything there (Huntarr finding 8). With a chain of
proxies, the address is the right-most one that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ClientAddress", "TrustedProxies"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ClientAddress:
    ip: str
    scheme: str
    via_trusted_proxy: bool


class TrustedProxies:
    def __init__(self, cidrs: Sequence[str]) -> None:
        self._networks: tuple[_Network, ...] = tuple(
            ipaddress.ip_network(cidr, strict=False) for cidr in cidrs
        )

    def __bool__(self) -> bool:
        return bool(self._networks)

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._networks)

    def resolve(
        self, peer: str, scheme: str, forwarded_for: str | None, forwarded_proto: str | None
    ) -> ClientAddress:
        if not self.trusts(peer):
            return ClientAddress(ip=peer, scheme=scheme, via_trusted_proxy=False)
        client = peer
        if forwarded_for:
            for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
                if not _is_ip(hop):
                    break
                client = hop
                if not self.trusts(hop):
                    break
        proto = (forwarded_proto or "").split(",")[0].strip().lower()
        return ClientAddress(
            ip=client,
            scheme=proto if proto in ("http", "https") else scheme,
            via_trusted_proxy=True,
        )


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
