"""The demo's simulated media stack: a Sonarr, a Radarr and a Prowlarr on loopback.

`make demo` starts these beside the app so a newcomer sees the whole job without owning any
*arr. `DemoStack.demo_instances()` is the hook that tells the app about them (the instances
domain wires them in as configured instances).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

__all__ = ["DemoInstance", "DemoStack", "start_demo_stack"]

_APPS = (("Demo Sonarr", "sonarr", 8989, 400), ("Demo Radarr", "radarr", 7878, 150),
         ("Demo Prowlarr", "prowlarr", 9696, 0))  # fmt: skip


@dataclass(frozen=True)
class DemoInstance:
    name: str
    app: str
    url: str
    api_key: str


@dataclass
class DemoStack:
    instances: list[DemoInstance]
    _servers: list[object] = field(default_factory=list, repr=False)

    def demo_instances(self) -> list[DemoInstance]:
        """Hook: the *arr instances the demo app should be configured with."""
        return list(self.instances)

    def stop(self) -> None:
        for server in self._servers:
            server.stop()  # type: ignore[attr-defined]


def start_demo_stack(host: str = "127.0.0.1", speed: float = 10.0, seed: int = 42) -> DemoStack:
    """Start the simulators (fixed ports, or the next free ones) with fresh keys per run."""
    from vibe_quality_searcharr.simulator.config import AppConfig, build_states
    from vibe_quality_searcharr.simulator.server import ServerThread, bind_near

    entries = [
        AppConfig(app=app, port=bind_near(host, port), name=name, api_key=secrets.token_hex(16),
                  seed=seed, size=size)
        for name, app, port, size in _APPS
    ]  # fmt: skip
    states = build_states(entries, speed=speed, host=host)
    servers = [
        ServerThread(state, host, entry.port) for state, entry in zip(states, entries, strict=True)
    ]
    stack = DemoStack(instances=[], _servers=[])
    try:
        for server in servers:
            server.start()
            stack._servers.append(server)
    except Exception:
        stack.stop()
        raise
    stack.instances = [
        DemoInstance(entry.name, entry.app, server.base_url, entry.api_key)
        for entry, server in zip(entries, servers, strict=True)
    ]
    return stack
