"""Sonarr and Whisparr v2 libraries: series with seasons and episodes over decades.

Continuing, ended and upcoming series, specials (season 0), unmonitored series and episodes,
files with qualities on both sides of the cutoff and custom-format scores. Generation stops
when exactly `size` episodes are on the default wanted/missing list at `now`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from vibe_quality_searcharr.simulator.families import AppSpec
from vibe_quality_searcharr.simulator.library import Library
from vibe_quality_searcharr.simulator.model import Item, Parent
from vibe_quality_searcharr.simulator.names import make_title, sort_title
from vibe_quality_searcharr.simulator.profiles import make_profiles, make_tags

__all__ = ["generate_tv"]

_NETWORKS = ("HBO", "BBC One", "NHK", "Netflix", "ARD", "Canal+", "AMC", "ABC")
_GROUPS = ("NTb", "FLUX", "KOGi", "SiGMA", "Ñoño", "EDITH")
_DAY = timedelta(days=1)


def generate_tv(spec: AppSpec, seed: int, size: int, now: datetime) -> Library:
    rng = random.Random(seed)
    library = Library(spec=spec, profiles=make_profiles(spec), tags=make_tags())
    rand = rng.random
    randint = rng.randint
    missing = 0
    episode_id = 0
    series_id = 0
    while missing < size or series_id < 3:
        series_id += 1
        title = make_title(rng, series_id)
        roll = rand()
        status = "continuing" if roll < 0.45 else "ended" if roll < 0.92 else "upcoming"
        seasons = 1 if status == "upcoming" else randint(1, 12)
        per_season = randint(6, 24)
        runtime = rng.choice((22, 25, 30, 45, 50, 60))
        if status == "continuing":
            last_start = now - _DAY * (7 * randint(0, per_season - 1) + 1)
            first = last_start - _DAY * (365 * (seasons - 1))
        elif status == "ended":
            first = now - _DAY * (365 * (seasons + randint(1, 40)))
        else:
            first = now + _DAY * randint(10, 200)
        profile_id = 1 + int(rand() * 3)
        profile = library.profile_by_id[profile_id]
        series = Parent(
            id=series_id,
            title=title,
            sort_title=sort_title(title),
            year=first.year,
            status=status,
            monitored=rand() < 0.9,
            profile_id=profile_id,
            tags=sorted({randint(1, 5) for _ in range(randint(0, 2))}),
            added=min(now, first + _DAY * 30) - _DAY * randint(0, 3000),
            foreign_id=70_000 + series_id * 13,
            runtime=runtime,
            network=rng.choice(_NETWORKS),
            genres=["Drama"] if series_id % 2 else ["Comedy", "Animation"],
            path=f"/tv/{title}",
            first_aired=first,
        )
        library.parents[series_id] = series
        season_numbers = list(range(1, seasons + 1))
        if rand() < 0.2:
            season_numbers.insert(0, 0)
        absolute = 0
        for season in season_numbers:
            season_monitored = rand() < 0.95
            series.season_monitored[season] = season_monitored
            start = first + _DAY * (365 * max(season - 1, 0))
            count = randint(1, 4) if season == 0 else per_season
            for number in range(1, count + 1):
                episode_id += 1
                if season == 0:
                    air: datetime | None = first + _DAY * randint(0, 365 * seasons)
                else:
                    absolute += 1
                    air = start + _DAY * (7 * (number - 1))
                if air is not None and rand() < 0.01:
                    air = None
                item = Item(
                    id=episode_id,
                    parent_id=series_id,
                    season=season,
                    number=number,
                    title=f"Episode {number} – {title.split(' ')[0]}",  # noqa: RUF001 (unicode on purpose)
                    air=air,
                    runtime=runtime,
                    monitored=season_monitored and rand() < 0.97,
                    foreign_id=1_000_000 + episode_id,
                    abs_number=absolute if season else None,
                )
                library.items[episode_id] = item
                aired = air is not None and air + timedelta(minutes=runtime) <= now
                if not aired:
                    continue
                counts = season >= 1 and item.monitored and series.monitored
                if rand() < 0.55 or (counts and missing >= size):
                    _give_file(library, rng, item, profile.allowed, air or now)
                elif counts:
                    missing += 1
    library.index()
    return library


def _give_file(
    library: Library, rng: random.Random, item: Item, allowed: list[int], aired: datetime
) -> None:
    quality = allowed[int(rng.random() * len(allowed))]
    score = rng.choice((-100, 0, 0, 20, 30, 50))
    added = aired + timedelta(minutes=item.runtime)
    library.add_file(item, quality, score, added, rng.choice(_GROUPS))
