"""`vqs user ...`: account rescue for operators with shell access to the server.

Whoever can run this can already read the data directory, so these commands need no password;
each one is written to the audit log with actor "cli".
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import open_configured
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import ConfigError, load_settings
from vibe_quality_searcharr.users import repository, service
from vibe_quality_searcharr.users.keys import AuthKeys

__all__ = ["user_app"]

user_app = typer.Typer(help="Manage accounts from the server's shell.", no_args_is_help=True)


@contextmanager
def _unit_of_work() -> Iterator[tuple[Session, AuthKeys]]:
    try:
        settings = load_settings()
        runtime = ensure_secrets(settings)
        database = open_configured(settings, runtime)
    except ConfigError as exc:
        _fail(exc.problems)
    except DatabaseError as exc:
        _fail([str(exc)])
    try:
        migrate.upgrade(database)
        with database.session_scope() as session:
            yield session, AuthKeys.from_secrets(runtime)
    except AppError as exc:
        _fail([exc.detail])
    finally:
        database.dispose()


def _fail(problems: list[str]) -> NoReturn:
    for line in problems:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(2)


@user_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Login name (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option(help="admin or viewer.")] = "admin",
    password: Annotated[
        str | None,
        typer.Option(help="Prompted for when not given; avoid passing it on the command line."),
    ] = None,
) -> None:
    """Create an account (the first one also closes the setup page)."""
    if role not in ("admin", "viewer"):
        _fail(["--role must be admin or viewer"])
    generated = password is None and not _interactive()
    if password is None:
        password = secrets.token_urlsafe(15) if generated else _prompt_password()
    with _unit_of_work() as (session, keys):
        user = service.create_user(
            session,
            keys,
            username=username,
            password=password,
            role=role,
            now=utcnow(),
            actor="cli",
        )
        typer.echo(f"created {user.role} {user.username}")
    if generated:
        typer.echo(f"one-time password (change it after signing in): {password}")


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty()


def _prompt_password() -> str:
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("reset-password")
def reset_password(username: Annotated[str, typer.Argument(help="The account to reset.")]) -> None:
    """Give an account a new random password, printed once; all its sessions end."""
    with _unit_of_work() as (session, keys):
        password = service.reset_password(session, keys, username, now=utcnow(), actor="cli")
    typer.echo(f"one-time password for {username.lower()} (change it after signing in): {password}")


@user_app.command("disable-2fa")
def disable_two_factor(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Turn off two-factor sign-in for an account that lost its authenticator."""
    with _unit_of_work() as (session, _keys):
        user = repository.get_user_by_username(session, username.lower())
        if user is None:
            _fail([f"no user named {username.lower()}"])
        service.reset_two_factor(session, user.id, now=utcnow(), actor="cli")
    typer.echo(f"two-factor sign-in is off for {username.lower()}")
