"""The closed vocabularies of the planner: apps, families, strategies, orders and reason codes.

They are `StrEnum`s so that the values stored in the database, sent by the API and shown in the UI
are the same plain strings.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["App", "CommandKind", "Family", "HoldCode", "Order", "SkipCode", "Source", "Strategy"]


class App(StrEnum):
    SONARR = "sonarr"
    RADARR = "radarr"
    LIDARR = "lidarr"
    READARR = "readarr"
    WHISPARR = "whisparr"
    WHISPARR_V3 = "whisparr_v3"


class Family(StrEnum):
    """How an app searches: what an item is and which commands exist for it."""

    EPISODE = "episode"
    MOVIE = "movie"
    ALBUM = "album"
    BOOK = "book"


class CommandKind(StrEnum):
    """The *arr command names, exactly as POST /command expects them."""

    EPISODE_SEARCH = "EpisodeSearch"
    SEASON_SEARCH = "SeasonSearch"
    MOVIES_SEARCH = "MoviesSearch"
    ALBUM_SEARCH = "AlbumSearch"
    BOOK_SEARCH = "BookSearch"


class Strategy(StrEnum):
    MISSING = "missing"
    CUTOFF_UNMET = "cutoff_unmet"
    FORMAT_UPGRADE = "format_upgrade"
    RECENT = "recent"
    CUSTOM = "custom"


class Source(StrEnum):
    """What makes an item wanted; the `custom` strategy picks one or more of these."""

    MISSING = "missing"
    CUTOFF_UNMET = "cutoff_unmet"
    FORMAT_UPGRADE = "format_upgrade"


class Order(StrEnum):
    PRIORITY = "priority"
    RANDOM = "random"
    OLDEST = "oldest"
    NEWEST = "newest"
    LEAST_RECENTLY_SEARCHED = "least_recently_searched"


class SkipCode(StrEnum):
    """Why a wanted item in the queue's scope is not searched by this plan.

    When several apply, the first in this order is reported (the most permanent one first, so
    the user fixes the cause that matters).
    """

    UNMONITORED = "unmonitored"
    EXCLUDED = "excluded"
    NOT_RELEASED = "not_released"
    GRACE_PERIOD = "grace_period"
    IN_DOWNLOAD_QUEUE = "in_download_queue"
    COOLDOWN = "cooldown"
    SEARCHED_THIS_CYCLE = "searched_this_cycle"


class HoldCode(StrEnum):
    """Why a plan holds back every command although items are eligible (or why it is empty)."""

    NOTHING_WANTED = "nothing_wanted"
    ALL_SKIPPED = "all_skipped"
    CYCLE_COMPLETE = "cycle_complete"
    BUDGET_EXHAUSTED = "budget_exhausted"
    DOWNLOAD_QUEUE_FULL = "download_queue_full"
    COMMANDS_PENDING = "commands_pending"
