"""Start any simulated app in-process on a free loopback port, for tests and scripts.

    with running_simulator("sonarr", size=100) as sim:
        httpx.get(f"{sim.base_url}/api/v3/wanted/missing", headers={"X-Api-Key": sim.api_key})
        sim.clock.advance(600)     # the simulated clock: no sleeping in tests

The clock is frozen by default (`speed=0`) so every test decides when time passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from vibe_quality_searcharr.simulator.backlog import install_library
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.indexers import IndexerPool
from vibe_quality_searcharr.simulator.library import Library
from vibe_quality_searcharr.simulator.server import ServerThread
from vibe_quality_searcharr.simulator.state import LinkedApp, SimState

__all__ = ["RunningSimulator", "link_prowlarr", "running_simulator", "start_simulator"]


@dataclass
class RunningSimulator:
    """A live simulated app: where it listens, its key, and its state and clock."""

    app: str
    base_url: str
    api_key: str
    state: SimState
    server: ServerThread

    @property
    def clock(self) -> SimClock:
        return self.state.clock

    @property
    def api_root(self) -> str:
        return f"{self.base_url}{self.state.spec.api_root}"

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key}

    def advance(self, seconds: float) -> None:
        """Move the simulated clock and let commands, grabs and imports catch up."""
        self.state.clock.advance(seconds)
        self.state.advance()

    def stop(self) -> None:
        self.server.stop()


def start_simulator(
    app: str = "sonarr",
    *,
    api_key: str | None = None,
    seed: int = 1,
    size: int = 50,
    version: str | None = None,
    speed: float = 0.0,
    start: datetime | None = None,
    clock: SimClock | None = None,
    pool: IndexerPool | None = None,
    app_tags: list[int] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    join: RunningSimulator | None = None,
    library: Library | None = None,
) -> RunningSimulator:
    """Serve one simulated app on a background thread; call `.stop()` when done.

    `join=prowlarr_sim` puts this app behind that Prowlarr: same indexers, same clock, one
    event order, and it is listed in Prowlarr's applications."""
    if join is not None:
        clock, pool = join.state.clock, join.state.pool
    state = SimState(
        app, api_key=api_key, seed=seed, size=size, version=version,
        clock=clock or SimClock(start, speed=speed), pool=pool, app_tags=app_tags,
    )  # fmt: skip
    if join is not None:
        state.join(join.state)
    if library is not None:
        install_library(state, library)
    server = ServerThread(state, host, port)
    server.start()
    sim = RunningSimulator(app, server.base_url, state.api_key, state, server)
    if join is not None and join.state.spec.key == "prowlarr":
        members = [m for m in join.state.world if m.spec.key != "prowlarr"]
        join.state.linked_apps.append(
            LinkedApp(
                len(members), state.instance_name, app, sim.base_url, sim.api_key, state.app_tags
            )
        )
    return sim


@contextmanager
def running_simulator(app: str = "sonarr", **options: object) -> Iterator[RunningSimulator]:
    sim = start_simulator(app, **options)  # type: ignore[arg-type]
    try:
        yield sim
    finally:
        sim.stop()


def link_prowlarr(prowlarr: RunningSimulator, *apps: RunningSimulator) -> None:
    """Register *arr simulators as Prowlarr applications (share `pool` and `clock` when starting
    them so their searches count against Prowlarr's indexers)."""
    prowlarr.state.linked_apps = [
        LinkedApp(
            index + 1,
            sim.state.instance_name,
            sim.app,
            sim.base_url,
            sim.api_key,
            sim.state.app_tags,
        )
        for index, sim in enumerate(apps)
    ]
