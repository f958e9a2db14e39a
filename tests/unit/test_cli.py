"""The command line's own surface: version, help, and exit statuses users script against."""

from __future__ import annotations

from typer.testing import CliRunner

from vibe_quality_searcharr import __version__
from vibe_quality_searcharr.cli import app as cli


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"vibe-quality-searcharr {__version__}\n"


def test_help_lists_the_foundation_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "doctor", "db"):
        assert command in result.stdout


def test_tracebacks_never_show_local_variables() -> None:
    """Locals may hold secrets; a crash must not print them."""
    assert cli.pretty_exceptions_show_locals is False
