"""What the planner reads: the mirrored library, search history, exclusions, live *arr activity
and budgets.

The two high-volume records, `Item` (one per wanted episode/movie/album/book) and `SearchState`
(one per searched item or season), are `NamedTuple`s: building 50,000 of them from database rows
costs about a fifth of what frozen dataclasses cost (no per-field `object.__setattr__`), and they
are just as immutable. Everything else is a frozen, slotted dataclass.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from vibe_quality_searcharr.search.planner.enums import App

__all__ = [
    "ArrActivity",
    "Budget",
    "BudgetLimit",
    "CycleState",
    "Exclusion",
    "Exclusions",
    "History",
    "Item",
    "Library",
    "QualityProfile",
    "SearchState",
    "SeasonInfo",
    "SeasonKey",
]


class Item(NamedTuple):
    """One wanted (or soon wanted) thing as the library mirror holds it.

    `id` is the *arr's own id (episodeId, movieId, albumId, bookId): it goes straight into the
    command payload. `parent_id` is the series/artist/author id (None for movies). `released_at`
    is the air date (episodes) or the release date the *arr uses for availability; None means
    not announced. `tags` are the parent's tags (the *arr tags series and movies, not episodes).
    `arr_last_search` is the *arr's own lastSearchTime.
    """

    id: int
    parent_id: int | None = None
    season_number: int | None = None
    released_at: datetime | None = None
    monitored: bool = True
    parent_monitored: bool = True
    has_file: bool = False
    cutoff_unmet: bool = False
    format_score: int | None = None
    quality_profile_id: int | None = None
    tags: frozenset[int] = frozenset()
    year: int | None = None
    status: str | None = None
    arr_last_search: datetime | None = None


class SeasonKey(NamedTuple):
    """A season is identified by its series and number, never by one of its episode ids: episode
    ids move (a re-added series renumbers them) and a key that moves re-searches the season."""

    series_id: int
    season_number: int


class SearchState(NamedTuple):
    """What this program remembers about searches of one item or one season.

    `fruitless` counts consecutive searches that grabbed nothing (it drives the doubling of the
    cooldown); `released_at_seen` and `profile_id_seen` are the air date and quality profile at
    the last search, so that a changed air date or profile resets the cooldown.
    """

    last_searched_at: datetime
    attempts: int = 1
    fruitless: int = 0
    last_grabbed_at: datetime | None = None
    released_at_seen: datetime | None = None
    profile_id_seen: int | None = None


@dataclass(frozen=True, slots=True)
class SeasonInfo:
    """Season facts from the series resource: whether more episodes are still to air decides
    whether the season can be searched as a pack."""

    monitored: bool = True
    next_airing: datetime | None = None
    last_aired: datetime | None = None


@dataclass(frozen=True, slots=True)
class QualityProfile:
    id: int
    upgrade_allowed: bool = True
    cutoff_format_score: int | None = None


@dataclass(frozen=True, slots=True)
class Library:
    """One instance's mirror: its app, its wanted items, season facts, quality profiles and tag
    labels (used only to name a tag in a skip text)."""

    app: App
    items: Sequence[Item]
    seasons: Mapping[SeasonKey, SeasonInfo] = field(default_factory=dict)
    profiles: Mapping[int, QualityProfile] = field(default_factory=dict)
    tag_labels: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CycleState:
    """The queue's current cycle: when it started and which item ids it has searched so far."""

    number: int
    started_at: datetime
    done: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class History:
    item_states: Mapping[int, SearchState] = field(default_factory=dict)
    season_states: Mapping[SeasonKey, SearchState] = field(default_factory=dict)
    cycle: CycleState | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An item or parent the user excluded; `expires_at` None means permanent."""

    expires_at: datetime | None = None
    reason: str = ""

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Exclusions by item id and by parent id (series, artist, author)."""

    items: Mapping[int, Exclusion] = field(default_factory=dict)
    parents: Mapping[int, Exclusion] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArrActivity:
    """What the *arr is busy with right now: item ids in its download queue, the queue's length
    and how many search commands it has not finished."""

    queued_ids: frozenset[int] = frozenset()
    download_queue_size: int | None = None
    unfinished_commands: int | None = None


@dataclass(frozen=True, slots=True)
class BudgetLimit:
    """Queries each indexer of the instance may still take under one limit (an hourly or daily
    cap of the instance, or a Prowlarr indexer limit less headroom and recent use)."""

    name: str
    remaining: int
    resets_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Budget:
    """Every limit that applies now; the tightest one decides. No limits means unlimited."""

    limits: tuple[BudgetLimit, ...] = ()

    def tightest(self) -> BudgetLimit | None:
        if not self.limits:
            return None
        return min(self.limits, key=lambda limit: (limit.remaining, limit.name))
