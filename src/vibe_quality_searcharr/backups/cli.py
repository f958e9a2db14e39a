"""`vqs backup`, `vqs restore` and `vqs rotate-keys`: thin wrappers that print what happened.

They read the secrets that exist and never generate one: a restore or rotation on a directory
without its keys must stop and say so, not quietly make keys that open nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vibe_quality_searcharr.backups.errors import BackupError, BackupUnsupported
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.settings import ConfigError, Settings, load_settings

__all__ = ["existing_database_key", "register"]


def existing_database_key(settings: Settings) -> str | None:
    if settings.database_key is not None:
        return settings.database_key.get_secret_value()
    try:
        return (settings.secrets_dir / "database_key").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        for problem in exc.problems:
            typer.echo(f"configuration problem: {problem}", err=True)
        raise typer.Exit(2) from None


def _key(settings: Settings) -> str:
    key = existing_database_key(settings)
    if key is None:
        typer.echo(
            f"no database key: {settings.secrets_dir / 'database_key'} is missing and "
            "VQS_DATABASE_KEY(_FILE) is not set; restore the secrets directory first",
            err=True,
        )
        raise typer.Exit(1)
    return key


def _refuse(exc: BackupError) -> None:
    prefix = "refused" if not isinstance(exc, BackupUnsupported) else "not supported"
    typer.echo(f"{prefix}: {exc}", err=True)
    raise typer.Exit(1)


def _read_new(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        typer.echo(f"cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None


def backup(
    to: Annotated[
        Path | None, typer.Option(help="File or directory (default: <data>/backups/).")
    ] = None,
) -> None:
    """Take an online, encrypted backup of the database (safe while the service runs)."""
    from vibe_quality_searcharr.backups.service import create_backup

    settings = _settings()
    try:
        if settings.uses_postgres:
            raise BackupUnsupported()
        result = create_backup(settings, _key(settings), now=utcnow(), to=to)
    except BackupError as exc:
        _refuse(exc)
        return
    typer.echo(
        f"backup written: {result.path} ({result.size_bytes:,} bytes, {result.seconds:.2f} s); "
        "it opens only with secrets/database_key: keep a copy of the secrets directory too"
    )


def restore(
    path: Annotated[Path, typer.Argument(help="A backup made by `vqs backup`.")],
) -> None:
    """Check a backup, then replace the database with it (the old one is kept aside)."""
    from vibe_quality_searcharr.backups.restore import restore_backup

    settings = _settings()
    try:
        if settings.uses_postgres:
            raise BackupUnsupported()
        result = restore_backup(settings, _key(settings), path, now=utcnow())
    except BackupError as exc:
        _refuse(exc)
        return
    typer.echo(f"restored {path} (schema {result.restored_revision}, now {result.revision})")
    if result.replaced is not None:
        typer.echo(f"the replaced database is kept at {result.replaced}")


def rotate_keys(
    new_master_secret_file: Annotated[
        Path | None,
        typer.Option(help="New master secret, when VQS_MASTER_SECRET(_FILE) provides it."),
    ] = None,
    new_database_key_file: Annotated[
        Path | None,
        typer.Option(help="New database key, when VQS_DATABASE_KEY(_FILE) provides it."),
    ] = None,
) -> None:
    """Re-encrypt stored secrets under a new master secret and rekey the database (service
    stopped). Run it again to finish one that was interrupted."""
    from vibe_quality_searcharr.backups.rotation import rotate_keys as run

    settings = _settings()
    if settings.uses_postgres:
        typer.echo("PostgreSQL: stop every replica first; only the master secret is rotated")
    try:
        report = run(
            settings,
            now=utcnow(),
            new_master_secret=_read_new(new_master_secret_file),
            new_database_key=_read_new(new_database_key_file),
        )
    except BackupError as exc:
        _refuse(exc)
        return
    typer.echo(
        ("rotation finished (resumed)" if report.resumed else "keys rotated")
        + f": {report.reencrypted} stored secrets re-encrypted"
        + (", database rekeyed" if report.rekeyed else "")
    )
    if report.retired is not None:
        typer.echo(
            f"the old keys are kept in {report.retired}: backups made before now open only with "
            "them. Delete that folder (and those backups) once a new backup exists, at once if "
            "the old keys leaked"
        )
    for line in report.update_config:
        typer.echo(f"update your configuration: {line}")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
    app.command("rotate-keys")(rotate_keys)
