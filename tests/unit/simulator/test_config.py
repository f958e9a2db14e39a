"""sim.yaml: several apps on one clock, Prowlarr wired to the *arr apps; bad files explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.config import ConfigError, build_states, load_config

SIM_YAML = """
speed: 5
size: 20
apps:
  - {app: sonarr, port: 18989, name: sonarr-hd, api_key: aaaa}
  - {app: sonarr, port: 18990, name: sonarr-4k, tags: [3], size: 5}
  - {app: radarr, port: 17878, version: 5.4.6.8723}
  - {app: prowlarr, port: 19696, faults: [{kind: latency, latencyMs: 10}]}
"""


def test_several_apps_share_clock_and_indexers(tmp_path: Path) -> None:
    path = tmp_path / "sim.yaml"
    path.write_text(SIM_YAML)
    entries, speed = load_config(path)
    assert speed == 5
    states = build_states(entries, speed=speed)
    sonarr_hd, sonarr_4k, radarr, prowlarr = states
    assert sonarr_hd.api_key == "aaaa"
    assert sonarr_4k.api_key
    assert sonarr_4k.api_key != radarr.api_key
    assert sonarr_4k.size == 5
    assert sonarr_hd.size == 20
    assert not radarr.has_wanted
    assert len({id(state.clock) for state in states}) == 1
    assert len({id(state.pool) for state in states}) == 1
    assert [(a.name, a.base_url) for a in prowlarr.linked_apps] == [
        ("sonarr-hd", "http://127.0.0.1:18989"),
        ("sonarr-4k", "http://127.0.0.1:18990"),
        ("radarr-3", "http://127.0.0.1:17878"),
    ]
    assert prowlarr.linked_apps[1].tags == [3]
    assert [rule.kind for rule in prowlarr.faults.rules()] == ["latency"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("apps: []", "non-empty"),
        ("apps: [{app: plex, port: 1}]", "must be one of"),
        ("apps: [{app: sonarr, port: 1}, {app: radarr, port: 1}]", "own port"),
        ("apps: [{app: sonarr, port: 1, colour: red}]", "unknown keys"),
        ("apps: [{app: sonarr, port: x}]", r"apps\[0\]"),
    ],
)
def test_bad_files_are_explained(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "sim.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem):
        load_config(path)


def test_clock_moves_only_forward_and_by_speed() -> None:
    ticks = iter([0.0, 0.0, 10.0, 10.0])
    clock = SimClock(speed=2.0, monotonic=lambda: next(ticks))
    start = clock.now()
    assert (clock.now() - start).total_seconds() == 20.0
    with pytest.raises(ValueError, match="never goes back"):
        clock.advance(-1)
