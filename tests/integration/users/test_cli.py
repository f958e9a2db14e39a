"""`vqs user create | reset-password | disable-2fa` against a real data directory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.settings import load_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VQS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _one_time(output: str) -> str:
    match = re.search(r"one-time password[^:]*: (\S+)", output)
    assert match, output
    return match.group(1)


def test_create_reset_and_disable_2fa(data_dir: Path) -> None:
    created = runner.invoke(cli, ["user", "create", "Ops", "--role", "admin"])
    assert created.exit_code == 0, created.output
    assert "created admin ops" in created.output
    first = _one_time(created.output)

    duplicate = runner.invoke(cli, ["user", "create", "ops"])
    assert duplicate.exit_code == 2
    assert "taken" in duplicate.output

    reset = runner.invoke(cli, ["user", "reset-password", "OPS"])
    assert reset.exit_code == 0
    second = _one_time(reset.output)
    assert second != first

    app = create_app(load_settings(data_dir=data_dir, scheduler_enabled=False))
    with TestClient(app) as client:
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "ops", "password": first}
            ).status_code
            == 401
        )
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "ops", "password": second}
            ).status_code
            == 200
        )
    with TestClient(app) as anonymous:
        setup = {"username": "x", "password": "a long unusual passphrase"}
        assert anonymous.post("/api/v1/setup", json=setup).status_code == 404

    disabled = runner.invoke(cli, ["user", "disable-2fa", "ops"])
    assert disabled.exit_code == 0
    assert "off for ops" in disabled.output
    missing = runner.invoke(cli, ["user", "disable-2fa", "ghost"])
    assert missing.exit_code == 2
    assert "no user named ghost" in missing.output


def test_create_refuses_a_bad_role_and_a_weak_password(data_dir: Path) -> None:
    assert runner.invoke(cli, ["user", "create", "a", "--role", "root"]).exit_code == 2
    weak = runner.invoke(cli, ["user", "create", "a", "--password", "password1234"])
    assert weak.exit_code == 2
    assert "too common" in weak.output
