"""Posters through the app: fetched from the *arr with its stored key, cached on disk.

The browser only ever sees `/library/{instance}/posters/{parent}`; the *arr's address and key
stay on the server. A poster is accepted only when the *arr calls it an image (JPEG, PNG, GIF
or WebP, never SVG, which can carry script) and its first bytes agree, and only up to
`MAX_POSTER_BYTES`. The cache is one file per (instance, parent, poster path): a changed poster
path (the *arr adds `?lastWrite=`) is a new file, and the oldest files go when the directory
passes its size cap.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.instances.connection import ConnectionTarget

__all__ = [
    "CACHE_BYTES",
    "MAX_POSTER_BYTES",
    "Poster",
    "PosterCache",
    "PosterUnavailable",
    "fetch_poster",
    "sniff_image",
]

MAX_POSTER_BYTES = 5 * 1024 * 1024
CACHE_BYTES = 200 * 1024 * 1024
_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
_EXTENSIONS = {extension: kind for kind, extension in _TYPES.items()}


class PosterUnavailable(AppError):
    """The *arr gave no usable poster (unreachable, refused, not an image, too large)."""

    status_code = 502
    kind = "bad_gateway"


@dataclass(frozen=True)
class Poster:
    content: bytes
    content_type: str


def sniff_image(content: bytes) -> str | None:
    """The image type the bytes start with, or None: the header alone is not trusted."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _relative(poster_path: str) -> str:
    """Only a path on the *arr itself: no scheme, no other host, no parent escapes."""
    parts = urlsplit(poster_path)
    if parts.scheme or parts.netloc or not poster_path.startswith("/") or ".." in parts.path:
        raise PosterUnavailable("The poster path is not a path on the instance.")
    return poster_path


async def fetch_poster(
    target: ConnectionTarget,
    poster_path: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Poster:
    """GET the poster with the key in a header; refuse anything but an image of sane size."""
    url = target.url.rstrip("/") + _relative(poster_path)
    try:
        async with (
            httpx.AsyncClient(
                timeout=_TIMEOUT, follow_redirects=False, transport=transport
            ) as client,
            client.stream("GET", url, headers={"X-Api-Key": target.api_key}) as response,
        ):
            if response.status_code != 200:
                raise PosterUnavailable(f"The instance answered {response.status_code}.")
            declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if declared not in _TYPES:
                raise PosterUnavailable("The instance did not answer with an image.")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_POSTER_BYTES:
                    raise PosterUnavailable("The poster is too large.")
                chunks.append(chunk)
    except httpx.HTTPError:
        raise PosterUnavailable("The instance could not be reached for the poster.") from None
    content = b"".join(chunks)
    sniffed = sniff_image(content)
    if sniffed is None:
        raise PosterUnavailable("The instance did not answer with an image.")
    return Poster(content, sniffed)


class PosterCache:
    """Posters on disk under `directory`, at most `max_bytes` in all (oldest out first)."""

    def __init__(self, directory: Path, max_bytes: int = CACHE_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def _stem(self, instance_id: int, parent_id: int, poster_path: str) -> str:
        digest = hashlib.sha256(poster_path.encode()).hexdigest()[:16]
        return f"{instance_id}-{parent_id}-{digest}"

    def get(self, instance_id: int, parent_id: int, poster_path: str) -> Poster | None:
        stem = self._stem(instance_id, parent_id, poster_path)
        for extension, kind in _EXTENSIONS.items():
            path = self.directory / f"{stem}.{extension}"
            try:
                content = path.read_bytes()
            except FileNotFoundError:
                continue
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: evicted last
            return Poster(content, kind)
        return None

    def put(self, instance_id: int, parent_id: int, poster_path: str, poster: Poster) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{self._stem(instance_id, parent_id, poster_path)}.{_TYPES[poster.content_type]}"
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(poster.content)
            os.replace(temporary, self.directory / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self._evict()

    def _evict(self) -> None:
        files: list[tuple[float, int, Path]] = []
        for path in self.directory.iterdir():
            if path.suffix == ".part":
                continue
            with contextlib.suppress(OSError):
                stat = path.stat()
                files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
