"""A deliberately thin HTTP/1.1 keep-alive load generator for the page benchmarks.

On a 2-core machine the client shares the CPU with the server it measures: httpx spends
around a millisecond of Python per request, which at 32 clients is a good part of a core
taken from the server and added to every latency. This client sends a pre-built request and
reads the response with the bare stream API (status line, Content-Length or chunked body),
one connection per simulated client, so nearly all the CPU is left to the server.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from dataclasses import dataclass

__all__ = ["LoadResult", "Page", "measure"]


@dataclass(frozen=True)
class Page:
    """One GET as a browser would send it (session cookie, Accept: text/html)."""

    path: str
    headers: dict[str, str]

    def request(self, host: str) -> bytes:
        lines = [f"GET {self.path} HTTP/1.1", f"Host: {host}", *self._header_lines()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _header_lines(self) -> list[str]:
        return [f"{name}: {value}" for name, value in self.headers.items()]


@dataclass(frozen=True)
class LoadResult:
    p50_ms: float
    p95_ms: float
    per_second: float
    load_average: float


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def get(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = -1
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if length >= 0:
            return status, await self.reader.readexactly(length)
        if not chunked:
            raise RuntimeError("response without a length on a keep-alive connection")
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return status, b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.writer.close()


async def _connect(host: str, port: int) -> _Connection:
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
    return _Connection(reader, writer)


async def measure(host: str, port: int, page: Page, clients: int, requests: int) -> LoadResult:
    """`requests` GETs of `page` shared by `clients` connections, after a short warm-up."""
    request = page.request(f"{host}:{port}")
    connections = [await _connect(host, port) for _ in range(clients)]
    latencies: list[float] = []
    remaining = requests

    async def client(connection: _Connection) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            status, body = await connection.get(request)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"{page.path}: {status} {body[:200]!r}")

    try:
        for connection in connections[: min(clients, 3)]:  # warm the server's caches
            await connection.get(request)
        started = time.perf_counter()
        await asyncio.gather(*(client(connection) for connection in connections))
        elapsed = time.perf_counter() - started
    finally:
        for connection in connections:
            connection.close()
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    return LoadResult(
        p50_ms=statistics.median(latencies) * 1000,
        p95_ms=p95 * 1000,
        per_second=len(latencies) / elapsed,
        load_average=os.getloadavg()[0],
    )
