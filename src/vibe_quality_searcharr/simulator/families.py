"""What differs between the simulated apps: names, API roots, versions, qualities, sort keys,
history event numbers and the commands each one knows.

Everything app-specific that is data rather than behaviour lives here, so the behaviour modules
stay generic over the family (`tv`, `movie`, `album`, `book`, `indexer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from vibe_quality_searcharr.simulator.model import Quality

__all__ = ["APPS", "AppSpec", "SortSpec", "parse_version", "wanted_sort_spec"]

_TV_QUALITIES = (
    Quality(1, "SDTV", "television", 480),
    Quality(2, "DVD", "dvd", 480),
    Quality(4, "HDTV-720p", "television", 720),
    Quality(5, "WEBDL-720p", "web", 720),
    Quality(9, "HDTV-1080p", "television", 1080),
    Quality(3, "WEBDL-1080p", "web", 1080),
    Quality(7, "Bluray-1080p", "bluray", 1080),
    Quality(18, "WEBDL-2160p", "web", 2160),
    Quality(19, "Bluray-2160p", "bluray", 2160),
)
_MOVIE_QUALITIES = (
    Quality(1, "SDTV", "tv", 480),
    Quality(2, "DVD", "dvd", 480),
    Quality(4, "HDTV-720p", "tv", 720),
    Quality(5, "WEBDL-720p", "webdl", 720),
    Quality(6, "Bluray-720p", "bluray", 720),
    Quality(3, "WEBDL-1080p", "webdl", 1080),
    Quality(7, "Bluray-1080p", "bluray", 1080),
    Quality(30, "Remux-1080p", "bluray", 1080, "remux"),
    Quality(18, "WEBDL-2160p", "webdl", 2160),
    Quality(19, "Bluray-2160p", "bluray", 2160),
)
_EROS_QUALITIES = tuple(
    Quality(
        q.id, q.name, {"tv": "television", "webdl": "web"}.get(q.source, q.source), q.resolution, ""
    )
    for q in _MOVIE_QUALITIES
    if q.modifier == "none"
)
_MUSIC_QUALITIES = (
    Quality(1, "MP3-192"),
    Quality(2, "MP3-VBR-V0"),
    Quality(4, "MP3-320"),
    Quality(6, "FLAC"),
    Quality(21, "FLAC 24bit"),
)
_BOOK_QUALITIES = (Quality(1, "PDF"), Quality(2, "MOBI"), Quality(3, "EPUB"), Quality(4, "AZW3"))

_TV_HISTORY = {
    "unknown": 0,
    "grabbed": 1,
    "seriesFolderImported": 2,
    "downloadFolderImported": 3,
    "downloadFailed": 4,
    "episodeFileDeleted": 5,
    "episodeFileRenamed": 6,
    "downloadIgnored": 7,
}
_MOVIE_HISTORY = {
    "unknown": 0,
    "grabbed": 1,
    "downloadFolderImported": 3,
    "downloadFailed": 4,
    "movieFileDeleted": 6,
    "movieFolderImported": 8,
    "movieFileRenamed": 9,
    "downloadIgnored": 10,
}
_MUSIC_HISTORY = {
    "unknown": 0,
    "grabbed": 1,
    "artistFolderImported": 2,
    "trackFileImported": 3,
    "downloadFailed": 4,
    "trackFileDeleted": 5,
    "trackFileRenamed": 6,
    "albumImportIncomplete": 7,
    "downloadImported": 8,
    "trackFileRetagged": 9,
    "downloadIgnored": 10,
}
_BOOK_HISTORY = {
    "unknown": 0,
    "grabbed": 1,
    "bookFileImported": 3,
    "downloadFailed": 4,
    "bookFileDeleted": 5,
    "bookFileRenamed": 6,
    "bookImportIncomplete": 7,
    "downloadImported": 8,
    "bookFileRetagged": 9,
    "downloadIgnored": 10,
}
_PROWLARR_HISTORY = {
    "unknown": 0,
    "releaseGrabbed": 1,
    "indexerQuery": 2,
    "indexerRss": 3,
    "indexerAuth": 4,
    "indexerInfo": 5,
}

_COMMON_COMMANDS = frozenset(
    {"RssSync", "Backup", "ApplicationUpdateCheck", "CheckHealth", "Housekeeping"}
)


@dataclass(frozen=True)
class AppSpec:
    """One simulated app; `family` picks the library generator and the resources."""

    key: str
    app_name: str
    family: str
    api_root: str
    default_version: str
    qualities: tuple[Quality, ...]
    history_events: dict[str, int]
    imported_event: str
    item_search: str
    item_ids_field: str
    parent_search: str
    parent_id_field: str
    missing_search: str
    cutoff_search: str
    noun: str
    inert_commands: frozenset[str]
    port: int

    @property
    def search_commands(self) -> frozenset[str]:
        names = {self.item_search, self.parent_search, self.missing_search, self.cutoff_search}
        if self.family == "tv":
            names.add("SeasonSearch")
        return frozenset(name for name in names if name)


def _spec(key: str, **fields: object) -> AppSpec:
    return AppSpec(key=key, **fields)  # type: ignore[arg-type]


_TV = {
    "family": "tv",
    "api_root": "/api/v3",
    "history_events": _TV_HISTORY,
    "imported_event": "downloadFolderImported",
    "item_search": "EpisodeSearch",
    "item_ids_field": "episodeIds",
    "parent_search": "SeriesSearch",
    "parent_id_field": "seriesId",
    "missing_search": "MissingEpisodeSearch",
    "cutoff_search": "CutoffUnmetEpisodeSearch",
    "noun": "episodes",
    "inert_commands": _COMMON_COMMANDS
    | {"RefreshSeries", "RescanSeries", "DownloadedEpisodesScan", "RenameSeries"},
}
_MOVIE = {
    "family": "movie",
    "api_root": "/api/v3",
    "history_events": _MOVIE_HISTORY,
    "imported_event": "downloadFolderImported",
    "item_search": "MoviesSearch",
    "item_ids_field": "movieIds",
    "parent_search": "",
    "parent_id_field": "",
    "missing_search": "MissingMoviesSearch",
    "cutoff_search": "CutoffUnmetMoviesSearch",
    "noun": "movies",
    "inert_commands": _COMMON_COMMANDS | {"RefreshMovie", "RescanMovie", "DownloadedMoviesScan"},
}

APPS: dict[str, AppSpec] = {
    "sonarr": _spec(
        "sonarr", app_name="Sonarr", default_version="4.0.14.2939",
        qualities=_TV_QUALITIES, port=8989, **_TV,
    ),
    "whisparr": _spec(
        "whisparr", app_name="Whisparr", default_version="2.0.0.1097",
        qualities=_TV_QUALITIES, port=6969, **_TV,
    ),
    "radarr": _spec(
        "radarr", app_name="Radarr", default_version="5.26.2.10099",
        qualities=_MOVIE_QUALITIES, port=7878, **_MOVIE,
    ),
    "whisparr-v3": _spec(
        "whisparr-v3", app_name="Whisparr", default_version="3.0.0.1102",
        qualities=_EROS_QUALITIES, port=6970, **_MOVIE,
    ),
    "lidarr": _spec(
        "lidarr", app_name="Lidarr", family="album", api_root="/api/v1",
        default_version="2.12.4.4658", qualities=_MUSIC_QUALITIES,
        history_events=_MUSIC_HISTORY, imported_event="downloadImported",
        item_search="AlbumSearch", item_ids_field="albumIds", parent_search="ArtistSearch",
        parent_id_field="artistId", missing_search="MissingAlbumSearch",
        cutoff_search="CutoffUnmetAlbumSearch", noun="albums", port=8686,
        inert_commands=_COMMON_COMMANDS | {"RefreshArtist", "RescanFolders"},
    ),
    "readarr": _spec(
        "readarr", app_name="Readarr", family="book", api_root="/api/v1",
        default_version="0.4.18.2805", qualities=_BOOK_QUALITIES,
        history_events=_BOOK_HISTORY, imported_event="bookFileImported",
        item_search="BookSearch", item_ids_field="bookIds", parent_search="AuthorSearch",
        parent_id_field="authorId", missing_search="MissingBookSearch",
        cutoff_search="CutoffUnmetBookSearch", noun="books", port=8787,
        inert_commands=_COMMON_COMMANDS | {"RefreshAuthor", "RescanFolders"},
    ),
    "prowlarr": _spec(
        "prowlarr", app_name="Prowlarr", family="indexer", api_root="/api/v1",
        default_version="2.0.5.5160", qualities=(), history_events=_PROWLARR_HISTORY,
        imported_event="", item_search="", item_ids_field="", parent_search="",
        parent_id_field="", missing_search="", cutoff_search="", noun="indexers", port=9696,
        inert_commands=_COMMON_COMMANDS | {"ApplicationIndexerSync", "IndexerSync"},
    ),
}  # fmt: skip


def parse_version(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        if not piece.isdigit():
            raise ValueError(f"version {version!r} is not dotted numbers like 4.0.14")
        parts.append(int(piece))
    return tuple(parts)


@dataclass(frozen=True)
class SortSpec:
    """Accepted sort keys (request form -> canonical field) and the echoed form of each."""

    accepted: dict[str, str]
    echo: dict[str, str]
    default_field: str
    default_ascending: bool
    prefixed_echo: bool = True


def _sort(fields: dict[str, str], default: str, aliases: dict[str, str]) -> SortSpec:
    accepted = dict(fields.items())
    accepted.update({alias: fields[target] for alias, target in aliases.items()})
    echo = {field: echoed for echoed, field in fields.items()}
    return SortSpec(accepted, echo, fields[default], True)


def wanted_sort_spec(spec: AppSpec, version: tuple[int, ...]) -> SortSpec:
    """Sonarr v4 whitelists prefixed keys; Sonarr v3 takes plain keys and defaults descending."""
    if spec.key == "sonarr" and version[0] < 4:
        fields = {"airDateUtc": "air", "series.sortTitle": "title"}
        return SortSpec(dict(fields.items()), {v: k for k, v in fields.items()}, "air", False)
    if spec.family == "tv":
        date_key = "episodes.airDateUtc" if spec.key == "sonarr" else "episodes.releaseDate"
        return _sort(
            {
                date_key: "air",
                "episodes.lastSearchTime": "last_search",
                "series.sortTitle": "title",
            },
            date_key,
            {date_key.split(".")[1]: date_key, "lastSearchTime": "episodes.lastSearchTime"},
        )
    if spec.family == "movie":
        fields = {
            "movieMetadata.sortTitle": "title",
            "year": "year",
            "movies.lastSearchTime": "last_search",
        }
        if spec.key == "radarr":
            fields |= {
                "digitalRelease": "digital",
                "inCinemas": "cinemas",
                "physicalRelease": "physical",
            }
        else:
            fields |= {"releaseDate": "air"}
        return _sort(fields, "movieMetadata.sortTitle", {"sortTitle": "movieMetadata.sortTitle"})
    table, parent = (
        ("albums", "artists.sortName")
        if spec.family == "album"
        else ("books", "authorMetadata.sortName")
    )
    return _sort(
        {f"{table}.releaseDate": "air", f"{table}.title": "item_title", parent: "title",
         f"{table}.lastSearchTime": "last_search"},
        f"{table}.releaseDate",
        {"releaseDate": f"{table}.releaseDate", "title": f"{table}.title"},
    )  # fmt: skip
