"""Radarr and Whisparr v3 libraries: movies with release dates, some unreleased, some with files.

A movie is both the parent and the wanted item, so each `Item` carries a `MovieInfo`.
Generation stops when exactly `size` movies are on the default wanted/missing list at `now`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from vibe_quality_searcharr.simulator.families import AppSpec
from vibe_quality_searcharr.simulator.library import Library, available_at
from vibe_quality_searcharr.simulator.model import Item, MovieInfo
from vibe_quality_searcharr.simulator.names import make_title, sort_title
from vibe_quality_searcharr.simulator.profiles import make_profiles, make_tags

__all__ = ["generate_movies"]

_STUDIOS = ("A24", "Toho", "Gaumont", "Studio Ghibli", "Warner Bros.", "Constantin Film")
_GROUPS = ("FraMeSToR", "SPARKS", "EVO", "Tigole", "ÉLITE")
_DAY = timedelta(days=1)


def generate_movies(spec: AppSpec, seed: int, size: int, now: datetime) -> Library:
    rng = random.Random(seed)
    library = Library(spec=spec, profiles=make_profiles(spec), tags=make_tags())
    missing = 0
    movie_id = 0
    while missing < size or movie_id < 3:
        movie_id += 1
        title = make_title(rng, movie_id)
        roll = rng.random()
        if roll < 0.03:
            cinemas = digital = physical = None
        elif roll < 0.12:
            cinemas = now + _DAY * rng.randint(5, 400)
            digital = cinemas + _DAY * 75
            physical = cinemas + _DAY * 110
        else:
            cinemas = now - _DAY * rng.randint(1, 365 * 80)
            digital = cinemas + _DAY * 75 if rng.random() < 0.8 else None
            physical = cinemas + _DAY * 110 if rng.random() < 0.7 else None
        year = (cinemas or now + _DAY * 800).year
        info = MovieInfo(
            profile_id=1 + int(rng.random() * 3),
            tags=sorted({rng.randint(1, 5) for _ in range(rng.randint(0, 2))}),
            sort_title=sort_title(title),
            year=year,
            added=now - _DAY * rng.randint(0, 3000),
            in_cinemas=cinemas,
            digital=digital,
            physical=physical,
            min_availability=rng.choice(("announced", "inCinemas", "released", "released")),
            path=f"/movies/{title} ({year})",
            studio=rng.choice(_STUDIOS),
            genres=["Drama"] if movie_id % 3 else ["Action", "Thriller"],
        )
        item = Item(
            id=movie_id,
            parent_id=0,
            season=0,
            number=0,
            title=title,
            air=cinemas,
            runtime=rng.choice((88, 95, 104, 118, 132, 151)),
            monitored=rng.random() < 0.92,
            foreign_id=100_000 + movie_id * 7,
            movie=info,
        )
        library.items[movie_id] = item
        when = available_at(item)
        if when is None or when > now:
            continue
        counts = item.monitored
        if rng.random() < 0.5 or (counts and missing >= size):
            allowed = library.profile_by_id[info.profile_id].allowed
            quality = allowed[int(rng.random() * len(allowed))]
            library.add_file(
                item, quality, rng.choice((-100, 0, 20, 50)), min(now, when), rng.choice(_GROUPS)
            )
        elif counts:
            missing += 1
    library.index()
    return library
