"""`vqs config export [--to FILE]` and `vqs config import FILE [--apply]`.

Import previews by default and prints what would be created, updated and skipped; `--apply`
makes it so in one transaction (nothing at all when any entry fails)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vibe_quality_searcharr.config_io.schemas import MAX_DOCUMENT_BYTES
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.settings import ConfigError, load_settings

if TYPE_CHECKING:
    from vibe_quality_searcharr.db.engine import Database
    from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets

__all__ = ["config_app"]

config_app = typer.Typer(help="Export and import the configuration.", no_args_is_help=True)


def _open() -> tuple[Database, RuntimeSecrets]:
    from vibe_quality_searcharr.db.engine import open_configured
    from vibe_quality_searcharr.security.keyfiles import ensure_secrets

    try:
        settings = load_settings()
        keys = ensure_secrets(settings)
        return open_configured(settings, keys), keys
    except ConfigError as exc:
        for problem in exc.problems:
            typer.echo(f"configuration problem: {problem}", err=True)
        raise typer.Exit(2) from None
    except DatabaseError as exc:
        typer.echo(f"database problem: {exc}", err=True)
        raise typer.Exit(2) from None


@config_app.command("export")
def export_command(
    to: Annotated[Path | None, typer.Option(help="Write to this file (default: stdout).")] = None,
) -> None:
    """Write the configuration as JSON, every secret redacted."""
    from vibe_quality_searcharr.config_io.export import export_config
    from vibe_quality_searcharr.db.base import utcnow

    database, _keys = _open()
    try:
        with database.session_scope() as session:
            text = json.dumps(export_config(session, utcnow()), indent=2, sort_keys=True)
    finally:
        database.dispose()
    if to is None:
        typer.echo(text)
    else:
        to.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"configuration written to {to} (secrets redacted)")


@config_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A document written by `vqs config export`.")],
    apply: Annotated[bool, typer.Option("--apply", help="Apply it (default: preview).")] = False,
) -> None:
    """Preview (default) or apply a configuration document."""
    from vibe_quality_searcharr.config_io.routes import parse_document
    from vibe_quality_searcharr.config_io.service import ConfigImporter
    from vibe_quality_searcharr.db.base import utcnow
    from vibe_quality_searcharr.instances.service import api_key_box
    from vibe_quality_searcharr.notifications.service import url_box

    try:
        if file.stat().st_size > MAX_DOCUMENT_BYTES:
            typer.echo(f"refused: {file} is over {MAX_DOCUMENT_BYTES // 1024} KiB", err=True)
            raise typer.Exit(2)
        body = file.read_bytes()
    except OSError as exc:
        typer.echo(f"cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    try:
        document = parse_document(body)
    except AppError as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        for where, problem in (exc.fields or {}).items():
            typer.echo(f"  - {where}: {problem}", err=True)
        raise typer.Exit(2) from None
    database, keys = _open()
    try:
        with database.session_scope() as session:
            importer = ConfigImporter(
                session, api_key_box(keys.master_secret), url_box(keys.master_secret), utcnow()
            )
            result = importer.run(document, dry_run=not apply)
    finally:
        database.dispose()
    for action in result.actions:
        extra = f" ({', '.join(action.fields)})" if action.fields else ""
        detail = f": {action.detail}" if action.detail else ""
        typer.echo(f"{action.action:<7} {action.kind:<12} {action.name}{extra}{detail}")
    verb = "applied" if result.applied else ("would apply" if not apply else "NOT applied")
    typer.echo(
        f"{verb}: {result.created} created, {result.updated} updated, {result.skipped} skipped, "
        f"{result.errors} errors"
    )
    if result.errors:
        raise typer.Exit(1)
