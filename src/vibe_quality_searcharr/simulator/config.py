"""Several simulated apps at once, from a sim.yaml: one clock, one indexer pool.

Every *arr in the file is also an application of the file's Prowlarr (if any), and they all
search through that Prowlarr's indexers, so limits are counted across apps as Prowlarr does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.families import APPS
from vibe_quality_searcharr.simulator.faults import FaultRule
from vibe_quality_searcharr.simulator.indexers import IndexerPool, default_indexers
from vibe_quality_searcharr.simulator.state import LinkedApp, SimState

__all__ = ["AppConfig", "ConfigError", "build_states", "load_config"]


class ConfigError(ValueError):
    """A sim.yaml that cannot be served; the message says which entry and why."""


@dataclass
class AppConfig:
    app: str
    port: int
    name: str = ""
    api_key: str = ""
    seed: int = 1
    size: int = 200
    version: str | None = None
    tags: list[int] = field(default_factory=list)
    faults: list[FaultRule] = field(default_factory=list)
    rss_interval: float = 900.0


def _entry(raw: Any, index: int, defaults: dict[str, Any]) -> AppConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"apps[{index}] must be a mapping")
    data = {**defaults, **raw}
    app = data.get("app")
    if app not in APPS:
        raise ConfigError(f"apps[{index}].app must be one of {', '.join(APPS)}")
    allowed = {"app", "port", "name", "api_key", "seed", "size", "version", "tags", "faults",
               "rss_interval"}  # fmt: skip
    unknown = set(raw) - allowed
    if unknown:
        raise ConfigError(f"apps[{index}] has unknown keys: {', '.join(sorted(unknown))}")
    try:
        return AppConfig(
            app=app,
            port=int(data.get("port", APPS[app].port)),
            name=str(data.get("name") or f"{app}-{index + 1}"),
            api_key=str(data.get("api_key") or secrets.token_hex(16)),
            seed=int(data.get("seed", 1)),
            size=int(data.get("size", 200)),
            version=str(data["version"]) if data.get("version") else None,
            tags=[int(tag) for tag in data.get("tags", [])],
            faults=[FaultRule.from_json(rule) for rule in data.get("faults", [])],
            rss_interval=float(data.get("rss_interval", 900.0)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"apps[{index}]: {exc}") from None


def load_config(path: Path) -> tuple[list[AppConfig], float]:
    """Parse a sim.yaml into app entries (with their RSS interval) and the shared clock speed."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("apps"), list) or not raw["apps"]:
        raise ConfigError("sim.yaml needs a non-empty `apps:` list")
    defaults = {key: raw[key] for key in ("seed", "size", "rss_interval") if key in raw}
    entries = [_entry(item, index, defaults) for index, item in enumerate(raw["apps"])]
    ports = [entry.port for entry in entries]
    if len(set(ports)) != len(ports):
        raise ConfigError("every app needs its own port")
    return entries, float(raw.get("speed", 1.0))


def build_states(
    entries: list[AppConfig],
    *,
    speed: float = 1.0,
    host: str = "127.0.0.1",
    clock: SimClock | None = None,
) -> list[SimState]:
    """States sharing one clock and one indexer pool, Prowlarr wired to every *arr."""
    clock = clock or SimClock(speed=speed)
    pool = IndexerPool(default_indexers(clock.now()))
    states = []
    for entry in entries:
        state = SimState(
            entry.app, api_key=entry.api_key, seed=entry.seed, size=entry.size,
            version=entry.version, clock=clock, pool=pool, app_tags=entry.tags,
            instance_name=entry.name,
        )  # fmt: skip
        for rule in entry.faults:
            state.faults.add(rule)
        state.tuning.rss_interval = entry.rss_interval
        states.append(state)
    for state in states[1:]:
        state.join(states[0])
    linked = [
        LinkedApp(
            index + 1,
            entry.name,
            entry.app,
            f"http://{host}:{entry.port}",
            entry.api_key,
            entry.tags,
        )
        for index, entry in enumerate(e for e in entries if e.app != "prowlarr")
    ]
    for state in states:
        if state.spec.key == "prowlarr":
            state.linked_apps = list(linked)
    return states
