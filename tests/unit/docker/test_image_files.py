"""Cheap guards on the container files (no Docker engine needed).

Huntarr finding 20 was a container running as root; these keep the image unprivileged, health
checked and on the intended base, and the compose file hardened.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "docker/Dockerfile"
COMPOSE = ROOT / "docker/docker-compose.yml"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    parsed = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            parsed.append((keyword.upper(), rest.strip()))
    return parsed


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def compose_service() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text())
    [service] = document["services"].values()
    assert isinstance(service, dict)
    return service


def test_every_stage_is_python_313_slim() -> None:
    bases = [args.split()[0] for keyword, args in instructions() if keyword == "FROM"]
    assert len(bases) >= 2, "multi-stage: build and runtime"
    assert set(bases) == {"python:3.13-slim"}


def test_the_image_runs_as_uid_1000() -> None:
    users = [args for keyword, args in final_stage() if keyword == "USER"]
    assert users, "no USER in the final stage: the container would run as root"
    assert users[-1].split(":")[0] == "1000"


def test_the_healthcheck_probes_liveness_without_curl() -> None:
    [check] = [args for keyword, args in final_stage() if keyword == "HEALTHCHECK"]
    assert "/health/live" in check
    assert "urllib.request" in check
    assert not any("curl" in args for _, args in instructions())


def test_requirements_are_installed_with_hashes_and_binary_only() -> None:
    runs = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    for install in re.findall(r"pip install [^&]*-r \S+", runs):
        assert "--require-hashes" in install
        assert "--only-binary=:all:" in install


def test_the_runtime_writes_only_to_data() -> None:
    env = " ".join(args for keyword, args in final_stage() if keyword == "ENV")
    assert "VQS_DATA_DIR=/data" in env
    assert "VQS_HOST=0.0.0.0" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert ("WORKDIR", "/data") in final_stage()


def test_compose_hardens_the_container() -> None:
    service = compose_service()
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert any(mount.startswith("/tmp") for mount in service["tmpfs"])
    assert any(volume.endswith(":/data") for volume in service["volumes"])
    assert str(service["user"]).split(":")[0] == "1000"


def test_compose_passes_secrets_as_files() -> None:
    service = compose_service()
    document = yaml.safe_load(COMPOSE.read_text())
    for name in ("MASTER_SECRET", "DATABASE_KEY", "PEPPER"):
        secret = f"vqs_{name.lower()}"
        assert service["environment"][f"VQS_{name}_FILE"] == f"/run/secrets/{secret}"
        assert f"VQS_{name}" not in service["environment"]
        assert secret in service["secrets"]
        assert "file" in document["secrets"][secret]
