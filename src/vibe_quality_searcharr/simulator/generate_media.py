"""Lidarr and Readarr libraries: artists with albums, authors with books.

Both are a parent with dated children and no seasons; the wanted unit is the album or book.
Generation stops when exactly `size` children are on the default wanted/missing list.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from vibe_quality_searcharr.simulator.families import AppSpec
from vibe_quality_searcharr.simulator.library import Library
from vibe_quality_searcharr.simulator.model import Item, Parent
from vibe_quality_searcharr.simulator.names import make_title, person_name, sort_title
from vibe_quality_searcharr.simulator.profiles import make_profiles, make_tags

__all__ = ["generate_media"]

_DAY = timedelta(days=1)


def generate_media(spec: AppSpec, seed: int, size: int, now: datetime) -> Library:
    rng = random.Random(seed)
    library = Library(spec=spec, profiles=make_profiles(spec), tags=make_tags())
    is_music = spec.family == "album"
    missing = 0
    item_id = 0
    parent_id = 0
    while missing < size or parent_id < 3:
        parent_id += 1
        name = f"{person_name(rng)} {parent_id}"
        debut = now - _DAY * rng.randint(200, 365 * 50)
        parent = Parent(
            id=parent_id,
            title=name,
            sort_title=sort_title(name),
            year=debut.year,
            status="continuing" if rng.random() < 0.6 else "ended",
            monitored=rng.random() < 0.9,
            profile_id=1 + int(rng.random() * 3),
            tags=sorted({rng.randint(1, 5) for _ in range(rng.randint(0, 2))}),
            added=now - _DAY * rng.randint(0, 3000),
            foreign_id=500_000 + parent_id,
            runtime=0,
            network="",
            genres=["Rock", "Jazz"] if is_music else ["Fiction"],
            path=f"/{'music' if is_music else 'books'}/{name}",
            first_aired=debut,
        )
        library.parents[parent_id] = parent
        allowed = library.profile_by_id[parent.profile_id].allowed
        for number in range(1, rng.randint(2, 15) + 1):
            item_id += 1
            released = debut + _DAY * rng.randint(0, 365 * 50)
            item = Item(
                id=item_id,
                parent_id=parent_id,
                season=0,
                number=number,
                title=make_title(rng, item_id),
                air=released,
                runtime=0,
                monitored=rng.random() < 0.93,
                foreign_id=900_000 + item_id,
            )
            library.items[item_id] = item
            if released > now:
                continue
            counts = item.monitored and parent.monitored
            if rng.random() < 0.5 or (counts and missing >= size):
                quality = allowed[int(rng.random() * len(allowed))]
                library.add_file(item, quality, 0, released, "WEB")
            elif counts:
                missing += 1
    library.index()
    return library
