"""A Sonarr library shaped as a stated backlog: exactly `series` series carrying exactly
`missing` episodes on the default wanted/missing list, for benchmarks that compare search
strategies on a fixed backlog (the ordinary generator decides the series count itself).

The seasons look like a real backlog: every series has several fully aired seasons of a fixed
length (ended shows, or continuing ones with a current season still airing); some seasons are
held whole, some are missing whole (a user added an old show), the rest have gaps. Which
episodes are missing is decided by a per-season pattern plus noise, then cut at exactly
`missing`, so the figure never drifts with the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from vibe_quality_searcharr.simulator.families import APPS, wanted_sort_spec
from vibe_quality_searcharr.simulator.library import Library
from vibe_quality_searcharr.simulator.model import Item, Parent
from vibe_quality_searcharr.simulator.names import make_title, sort_title
from vibe_quality_searcharr.simulator.profiles import make_profiles, make_tags
from vibe_quality_searcharr.simulator.state import SimState
from vibe_quality_searcharr.simulator.wanted import WantedLists

__all__ = ["generate_tv_backlog", "install_library"]

_DAY = timedelta(days=1)
# Per-season share of missing episodes: held whole, gaps, or missing whole.
_PATTERNS = ((0.0, 0.30), (0.35, 0.35), (1.0, 0.35))


@dataclass
class _Candidate:
    item: Item
    weight: float


def generate_tv_backlog(seed: int, now: datetime, *, series: int, missing: int) -> Library:
    """`series` monitored series; exactly `missing` aired, monitored episodes without a file."""
    if series < 1 or missing < 0:
        raise ValueError("series must be >= 1 and missing >= 0")
    rng = random.Random(seed)
    spec = APPS["sonarr"]
    library = Library(spec=spec, profiles=make_profiles(spec), tags=make_tags())
    candidates: list[_Candidate] = []
    episode_id = 0
    seasons_of = [rng.randint(3, 10) for _ in range(series)]
    lengths = [rng.choice((8, 10, 12, 13, 16, 20, 22, 24)) for _ in range(series)]
    # Enough aired episodes that the missing ones leave room for held ones and gaps.
    while sum(s * n for s, n in zip(seasons_of, lengths, strict=True)) < missing * 1.6:
        seasons_of[rng.randrange(series)] += 1
    for index in range(series):
        series_id = index + 1
        title = make_title(rng, series_id)
        continuing = rng.random() < 0.4
        seasons, per_season = seasons_of[index], lengths[index]
        runtime = rng.choice((22, 30, 45, 60))
        first = now - _DAY * (365 * seasons + (0 if continuing else rng.randint(30, 3000)))
        profile_id = 1 + index % 3
        show = Parent(
            id=series_id, title=title, sort_title=sort_title(title), year=first.year,
            status="continuing" if continuing else "ended", monitored=True,
            profile_id=profile_id, tags=[], added=first + _DAY * 30,
            foreign_id=70_000 + series_id * 13, runtime=runtime, network="HBO",
            genres=["Drama"], path=f"/tv/{title}", first_aired=first,
        )  # fmt: skip
        library.parents[series_id] = show
        for season in range(1, seasons + 1):
            show.season_monitored[season] = True
            share = rng.choices([p[0] for p in _PATTERNS], [p[1] for p in _PATTERNS])[0]
            start = first + _DAY * (365 * (season - 1))
            for number in range(1, per_season + 1):
                episode_id += 1
                item = Item(
                    id=episode_id, parent_id=series_id, season=season, number=number,
                    title=f"Episode {number}", air=start + _DAY * (7 * (number - 1)),
                    runtime=runtime, monitored=True, foreign_id=1_000_000 + episode_id,
                )  # fmt: skip
                library.items[episode_id] = item
                assert item.air is not None
                if item.air + timedelta(minutes=runtime) > now:
                    continue
                candidates.append(_Candidate(item, share + rng.random() * 0.3))
    candidates.sort(key=lambda c: c.weight, reverse=True)
    for position, candidate in enumerate(candidates):
        if position >= missing:
            item = candidate.item
            profile = library.profile_by_id[library.parents[item.parent_id].profile_id]
            quality = profile.allowed[-1]
            assert item.air is not None
            library.add_file(item, quality, 0, item.air + timedelta(minutes=item.runtime), "NTb")
    library.index()
    return library


def install_library(state: SimState, library: Library) -> None:
    """Serve `library` instead of the generated one; call before the simulator is used.
    (`reset()` regenerates the seed's library as before.)"""
    with state.lock:
        state.library = library
        state.wanted = WantedLists(library)
        state.wanted.warm(wanted_sort_spec(state.spec, state.version_tuple).default_field)
