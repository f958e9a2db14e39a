"""Guards on the scale-out recipe (docker/docker-compose.scale.yml and docker/Caddyfile) that need
no Docker engine: every setting it names exists and validates, every replica gets the same
secrets as files, only the proxy is published, the proxy trusts exactly itself, and it balances
over every replica on their readiness probe without buffering the event stream."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from vibe_quality_searcharr.observability import health
from vibe_quality_searcharr.settings import ENV_PREFIX, SECRET_FIELDS, Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker/docker-compose.scale.yml"
CADDYFILE = ROOT / "docker/Caddyfile"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(document, dict)
    return document


def replicas(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if name.startswith("vqs-")}


def vqs_environment(compose: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for service in compose["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if name.startswith(ENV_PREFIX):
                names[name] = str(value)
    return names


def test_there_are_several_identical_replicas_on_one_postgres(compose: dict[str, Any]) -> None:
    found = replicas(compose)
    assert len(found) >= 2
    first, *others = found.values()
    assert all(other == first for other in others)  # one YAML anchor: nothing drifts
    assert first["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert compose["services"]["postgres"]["image"].startswith("postgres:")


def test_every_setting_named_exists(compose: dict[str, Any]) -> None:
    names = vqs_environment(compose)
    assert names
    for name in names:
        field = name.removeprefix(ENV_PREFIX).lower()
        if field.endswith("_file"):
            assert field.removesuffix("_file") in SECRET_FIELDS, name
        else:
            assert field in Settings.model_fields, name


def test_the_plain_settings_validate(compose: dict[str, Any]) -> None:
    values = {
        name.removeprefix(ENV_PREFIX).lower(): value
        for name, value in vqs_environment(compose).items()
        if not name.endswith("_FILE")
    }
    settings = load_settings(data_dir=Path("/data"), **values)
    assert settings.scheduler_enabled
    assert settings.trusted_proxies


def test_every_replica_reads_the_shared_secrets_from_files(compose: dict[str, Any]) -> None:
    declared = compose["secrets"]
    for name, service in replicas(compose).items():
        env = service["environment"]
        assert {"VQS_DATABASE_URL_FILE", "VQS_MASTER_SECRET_FILE", "VQS_PEPPER_FILE"} <= set(env)
        assert not {"VQS_DATABASE_URL", "VQS_MASTER_SECRET", "VQS_PEPPER"} & set(env), name
        for variable in ("VQS_DATABASE_URL_FILE", "VQS_MASTER_SECRET_FILE", "VQS_PEPPER_FILE"):
            secret = env[variable].removeprefix("/run/secrets/")
            assert secret in service["secrets"], (name, variable)
            assert declared[secret]["file"].startswith("./secrets/")
    # The URL's password and PostgreSQL's come from the same generated file (see the header).
    postgres = compose["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def test_only_the_proxy_is_published_and_replicas_stay_hardened(compose: dict[str, Any]) -> None:
    published = [name for name, svc in compose["services"].items() if svc.get("ports")]
    assert published == ["proxy"]
    for service in replicas(compose).values():
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert service["user"] == "1000:1000"
        assert any(mount.startswith("/data:") for mount in service["tmpfs"])


def test_the_replicas_trust_exactly_the_proxy(compose: dict[str, Any]) -> None:
    proxy_ip = ipaddress.ip_address(compose["services"]["proxy"]["networks"]["vqs"]["ipv4_address"])
    subnet = ipaddress.ip_network(compose["networks"]["vqs"]["ipam"]["config"][0]["subnet"])
    assert proxy_ip in subnet
    for service in replicas(compose).values():
        trusted = [
            ipaddress.ip_network(cidr.strip())
            for cidr in service["environment"]["VQS_TRUSTED_PROXIES"].split(",")
        ]
        assert trusted == [ipaddress.ip_network(f"{proxy_ip}/32")]


def _caddy_directive(name: str) -> list[str]:
    text = CADDYFILE.read_text()
    return [
        line.split(None, 1)[1].strip() if " " in line.strip() else ""
        for line in (raw.strip() for raw in text.splitlines())
        if line.split(None, 1)[:1] == [name]
    ]


def test_the_proxy_balances_over_every_replica_on_readiness(compose: dict[str, Any]) -> None:
    [upstreams] = _caddy_directive("reverse_proxy")
    targets = re.findall(r"([\w-]+):(\d+)", upstreams)
    assert sorted(targets) == sorted((name, "7337") for name in replicas(compose))
    [probe] = _caddy_directive("health_uri")
    assert probe == "/health/ready"
    assert any(route.path == probe for route in health.router.routes)  # type: ignore[attr-defined]
    mounts = compose["services"]["proxy"]["volumes"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in mounts


def test_the_proxy_never_buffers_the_event_stream() -> None:
    assert _caddy_directive("flush_interval") == ["-1"]
    assert not _caddy_directive("read_timeout")
    assert not _caddy_directive("response_header_timeout")
