"""Configuration: every problem is one clear line naming the variable, and no secret is shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.settings import ConfigError, Settings, load_settings

SECRET = "s3cr3t-value-that-must-never-be-printed-0123456789"


def problems_for(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    return caught.value.problems


def test_defaults_are_safe_for_a_home_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/tmp")
    settings = load_settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 7337)
    assert settings.data_dir == Path("/tmp/data")
    assert settings.sqlite_path == Path("/tmp/data/vqs.db")
    assert not settings.uses_postgres


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("VQS_PORT", "abc", "valid integer"),
        ("VQS_PORT", "70000", "less than or equal to 65535"),
        ("VQS_LOG_LEVEL", "LOUD", "'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
        ("VQS_LOG_FORMAT", "xml", "'console' or 'json'"),
        ("VQS_ENVIRONMENT", "staging", "'production' or 'development'"),
        ("VQS_LOG_FILE_MAX_MB", "0", "greater than or equal to 1"),
        ("VQS_LOG_FILE_BACKUPS", "-1", "greater than or equal to 0"),
        ("VQS_SCHEDULER_ENABLED", "maybe", "valid boolean"),
        ("VQS_TRUSTED_PROXIES", "10.0.0.0/8,not-a-net", "'not-a-net' is not an address or CIDR"),
        ("VQS_BASE_URL", "vqs.example.lan", "http:// or https:// URL"),
    ],
)
def test_each_plain_problem_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    [line] = problems_for(monkeypatch, **{variable: value})
    assert line.startswith(f"{variable}: ")
    assert says in line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("VQS_DATABASE_KEY", SECRET, "exactly 64 hex digits"),
        ("VQS_MASTER_SECRET", "short-but-secret", "at least 32 characters"),
        ("VQS_PEPPER", "short-but-secret", "at least 32 characters"),
        ("VQS_METRICS_TOKEN", "short-but-secret", "at least 32 characters"),
        ("VQS_DATABASE_URL", f"mysql://root:{SECRET}@db/vqs", "postgresql+psycopg://"),
    ],
)
def test_each_secret_problem_names_the_variable_but_never_the_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    [line] = problems_for(monkeypatch, **{variable: value})
    assert line.startswith(f"{variable}: ")
    assert says in line
    assert value not in line
    assert "(got" not in line


def test_several_problems_give_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems_for(monkeypatch, VQS_PORT="0", VQS_LOG_LEVEL="x", VQS_PEPPER="short-pepper")
    assert sorted(line.split(":")[0] for line in lines) == [
        "VQS_LOG_LEVEL",
        "VQS_PEPPER",
        "VQS_PORT",
    ]


def test_trusted_proxies_is_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQS_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
    assert load_settings().trusted_proxies == ["10.0.0.0/8", "192.168.1.1"]


def test_a_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = "ab" * 32
    (tmp_path / "key").write_text(f"{key}\n")
    (tmp_path / "url").write_text("postgresql+psycopg://vqs:pw@db/vqs")
    monkeypatch.setenv("VQS_DATABASE_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("VQS_DATABASE_URL_FILE", str(tmp_path / "url"))
    settings = load_settings()
    assert settings.database_key is not None
    assert settings.database_key.get_secret_value() == key
    assert settings.uses_postgres
    assert key not in repr(settings)


def test_a_secret_file_is_validated_like_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "pepper").write_text("too-short")
    [line] = problems_for(monkeypatch, VQS_PEPPER_FILE=str(tmp_path / "pepper"))
    assert line.startswith("VQS_PEPPER: must be at least 32 characters")
    assert "too-short" not in line


def test_an_unreadable_secret_file_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope"
    [line] = problems_for(monkeypatch, VQS_MASTER_SECRET_FILE=str(missing))
    assert line == (
        f"VQS_MASTER_SECRET_FILE: cannot read {missing} (No such file or directory); "
        "fix: point it at a readable file"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_a_secret_file_without_read_permission_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.write_text("x" * 40)
    locked.chmod(0)
    [line] = problems_for(monkeypatch, VQS_MASTER_SECRET_FILE=str(locked))
    assert "Permission denied" in line


def test_a_directory_given_as_secret_file_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    [line] = problems_for(monkeypatch, VQS_PEPPER_FILE=str(tmp_path))
    assert line.startswith("VQS_PEPPER_FILE: cannot read")
    assert "Is a directory" in line


def test_a_secret_set_both_ways_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text(SECRET)
    [line] = problems_for(
        monkeypatch, VQS_MASTER_SECRET=SECRET, VQS_MASTER_SECRET_FILE=str(tmp_path / "secret")
    )
    assert line == (
        "VQS_MASTER_SECRET and VQS_MASTER_SECRET_FILE are both set; fix: keep only one of them"
    )


def test_file_variables_of_non_secrets_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQS_PORT_FILE", "/nonexistent")
    assert load_settings().port == 7337


def test_the_cli_prints_every_problem_and_no_secret(tmp_path: Path) -> None:
    env = {
        "VQS_DATA_DIR": str(tmp_path),
        "VQS_PORT": "none",
        "VQS_DATABASE_KEY": SECRET,
        "VQS_DATABASE_URL": f"mysql://root:{SECRET}@db/vqs",
    }
    for command in (["serve"], ["db", "upgrade"]):
        result = CliRunner().invoke(cli, command, env=env)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[0] == "Configuration problems:"
        listed = [line.strip() for line in result.stderr.splitlines()[1:]]
        assert [line.split(":")[0] for line in listed] == [
            "- VQS_PORT",
            "- VQS_DATABASE_URL",
            "- VQS_DATABASE_KEY",
        ]
        assert SECRET not in result.output
        assert "Traceback" not in result.output


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1  # type: ignore[misc]
