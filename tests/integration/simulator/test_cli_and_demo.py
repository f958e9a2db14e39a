"""`vqs simulate` input errors, and the demo's simulated stack."""

from __future__ import annotations

from pathlib import Path

import httpx
from typer.testing import CliRunner

from vibe_quality_searcharr.cli import app
from vibe_quality_searcharr.demo import start_demo_stack


def test_simulate_rejects_an_unknown_app() -> None:
    result = CliRunner().invoke(app, ["simulate", "--app", "plex"])
    assert result.exit_code == 2
    assert "--app must be one of" in result.output


def test_simulate_rejects_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text("apps: nope")
    result = CliRunner().invoke(app, ["simulate", "--config", str(config)])
    assert result.exit_code == 2
    assert "apps:" in result.output


def test_simulate_rejects_a_bad_fault_flag() -> None:
    result = CliRunner().invoke(app, ["simulate", "--app", "sonarr", "--fault", "explode"])
    assert result.exit_code == 2
    assert "unknown fault kind" in result.output


def test_demo_stack_serves_sonarr_radarr_and_prowlarr_wired_together() -> None:
    stack = start_demo_stack(speed=0)
    try:
        instances = {instance.app: instance for instance in stack.demo_instances()}
        assert set(instances) == {"sonarr", "radarr", "prowlarr"}
        for instance in instances.values():
            assert instance.url.startswith("http://127.0.0.1:")
            status = httpx.get(
                f"{instance.url}/api/{'v1' if instance.app == 'prowlarr' else 'v3'}/system/status",
                headers={"X-Api-Key": instance.api_key},
                timeout=5,
            )
            assert status.status_code == 200
        prowlarr = instances["prowlarr"]
        apps = httpx.get(
            f"{prowlarr.url}/api/v1/applications",
            headers={"X-Api-Key": prowlarr.api_key},
            timeout=5,
        ).json()
        urls = {field["value"] for a in apps for field in a["fields"] if field["name"] == "baseUrl"}
        assert urls == {instances["sonarr"].url, instances["radarr"].url}
        assert len({instance.api_key for instance in instances.values()}) == 3
    finally:
        stack.stop()
