"""The connection test: can we reach this URL with this key, and what answers there?

Used before saving an instance, on demand for a saved one, and by the health monitor. It never
raises for a failing *arr: the result carries one error kind and a message saying what to fix.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from vibe_quality_searcharr.arr.clients import ArrClient, MediaClient
from vibe_quality_searcharr.arr.errors import ArrError, ArrNotFound
from vibe_quality_searcharr.arr.factory import make_client
from vibe_quality_searcharr.arr.schemas.common import RootFolder
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.arr.versions import ArrApp, ServerInfo
from vibe_quality_searcharr.instances.schemas import ConnectionTestResult
from vibe_quality_searcharr.instances.urls import (
    BlockedAddress,
    Resolver,
    check_resolved,
    system_resolver,
)

__all__ = ["Connect", "ConnectionTarget", "Connector", "Probe", "root_folder_free_space"]


@dataclass(frozen=True)
class ConnectionTarget:
    """Where and how to connect. Its repr leaves the key out."""

    app: ArrApp
    url: str
    api_key: str = field(repr=False)
    name: str | None = None


# How the search code gets a client for a target (a `Connector.connect`, or a test's own).
Connect = Callable[[ConnectionTarget], Awaitable[ArrClient]]


async def root_folder_free_space(client: MediaClient[Any]) -> int | None:
    """The smallest free space among the root folders (where new media lands).

    A root folder without `freeSpace` takes it from the disk whose path is its longest prefix.
    An app that answers 404 for rootfolder (a stripped proxy, the simulator) is judged by its
    disks instead. None when nothing is known: the disk guard then stays out of the way.
    """
    try:
        folders: list[RootFolder] | None = await client.root_folders()
    except ArrNotFound:
        folders = None
    if folders and all(folder.free_space is not None for folder in folders):
        return min(folder.free_space or 0 for folder in folders)
    disks = await client.disk_space()
    if not disks:
        return None
    if not folders:
        return min(disk.free_space for disk in disks)
    spaces: list[int] = []
    for folder in folders:
        if folder.free_space is not None:
            spaces.append(folder.free_space)
            continue
        matches = [
            d
            for d in disks
            if folder.path.startswith(d.path.rstrip("/") + "/") or folder.path == d.path
        ]
        if matches:
            spaces.append(max(matches, key=lambda d: len(d.path)).free_space)
    return min(spaces) if spaces else None


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

    async def connect(self, target: ConnectionTarget) -> ArrClient:
        """A client for a saved instance, after the resolved-address check. Close it after use
        (`async with await connector.connect(target) as client:`)."""
        await self.check_address(target)
        return self.client(target)

    async def probe(self, target: ConnectionTarget, *, disk: bool = False) -> Probe:
        """Status (and, for media apps, root-folder free space). Raises ArrError/BlockedAddress."""
        async with await self.connect(target) as client:
            started = self.monotonic()
            server = await client.server_info()
            latency_ms = max(0, round((self.monotonic() - started) * 1000))
            free = None
            if disk and isinstance(client, MediaClient):
                free = await root_folder_free_space(client)
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
        except httpx.InvalidURL:
            return ConnectionTestResult(
                ok=False,
                app=target.app,
                name=target.name,
                error="invalid_url",
                detail="The URL cannot be used; enter it as http://host:port/urlbase.",
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
