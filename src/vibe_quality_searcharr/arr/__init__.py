"""Async clients for Sonarr, Radarr, Lidarr, Readarr, Whisparr and Prowlarr.

Start with `make_client(app, url, api_key)`; every failure is an `ArrError` (see `errors`).
"""

from vibe_quality_searcharr.arr.clients import (
    ArrClient,
    LidarrClient,
    MediaClient,
    ProwlarrClient,
    RadarrClient,
    ReadarrClient,
    SonarrClient,
    WantedKind,
    WhisparrClient,
    WhisparrV3Client,
)
from vibe_quality_searcharr.arr.errors import (
    ArrAuthFailed,
    ArrBadResponse,
    ArrError,
    ArrNotFound,
    ArrRateLimited,
    ArrTimeout,
    ArrUnreachable,
    ArrUnsupportedVersion,
    ArrWrongApp,
)
from vibe_quality_searcharr.arr.factory import CLIENT_CLASSES, make_client
from vibe_quality_searcharr.arr.paging import DEFAULT_PAGE_SIZE, collect_pages, iter_pages
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import USER_AGENT, ArrHttp, ClientOptions
from vibe_quality_searcharr.arr.versions import ArrApp, ServerInfo, detect_server

__all__ = [
    "CLIENT_CLASSES",
    "DEFAULT_PAGE_SIZE",
    "USER_AGENT",
    "ArrApp",
    "ArrAuthFailed",
    "ArrBadResponse",
    "ArrClient",
    "ArrError",
    "ArrHttp",
    "ArrNotFound",
    "ArrRateLimited",
    "ArrTimeout",
    "ArrUnreachable",
    "ArrUnsupportedVersion",
    "ArrWrongApp",
    "ClientOptions",
    "LidarrClient",
    "MediaClient",
    "ProwlarrClient",
    "RadarrClient",
    "ReadarrClient",
    "RetryPolicy",
    "ServerInfo",
    "SonarrClient",
    "WantedKind",
    "WhisparrClient",
    "WhisparrV3Client",
    "collect_pages",
    "detect_server",
    "iter_pages",
    "make_client",
]
