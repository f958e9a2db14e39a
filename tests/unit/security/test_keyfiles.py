"""Generated secrets: strong, private, written once, reused, and agreed on by racing processes."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets, ensure_secrets
from vibe_quality_searcharr.settings import ConfigError, Settings, load_settings

NAMES = ("master_secret", "database_key", "pepper")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_generates_private_256_bit_secrets(settings: Settings) -> None:
    secrets = ensure_secrets(settings)
    assert mode(settings.data_dir) == 0o700
    assert mode(settings.secrets_dir) == 0o700
    for name in NAMES:
        value = getattr(secrets, name)
        assert len(bytes.fromhex(value)) == 32
        path = settings.secrets_dir / name
        assert mode(path) == 0o600
        assert path.read_text().strip() == value
    assert len(set(secrets.values())) == 3
    assert sorted(p.name for p in settings.secrets_dir.iterdir()) == sorted(NAMES)


def test_later_starts_reuse_the_same_secrets(settings: Settings) -> None:
    first = ensure_secrets(settings)
    assert ensure_secrets(settings).values() == first.values()


def test_configured_secrets_win_and_are_not_written(tmp_path: Path) -> None:
    given = "cd" * 32
    settings = load_settings(data_dir=tmp_path, database_key=given)
    assert ensure_secrets(settings).database_key == given
    assert not (settings.secrets_dir / "database_key").exists()


def test_a_secret_file_readable_by_others_is_refused(settings: Settings) -> None:
    ensure_secrets(settings)
    (settings.secrets_dir / "pepper").chmod(0o644)
    with pytest.raises(ConfigError) as caught:
        ensure_secrets(settings)
    [line] = caught.value.problems
    assert "readable by other users (mode 644)" in line
    assert f"chmod 600 {settings.secrets_dir / 'pepper'}" in line


def test_an_empty_secret_file_is_refused_not_replaced(settings: Settings) -> None:
    settings.secrets_dir.mkdir(parents=True)
    (settings.secrets_dir / "database_key").write_text("")
    (settings.secrets_dir / "database_key").chmod(0o600)
    with pytest.raises(ConfigError, match="empty"):
        ensure_secrets(settings)
    assert (settings.secrets_dir / "database_key").read_text() == ""


def test_a_data_dir_that_cannot_be_created_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError) as caught:
        ensure_secrets(load_settings(data_dir=blocker / "data"))
    [line] = caught.value.problems
    assert line.startswith(f"VQS_DATA_DIR: cannot create {blocker / 'data'}")


def test_repr_never_shows_a_value(settings: Settings) -> None:
    secrets = ensure_secrets(settings)
    assert repr(secrets) == "RuntimeSecrets(<redacted>)"
    assert all(value not in str(secrets) for value in secrets.values())


def _generate(data_dir: str, barrier: multiprocessing.synchronize.Barrier) -> tuple[str, ...]:
    settings = load_settings(data_dir=data_dir)
    barrier.wait()
    return ensure_secrets(settings).values()


def test_processes_starting_together_agree_on_one_set(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    racers = 4
    with context.Manager() as manager, context.Pool(racers) as pool:
        barrier = manager.Barrier(racers)
        results = pool.starmap(_generate, [(str(tmp_path / "data"), barrier)] * racers)
    assert len(set(results)) == 1
    on_disk = RuntimeSecrets(
        *(
            (tmp_path / "data" / "secrets" / name).read_text().strip()
            for name in ("master_secret", "database_key", "pepper")
        )
    )
    assert results[0] == on_disk.values()
    assert sorted(p.name for p in (tmp_path / "data" / "secrets").iterdir()) == sorted(NAMES)
