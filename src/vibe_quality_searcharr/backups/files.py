"""Crash-safe file moves: write beside, fsync, rename, fsync the directory.

A rename within one directory is atomic on POSIX, but it is only durable once the directory
entry itself is flushed; every publish here does both, so a power cut leaves the old file or
the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "fsync_dir",
    "fsync_file",
    "parse_stamp",
    "private_temp",
    "publish",
    "stamp",
    "write_private_text",
]

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


def stamp(now: datetime) -> str:
    """A UTC timestamp that sorts as text and is safe in a file name."""
    return now.astimezone(UTC).strftime(STAMP_FORMAT)


def parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def private_temp(beside: Path, label: str = "partial") -> Path:
    """Create an empty file next to `beside`, mode 0600 from its first byte, and return it."""
    path = beside.with_name(f".{beside.name}.{label}-{secrets.token_hex(4)}")
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def publish(temporary: Path, final: Path, *, replace: bool) -> None:
    """Make a finished temporary file `final`, durably. Without `replace`, an existing
    `final` is left alone and FileExistsError raised (a hard link never overwrites)."""
    fsync_file(temporary)
    if replace:
        os.replace(temporary, final)
    else:
        try:
            os.link(temporary, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    fsync_dir(final.parent)


def write_private_text(path: Path, value: str, *, replace: bool) -> None:
    """Write a small secret file (mode 0600) atomically."""
    temporary = private_temp(path, "new")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        publish(temporary, path, replace=replace)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
