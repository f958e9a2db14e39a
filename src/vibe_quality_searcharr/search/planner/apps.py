"""What each *arr app calls its items and how it searches them.

Sonarr and Whisparr v2 search episodes (one EpisodeSearch per episode, or one SeasonSearch per
season pack); Radarr and Whisparr v3 search movies, Lidarr albums, Readarr books, each with one
command carrying a batch of ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from vibe_quality_searcharr.search.planner.enums import App, CommandKind, Family

__all__ = ["FAMILY_OF", "FamilyTraits", "family_of", "traits"]


@dataclass(frozen=True, slots=True)
class FamilyTraits:
    family: Family
    item_noun: str
    parent_noun: str | None
    released_verb: str
    command: CommandKind
    ids_field: str
    batches_ids: bool


FAMILY_OF = MappingProxyType(
    {
        App.SONARR: Family.EPISODE,
        App.WHISPARR: Family.EPISODE,
        App.RADARR: Family.MOVIE,
        App.WHISPARR_V3: Family.MOVIE,
        App.LIDARR: Family.ALBUM,
        App.READARR: Family.BOOK,
    }
)

_TRAITS = MappingProxyType(
    {
        Family.EPISODE: FamilyTraits(
            Family.EPISODE,
            "episode",
            "series",
            "aired",
            CommandKind.EPISODE_SEARCH,
            "episodeIds",
            False,
        ),
        Family.MOVIE: FamilyTraits(
            Family.MOVIE, "movie", None, "released", CommandKind.MOVIES_SEARCH, "movieIds", True
        ),
        Family.ALBUM: FamilyTraits(
            Family.ALBUM, "album", "artist", "released", CommandKind.ALBUM_SEARCH, "albumIds", True
        ),
        Family.BOOK: FamilyTraits(
            Family.BOOK, "book", "author", "released", CommandKind.BOOK_SEARCH, "bookIds", True
        ),
    }
)


def family_of(app: App) -> Family:
    return FAMILY_OF[app]


def traits(family: Family) -> FamilyTraits:
    return _TRAITS[family]
