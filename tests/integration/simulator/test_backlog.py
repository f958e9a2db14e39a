"""A stated backlog (`simulator.backlog`): the served Sonarr has exactly the series and missing
episodes asked for, shaped in seasons, whatever the seed; bad sizes are refused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from vibe_quality_searcharr.simulator.backlog import generate_tv_backlog
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def _get(sim: RunningSimulator, path: str, **params: Any) -> Any:
    response = httpx.get(f"{sim.api_root}/{path}", params=params, headers=sim.headers, timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("seed", [1, 7])
def test_the_served_library_has_exactly_the_stated_backlog(
    seed: int, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    clock = SimClock()
    backlog = generate_tv_backlog(seed, clock.now(), series=6, missing=400)
    sim = simulator_factory("sonarr", size=0, clock=clock, library=backlog)
    series = _get(sim, "series")
    missing = _get(sim, "wanted/missing", pageSize=10_000)
    assert len(series) == 6
    assert missing["totalRecords"] == 400
    assert {record["seriesId"] for record in missing["records"]} <= {s["id"] for s in series}
    per_season = Counter((r["seriesId"], r["seasonNumber"]) for r in missing["records"])
    lengths = {
        (s["id"], season["seasonNumber"]): season["statistics"]["totalEpisodeCount"]
        for s in series
        for season in s["seasons"]
    }
    whole = [key for key, count in per_season.items() if count == lengths[key]]
    partial = [key for key, count in per_season.items() if count < lengths[key]]
    assert whole, "some seasons are missing whole (season-pack candidates)"
    assert partial or len(per_season) < len(lengths), "and some are held or have gaps"


def test_bad_sizes_are_refused() -> None:
    now = SimClock().now()
    with pytest.raises(ValueError, match="series"):
        generate_tv_backlog(1, now, series=0, missing=10)
    with pytest.raises(ValueError, match="missing"):
        generate_tv_backlog(1, now, series=3, missing=-1)
