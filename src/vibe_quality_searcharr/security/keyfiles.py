"""The service's own secrets: given by configuration, or generated once into the data directory.

Generated secrets are 256-bit random values written with mode 0600 inside a 0700 directory, and
read back on every later start: losing them makes the database unreadable, so they are never
regenerated over an existing file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from vibe_quality_searcharr.settings import ConfigError, Settings

__all__ = ["RuntimeSecrets", "ensure_data_dir", "ensure_secrets"]

_GENERATED = ("master_secret", "database_key", "pepper")


@dataclass(frozen=True, repr=False)
class RuntimeSecrets:
    """The secrets in force for this process. Its repr never shows a value."""

    master_secret: str
    database_key: str
    pepper: str

    def __repr__(self) -> str:
        return "RuntimeSecrets(<redacted>)"

    def values(self) -> tuple[str, ...]:
        return (self.master_secret, self.database_key, self.pepper)


def ensure_data_dir(settings: Settings) -> None:
    """Create the data directory tree, private to the service's user."""
    for path in (settings.data_dir, settings.secrets_dir, settings.logs_dir):
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                [
                    f"VQS_DATA_DIR: cannot create {path} ({exc.strerror}); fix: point VQS_DATA_DIR "
                    "at a directory this user can write, or chown it to this user"
                ]
            ) from None
    for path in (settings.data_dir, settings.secrets_dir):
        with contextlib.suppress(PermissionError):  # a mounted volume may belong to root
            path.chmod(0o700)


def _write_new_secret(path: Path, value: str) -> None:
    """Publish a complete file or nothing: two processes starting together agree on one key.

    The value is written to a private temporary file first and then hard-linked into place, which
    fails with FileExistsError when another process got there first.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink()


def _read_secret(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            [f"{path}: readable by other users (mode {mode:o}); fix: chmod 600 {path}"]
        )
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigError([f"{path}: empty; fix: restore it from a backup or set the variable"])
    return value


def _resolve(settings: Settings, name: str) -> str:
    configured = getattr(settings, name)
    if configured is not None:
        return str(configured.get_secret_value())
    path = settings.secrets_dir / name
    try:
        with contextlib.suppress(FileExistsError):
            _write_new_secret(path, secrets.token_hex(32))
        return _read_secret(path)
    except (PermissionError, IsADirectoryError) as exc:
        raise ConfigError(
            [
                f"{path}: cannot be read or written ({exc.strerror}); fix: chown the data "
                f"directory to this user, or set VQS_{name.upper()}_FILE"
            ]
        ) from None


def ensure_secrets(settings: Settings) -> RuntimeSecrets:
    """Return the secrets to use, generating any that neither configuration nor a file provides."""
    ensure_data_dir(settings)
    return RuntimeSecrets(**{name: _resolve(settings, name) for name in _GENERATED})
