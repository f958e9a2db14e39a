"""The connection test: can we reach this URL with this key, and what answers there?

Used before saving an instance, on demand for a saved one, and by the health monitor. It never
raises for a failing *arr: the result carries one error kind and a message saying what to fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
import httpx

from vibe_quality_searcharr.arr.clients import ArrClient, MediaClient
from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.arr.factory import make_client
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.arr.versions import ArrApp, ServerInfo
from vibe_quality_searcharr.instances.schemas import ConnectionTestResult
from vibe_quality_searcharr.instances.urls import (
    BlockedAddress,
    Resolver,
    check_resolved,
    system_resolver,
)

__all__ = ["ConnectionTarget", "Connector", "Probe"]


@dataclass(frozen=True)
class ConnectionTarget:
    """Where and how to connect. Its repr leaves the key out."""

    app: ArrApp
    url: str
    api_key: str = field(repr=False)
    name: str | None = None


@dataclass(frozen=True)
class Probe:
    """One successful look at an instance: what it is, how fast, how much disk is left."""

    server: ServerInfo
    latency_ms: int
    free_space_bytes: int | None


@dataclass
class Connector:
    """Builds clients with shared options; the resolver, transport and clock are injectable."""

    options: ClientOptions = field(default_factory=ClientOptions)
    resolver: Resolver = system_resolver
    transport: httpx.AsyncBaseTransport | None = None
    monotonic: Callable[[], float] = time.perf_counter

    def client(self, target: ConnectionTarget) -> ArrClient:
        return make_client(
            target.app, target.url, target.api_key, options=self.options, transport=self.transport
        )

    async def check_address(self, target: ConnectionTarget) -> None:
        """Refuse a host that resolves to a link-local or metadata address (off the loop)."""
        await anyio.to_thread.run_sync(check_resolved, target.url, self.resolver)

    async def probe(self, target: ConnectionTarget, *, disk: bool = False) -> Probe:
        """Status (and, for media apps, root-folder free space). Raises ArrError/BlockedAddress."""
        await self.check_address(target)
        async with self.client(target) as client:
            started = self.monotonic()
            server = await client.server_info()
            latency_ms = max(0, round((self.monotonic() - started) * 1000))
            free = None
            if disk and isinstance(client, MediaClient):
                folders = await client.root_folders()
                spaces = [f.free_space for f in folders if f.free_space is not None]
                free = min(spaces) if spaces else None
        return Probe(server=server, latency_ms=latency_ms, free_space_bytes=free)

    async def test(self, target: ConnectionTarget) -> ConnectionTestResult:
        try:
            probe = await self.probe(target)
        except BlockedAddress as exc:
            return ConnectionTestResult(
                ok=False, app=target.app, name=target.name, error="blocked_address", detail=str(exc)
            )
        except ArrError as exc:
            return ConnectionTestResult(
                ok=False, app=target.app, name=target.name, error=exc.kind, detail=exc.detail
            )
        return ConnectionTestResult(
            ok=True,
            app=target.app,
            name=target.name,
            app_name=probe.server.app_name,
            version=probe.server.version,
            instance_name=probe.server.instance_name,
            latency_ms=probe.latency_ms,
        )
