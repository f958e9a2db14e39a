"""The `vqs` command line: serve, db upgrade, doctor, and the commands each domain adds."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from vibe_quality_searcharr import __version__
from vibe_quality_searcharr.backups.cli import register as register_backup_commands
from vibe_quality_searcharr.config_io.cli import config_app
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.settings import ConfigError, load_settings
from vibe_quality_searcharr.users.cli import user_app

if TYPE_CHECKING:
    from vibe_quality_searcharr.demo import DemoInstance

__all__ = ["app", "main"]

# Tracebacks never show local variables: they may hold secrets.
app = typer.Typer(
    help="Vibe-Quality-Searcharr: searches your *arr backlog, politely.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(config_app, name="config")
register_backup_commands(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vibe-quality-searcharr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Vibe-Quality-Searcharr."""


def fail(problems: list[str], topic: str = "Configuration") -> None:
    typer.echo(f"{topic} problems:" if len(problems) > 1 else f"{topic} problem:", err=True)
    for line in problems:
        typer.echo(f"  - {line}", err=True)
    raise typer.Exit(2)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (VQS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (VQS_PORT).")] = None,
) -> None:
    """Run the web UI, the API and the scheduler."""
    import uvicorn

    from vibe_quality_searcharr.app import create_app

    overrides = {
        key: value for key, value in {"host": host, "port": port}.items() if value is not None
    }
    try:
        settings = load_settings(**overrides)
        application = create_app(settings)
    except ConfigError as exc:
        fail(exc.problems)
        return
    except DatabaseError as exc:
        fail([str(exc)], "Database")
        return
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the web UI.")] = 7337,
    data_dir: Annotated[str, typer.Option(help="Where the demo keeps its data.")] = "./demo-data",
) -> None:
    """Run the app on a throw-away data directory beside a simulated Sonarr, Radarr and Prowlarr."""
    import os

    from vibe_quality_searcharr.demo import start_demo_stack

    os.environ["VQS_DATA_DIR"] = data_dir  # never the user's real data directory
    stack = start_demo_stack()
    try:
        _configure_demo(stack.demo_instances())
        for instance in stack.demo_instances():
            typer.echo(f"  simulated {instance.app:<9} {instance.url}")
        typer.echo(
            "First visit: create the admin account at /setup. The library syncs within a minute "
            "and the demo queues start searching about two minutes after start."
        )
        typer.echo(f"Vibe-Quality-Searcharr demo: open http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        serve(host="127.0.0.1", port=port)
    finally:
        stack.stop()


def _configure_demo(targets: list[DemoInstance]) -> None:
    """Store the simulated apps as instances of the demo's own database (keys change per run),
    with one steady-missing queue per media app."""
    from vibe_quality_searcharr.db import migrate
    from vibe_quality_searcharr.db.base import utcnow
    from vibe_quality_searcharr.db.engine import open_configured
    from vibe_quality_searcharr.instances.demo import configure_demo_instances
    from vibe_quality_searcharr.search.queues.demo import configure_demo_queues
    from vibe_quality_searcharr.security.keyfiles import ensure_secrets

    try:
        settings = load_settings()
        keys = ensure_secrets(settings)
        database = open_configured(settings, keys)
    except ConfigError as exc:
        fail(exc.problems)
        return
    except DatabaseError as exc:
        fail([str(exc)], "Database")
        return
    try:
        migrate.upgrade(database)
        with database.session_scope() as session:
            ids = configure_demo_instances(session, keys.master_secret, targets)
            media = {t.name: i for t, i in zip(targets, ids, strict=True) if t.app != "prowlarr"}
            configure_demo_queues(session, media, utcnow())
    finally:
        database.dispose()


@app.command()
def simulate(
    app_name: Annotated[
        str | None,
        typer.Option(
            "--app", help="sonarr, radarr, lidarr, readarr, whisparr, whisparr-v3 or prowlarr."
        ),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: the app's usual port).")] = None,
    api_key: Annotated[str | None, typer.Option(help="API key (default: a random one).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated library.")] = 1,
    size: Annotated[int, typer.Option(help="Number of wanted (missing) items.")] = 200,
    app_version: Annotated[
        str | None, typer.Option("--version", help="App version, e.g. 3.0.10 for Sonarr v3.")
    ] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.")] = 1.0,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    config: Annotated[
        str | None, typer.Option(help="sim.yaml describing several apps (overrides --app).")
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(help="Fault rule, e.g. error:rate=0.1,status=503 (repeatable)."),
    ] = None,
) -> None:
    """Serve simulated *arr apps (and Prowlarr) for trying the app or testing clients."""
    import secrets
    from pathlib import Path

    from vibe_quality_searcharr.simulator.config import (
        AppConfig,
        ConfigError,
        build_states,
        load_config,
    )
    from vibe_quality_searcharr.simulator.families import APPS
    from vibe_quality_searcharr.simulator.faults import parse_fault_flag
    from vibe_quality_searcharr.simulator.server import ServerThread, serve_until_interrupted

    try:
        rules = [parse_fault_flag(flag) for flag in fault or []]
        if config:
            entries, speed = load_config(Path(config))
        elif app_name in APPS:
            entries = [
                AppConfig(app=app_name, port=port or APPS[app_name].port, name=APPS[app_name].app_name,
                          api_key=api_key or secrets.token_hex(16), seed=seed, size=size,
                          version=app_version)
            ]  # fmt: skip
        else:
            fail(
                [f"--app must be one of {', '.join(APPS)} (or use --config sim.yaml)"], "Simulator"
            )
            return
        states = build_states(entries, speed=speed, host=host)
        for state in states:
            for rule in rules:
                state.faults.add(rule)
        servers = [
            ServerThread(state, host, entry.port)
            for state, entry in zip(states, entries, strict=True)
        ]
    except (ConfigError, ValueError, OSError) as exc:
        fail([str(exc)], "Simulator")
        return
    for state, server in zip(states, servers, strict=True):
        typer.echo(
            f"simulated {state.spec.key} {state.version} at {server.base_url} (key {state.api_key})"
        )
    typer.echo("Ctrl+C to stop")
    serve_until_interrupted(servers)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending database migrations (also done at every start)."""
    from sqlalchemy.exc import SQLAlchemyError

    from vibe_quality_searcharr.db import migrate
    from vibe_quality_searcharr.db.engine import open_configured
    from vibe_quality_searcharr.db.failures import as_database_error
    from vibe_quality_searcharr.security.keyfiles import ensure_secrets

    try:
        settings = load_settings()
        database = open_configured(settings, ensure_secrets(settings))
    except ConfigError as exc:
        fail(exc.problems)
        return
    except DatabaseError as exc:
        fail([str(exc)], "Database")
        return
    try:
        before = migrate.upgrade(database)
        after = migrate.current_revision(database)
    except SQLAlchemyError as exc:  # a damaged file met while reading the schema
        error = as_database_error(exc)
        if error is None:
            raise
        fail([str(error)], "Database")
        return
    finally:
        database.dispose()
    typer.echo(f"database at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@app.command()
def doctor() -> None:
    """Check configuration, files, database, instances, clock, disk and backups; exit 1 on a FAIL."""
    from vibe_quality_searcharr.doctor import run_checks

    results = run_checks()
    colours = {" OK ": "green", "WARN": "yellow", "FAIL": "red"}
    for result in results:
        mark = typer.style(result.label, fg=colours[result.label])
        typer.echo(f"[{mark}] {result.name}: {result.detail}")
        if (not result.ok or result.warning) and result.fix:
            typer.echo(f"       fix: {result.fix}")
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
